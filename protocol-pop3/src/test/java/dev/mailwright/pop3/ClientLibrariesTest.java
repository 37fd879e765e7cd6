package dev.mailwright.pop3;

import static dev.mailwright.pop3.support.Pop3Fixture.ALICE;
import static dev.mailwright.pop3.support.Pop3Fixture.CERT;
import static dev.mailwright.pop3.support.Pop3Fixture.PASSWORD;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mailwright.pop3.support.Pop3Fixture;
import dev.mailwright.store.Address;
import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Store;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.apache.commons.net.pop3.ExtendedPOP3Client;
import org.apache.commons.net.pop3.POP3Client;
import org.apache.commons.net.pop3.POP3MessageInfo;
import org.apache.commons.net.pop3.POP3SClient;
import org.eclipse.angus.mail.pop3.POP3Folder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Jakarta Mail (Angus) and Apache Commons Net against the server. */
@Timeout(60)
class ClientLibrariesTest {

    private static final String FIRST = "Subject: first\r\nFrom: bob@example.org\r\n\r\nhello\r\n.dotted line\r\n";
    private static final String SECOND = "Subject: second\r\n\r\nworld\r\n";

    private Pop3Fixture pop3;

    private Pop3Fixture start(boolean plaintext) {
        pop3 = new Pop3Fixture(b -> b.settings(s -> s.plaintextWithoutTls(plaintext).apop(true)));
        pop3.deliver(FIRST);
        pop3.deliver(SECOND);
        return pop3;
    }

    @AfterEach
    void stop() {
        if (pop3 != null) {
            pop3.close();
        }
    }

    // ---------------------------------------------------------------- Jakarta Mail (Angus)

    private Store angus(String protocol, int port, Properties extra) throws MessagingException {
        Properties p = new Properties();
        p.put("mail." + protocol + ".host", "127.0.0.1");
        p.put("mail." + protocol + ".port", Integer.toString(port));
        p.put("mail." + protocol + ".ssl.trust", "*");
        p.put("mail." + protocol + ".ssl.checkserveridentity", "false");
        p.put("mail." + protocol + ".connectiontimeout", "20000");
        p.put("mail." + protocol + ".timeout", "20000");
        p.putAll(extra);
        Store store = Session.getInstance(p).getStore(protocol);
        store.connect(ALICE, PASSWORD);
        return store;
    }

    private static Properties props(String... kv) {
        Properties p = new Properties();
        for (int i = 0; i < kv.length; i += 2) {
            p.put(kv[i], kv[i + 1]);
        }
        return p;
    }

    private void readAndDeleteAll(Store store) throws Exception {
        Folder inbox = store.getFolder("INBOX");
        inbox.open(Folder.READ_WRITE);
        assertThat(inbox.getMessageCount()).isEqualTo(2);
        Message[] messages = inbox.getMessages();
        assertThat(((POP3Folder) inbox).getUID(messages[0])).isNotBlank()
                .isNotEqualTo(((POP3Folder) inbox).getUID(messages[1]));
        assertThat(messages[0].getHeader("Subject")).containsExactly("first");
        // Angus reports the body size: the LIST size less the header it read with TOP
        assertThat(messages[0].getSize()).isEqualTo("hello\r\n.dotted line\r\n".length());
        assertThat(((String) messages[0].getContent()).replace("\r\n", "\n")).isEqualTo("hello\n.dotted line\n");
        assertThat(messages[1].getSubject()).isEqualTo("second");
        for (Message m : messages) {
            m.setFlag(Flags.Flag.DELETED, true);
        }
        inbox.close(true);
        store.close();
    }

    @Test
    void jakartaMailPop3WithPlaintextLoginShouldReadAndDeleteOnQuit() throws Exception {
        start(true);
        readAndDeleteAll(angus("pop3", pop3.port(), props()));
        assertThat(pop3.messages()).isZero();
    }

    @Test
    void jakartaMailPop3WithAuthPlainShouldReadAndDeleteOnQuit() throws Exception {
        start(true);
        readAndDeleteAll(angus("pop3", pop3.port(), props("mail.pop3.auth.mechanisms", "PLAIN")));
        assertThat(pop3.messages()).isZero();
    }

    @Test
    void jakartaMailPop3WithStlsShouldLogInOverTls() throws Exception {
        start(false);
        readAndDeleteAll(angus("pop3", pop3.port(), props("mail.pop3.starttls.enable", "true",
                "mail.pop3.starttls.required", "true")));
        assertThat(pop3.messages()).isZero();
    }

    @Test
    void jakartaMailPop3sShouldReadAndDeleteOnQuit() throws Exception {
        start(false);
        readAndDeleteAll(angus("pop3s", pop3.securePort(), props()));
        assertThat(pop3.messages()).isZero();
    }

    @Test
    void jakartaMailWithApopShouldLogIn() throws Exception {
        start(false);
        pop3.mail.memory.accounts().setApopSecret(Address.parse(ALICE), Optional.of(PASSWORD));
        Store store = angus("pop3", pop3.port(), props("mail.pop3.apop.enable", "true"));
        Folder inbox = store.getFolder("INBOX");
        inbox.open(Folder.READ_ONLY);
        assertThat(inbox.getMessageCount()).isEqualTo(2);
        inbox.close(false);
        store.close();
        assertThat(pop3.messages()).isEqualTo(2);
    }

