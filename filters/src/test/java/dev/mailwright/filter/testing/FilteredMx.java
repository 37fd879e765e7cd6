package dev.mailwright.filter.testing;

import dev.mailwright.filter.ContentFilter;
import dev.mailwright.filter.ContentFilterHook;
import dev.mailwright.smtp.SmtpServer;
import dev.mailwright.store.Address;
import dev.mailwright.store.MailStore;
import dev.mailwright.store.memory.InMemoryMailStore;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Properties;

/**
 * An MX listener on a free port, delivering into an in-memory store with one mailbox
 * (alice@example.org), the filter asked from the content hook ({@link ContentFilterHook}); messages are sent to it with
 * Jakarta Mail (Angus) over a real socket.
 */
public final class FilteredMx implements AutoCloseable {

    public static final String ALICE = "alice@example.org";

    private final MailStore store = new InMemoryMailStore();
    private final SmtpServer server;

    public FilteredMx(ContentFilter filter) {
        store.domains().add("example.org");
        store.accounts().add(Address.parse(ALICE), "alice-password-1".toCharArray());
        server = SmtpServer.builder().hostname("mx.example.org").store(store)
                .policy(new ContentFilterHook("test", filter, session -> true)).mx(0).start();
    }

    /** Sends a message with that subject and body from sender@elsewhere.test to Alice; the server's reply text on refusal. */
    public void send(String subject, String body, String... extraHeaders) throws MessagingException {
        Properties p = new Properties();
        p.put("mail.smtp.host", "127.0.0.1");
        p.put("mail.smtp.port", String.valueOf(server.port()));
        p.put("mail.smtp.localhost", "client.example");
        p.put("mail.smtp.timeout", "30000");
        p.put("mail.smtp.connectiontimeout", "5000");
        Session session = Session.getInstance(p);
        MimeMessage m = new MimeMessage(session);
        m.setFrom(new InternetAddress("sender@elsewhere.test"));
        m.setRecipient(Message.RecipientType.TO, new InternetAddress(ALICE));
        m.setSubject(subject, "UTF-8");
        m.setText(body, "UTF-8");
        for (int i = 0; i + 1 < extraHeaders.length; i += 2) {
            m.addHeader(extraHeaders[i], extraHeaders[i + 1]);
        }
        Transport.send(m);
    }

    /** Messages in Alice's mailbox. */
    public int count() {
        long id = store.accounts().get(Address.parse(ALICE)).orElseThrow().id();
        try (var drop = store.maildrops().open(id, "test", Duration.ofSeconds(5))) {
            return drop.messages().size();
        }
    }

    /** Alice's newest message as stored. */
    public String newest() throws IOException {
        long id = store.accounts().get(Address.parse(ALICE)).orElseThrow().id();
        try (var drop = store.maildrops().open(id, "test", Duration.ofSeconds(5))) {
            var list = drop.messages();
            try (InputStream in = drop.open(list.get(list.size() - 1).uid())) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                in.transferTo(out);
                return out.toString(StandardCharsets.UTF_8);
            }
        }
    }

    @Override
    public void close() {
        server.close();
        store.close();
    }
}
