package dev.mailwright.it.support;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.Session;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.util.Map;
import java.util.Properties;
import org.apache.commons.net.pop3.POP3Client;
import org.apache.commons.net.pop3.POP3SClient;
import org.apache.commons.net.smtp.SMTPClient;

/** Real clients configured for the server under test: Jakarta Mail (Angus) for SMTP, Commons Net for POP3 and raw SMTP. */
public final class MailClients {

    private MailClients() {
    }

    /** How a client reaches SMTP. */
    public enum SmtpWay {
        /** The MX listener, plain text, no authentication (mail for our domains only). */
        MX_PLAIN("smtp", "smtp", false),
        /** The MX listener with STARTTLS, no authentication. */
        MX_STARTTLS("smtp", "smtp", false),
        /** Submission (587): STARTTLS, then AUTH. */
        SUBMISSION_STARTTLS("submission", "smtp", true),
        /** Submissions (465): implicit TLS, then AUTH. */
        SUBMISSIONS_IMPLICIT_TLS("submissions", "smtps", true);

        public final String listener;
        final String protocol;
        public final boolean authenticated;

        SmtpWay(String listener, String protocol, boolean authenticated) {
            this.listener = listener;
            this.protocol = protocol;
            this.authenticated = authenticated;
        }

        /** The Jakarta Mail transport protocol name ({@code smtp} or {@code smtps}). */
        public String protocol() {
            return protocol;
        }
    }

    /** A Jakarta Mail session for one way into the server of {@code ports}. */
    public static Session smtpSession(SmtpWay way, Map<String, Integer> ports) {
        String p = "mail." + way.protocol + ".";
        Properties props = new Properties();
        props.put(p + "host", "127.0.0.1");
        props.put(p + "port", String.valueOf(ports.get(way.listener)));
        props.put(p + "auth", String.valueOf(way.authenticated));
        props.put(p + "connectiontimeout", "20000");
        props.put(p + "timeout", "60000");
        props.put(p + "ssl.checkserveridentity", "false");
        props.put(p + "ssl.socketFactory", Tls.trustAll().getSocketFactory());
        if (way == SmtpWay.SUBMISSION_STARTTLS || way == SmtpWay.MX_STARTTLS) {
            props.put(p + "starttls.enable", "true");
            props.put(p + "starttls.required", "true");
        }
        return Session.getInstance(props);
    }

    /** How a client reaches POP3. */
    public enum Pop3Way {
        /** Port 110 with STLS before the login. */
        STLS("pop3"),
        /** Port 995, implicit TLS. */
        IMPLICIT_TLS("pop3s");

        public final String listener;

        Pop3Way(String listener) {
            this.listener = listener;
        }
    }

    /** A connected POP3 client in the AUTHORIZATION state (after STLS when that is the way). */
    public static POP3Client pop3(Pop3Way way, Map<String, Integer> ports) throws IOException {
        POP3SClient client = new POP3SClient(way == Pop3Way.IMPLICIT_TLS, Tls.trustAll());
        client.setDefaultTimeout(60_000);
        client.setConnectTimeout(20_000);
        client.connect("127.0.0.1", ports.get(way.listener));
        client.setSoTimeout(60_000);
        if (way == Pop3Way.STLS) {
            assertThat(client.execTLS()).as("STLS: " + client.getReplyString()).isTrue();
        }
        return client;
    }

    /** A POP3 client logged in as {@code user}. */
    public static POP3Client pop3Login(Pop3Way way, Map<String, Integer> ports, String user, String password)
            throws IOException {
        POP3Client client = pop3(way, ports);
        if (!client.login(user, password)) {
            String reply = client.getReplyString();
            client.disconnect();
            throw new IOException("POP3 login as " + user + " refused: " + reply);
        }
        return client;
    }

    /** Reads a multi-line POP3 answer (RETR, TOP) into a string with CRLF line ends, as the message is stored. */
    public static String readAll(Reader reader) throws IOException {
        assertThat(reader).as("multi-line answer").isNotNull();
        StringBuilder sb = new StringBuilder();
        try (BufferedReader r = new BufferedReader(reader)) {
            String line;
            while ((line = r.readLine()) != null) {
                sb.append(line).append("\r\n");
            }
        }
        return sb.toString();
    }

    /** A raw SMTP client (Commons Net) on the MX listener after HELO, as another MTA would talk; 60 s per reply at most. */
    public static SMTPClient mx(Map<String, Integer> ports) throws IOException {
        SMTPClient smtp = new SMTPClient();
        smtp.setDefaultTimeout(60_000);
        smtp.connect("127.0.0.1", ports.get("smtp"));
        smtp.setSoTimeout(60_000);
        assertThat(smtp.helo("mta.outside.test")).isEqualTo(250);
        return smtp;
    }

    /**
     * One whole transaction from {@code sender@outside.test} in an open session: the reply to the
     * end of DATA, or to the step that failed (the transaction is then reset).
     */
    public static String transaction(SMTPClient smtp, String to, String message) throws IOException {
        if (!smtp.setSender("sender@outside.test") || !smtp.addRecipient(to)) {
            String failed = smtp.getReplyString();
            smtp.reset();
            return failed;
        }
        Writer w = smtp.sendMessageData();
        if (w == null) {
            String failed = smtp.getReplyString();
            smtp.reset();
            return failed;
        }
        w.write(message);
        w.close();
        smtp.completePendingCommand();
        return smtp.getReplyString();
    }
}