    @Test
    void jakartaMailWithoutTlsShouldNotBeAbleToSendThePasswordInTheClear() {
        start(false);
        assertThatThrownBy(() -> angus("pop3", pop3.port(), props()))
                .isInstanceOf(AuthenticationFailedException.class);
    }

    @Test
    void jakartaMailClosingWithoutExpungeShouldKeepTheMessages() throws Exception {
        start(true);
        Store store = angus("pop3", pop3.port(), props());
        Folder inbox = store.getFolder("INBOX");
        inbox.open(Folder.READ_WRITE);
        inbox.getMessage(1).setFlag(Flags.Flag.DELETED, true);
        inbox.close(false);
        store.close();
        assertThat(pop3.messages()).isEqualTo(2);
    }

    // ---------------------------------------------------------------- Apache Commons Net

    private static String read(Reader r) throws IOException {
        try (BufferedReader b = new BufferedReader(r)) {
            return b.lines().collect(Collectors.joining("\n"));
        }
    }

    private static void useAndDelete(POP3Client c) throws IOException {
        POP3MessageInfo status = c.status();
        assertThat(status.number).isEqualTo(2);
        assertThat(status.size).isEqualTo(FIRST.length() + SECOND.length());
        POP3MessageInfo[] uids = c.listUniqueIdentifiers();
        assertThat(uids).hasSize(2);
        assertThat(c.listUniqueIdentifier(2).identifier).isEqualTo(uids[1].identifier);
        assertThat(read(c.retrieveMessageTop(1, 0))).isEqualTo("Subject: first\nFrom: bob@example.org\n");
        assertThat(read(c.retrieveMessage(1))).endsWith("hello\n.dotted line");
        assertThat(c.deleteMessage(1)).isTrue();
        assertThat(c.deleteMessage(2)).isTrue();
        assertThat(c.logout()).isTrue();
        c.disconnect();
    }

    @Test
    void commonsNetUserPassShouldReadTopUidlAndDeleteOnQuit() throws Exception {
        start(true);
        POP3Client c = new POP3Client();
        c.setDefaultTimeout(20_000);
        c.connect("127.0.0.1", pop3.port());
        assertThat(c.login(ALICE, PASSWORD)).isTrue();
        useAndDelete(c);
        assertThat(pop3.messages()).isZero();
    }

    @Test
    void commonsNetApopShouldLogInWithTheGreetingTimestamp() throws Exception {
        start(false);
        pop3.mail.memory.accounts().setApopSecret(Address.parse(ALICE), Optional.of("apop-secret"));
        POP3Client c = new POP3Client();
        c.setDefaultTimeout(20_000);
        c.connect("127.0.0.1", pop3.port());
        Matcher m = Pattern.compile("<[^>]+>").matcher(c.getReplyString());
        assertThat(m.find()).isTrue();
        assertThat(c.login(ALICE, m.group(), "wrong")).isFalse();
        assertThat(c.login(ALICE, m.group(), "apop-secret")).isTrue();
        assertThat(c.status().number).isEqualTo(2);
        c.logout();
        c.disconnect();
    }

    @Test
    void commonsNetAuthPlainShouldLogIn() throws Exception {
        start(true);
        ExtendedPOP3Client c = new ExtendedPOP3Client();
        c.setDefaultTimeout(20_000);
        c.connect("127.0.0.1", pop3.port());
        assertThat(c.auth(ExtendedPOP3Client.AUTH_METHOD.PLAIN, ALICE, PASSWORD)).isTrue();
        // Commons Net does not move its own state to TRANSACTION after AUTH
        c.setState(POP3Client.TRANSACTION_STATE);
        useAndDelete(c);
        assertThat(pop3.messages()).isZero();
    }

    @Test
    void commonsNetPop3sClientShouldWorkWithImplicitTls() throws Exception {
        start(false);
        POP3SClient c = new POP3SClient(true, CERT.clientContext());
        c.setDefaultTimeout(20_000);
        c.connect("127.0.0.1", pop3.securePort());
        assertThat(c.login(ALICE, PASSWORD)).isTrue();
        useAndDelete(c);
        assertThat(pop3.messages()).isZero();
    }

    @Test
    void commonsNetPop3sClientShouldUpgradeWithStls() throws Exception {
        start(false);
        POP3SClient c = new POP3SClient(false, CERT.clientContext());
        c.setDefaultTimeout(20_000);
        c.connect("127.0.0.1", pop3.port());
        assertThat(c.login(ALICE, PASSWORD)).isFalse();
        assertThat(c.execTLS()).isTrue();
        assertThat(c.login(ALICE, PASSWORD)).isTrue();
        useAndDelete(c);
        assertThat(pop3.messages()).isZero();
    }

    @Test
    void commonsNetCapaShouldListTheExtensions() throws Exception {
        start(false);
        POP3Client c = new POP3Client();
        c.setDefaultTimeout(20_000);
        c.connect("127.0.0.1", pop3.port());
        assertThat(c.capa()).isTrue();
        assertThat(c.getReplyStrings()).contains("STLS", "UIDL", "TOP", "PIPELINING", "RESP-CODES");
        c.disconnect();
    }
}
