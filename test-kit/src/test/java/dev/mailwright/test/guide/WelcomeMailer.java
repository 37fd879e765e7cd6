package dev.mailwright.test.guide;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

/** The application code under test in the guide's examples: it sends one welcome mail. */
public final class WelcomeMailer {

    private final Session session;
    private final String from;

    public WelcomeMailer(Session session, String from) {
        this.session = session;
        this.from = from;
    }

    public void welcome(String address) throws MessagingException {
        MimeMessage m = new MimeMessage(session);
        m.setFrom(new InternetAddress(from));
        m.setRecipient(Message.RecipientType.TO, new InternetAddress(address));
        m.setSubject("Welcome");
        m.setText("Hello " + address + ", welcome aboard.");
        Transport.send(m);
    }
}
