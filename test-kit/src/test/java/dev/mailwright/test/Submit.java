package dev.mailwright.test;

import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

/** Sends one text message through the kit's submission listener, as a client application would. */
final class Submit {

    private Submit() {
    }

    static void send(MailwrightExtension mail, String user, String password, String to, String subject, String text)
            throws MessagingException {
        MimeMessage m = new MimeMessage(mail.submissionSession(user, password));
        m.setFrom(new InternetAddress(user));
        m.setRecipient(Message.RecipientType.TO, new InternetAddress(to));
        m.setSubject(subject);
        m.setText(text);
        Transport.send(m);
    }
}
