package dev.mailwright.test;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/**
 * A message as one mailbox received it: the octets exactly as stored (the server's
 * {@code Received} header first), the mailbox, and the envelope of its transaction.
 */
public final class ReceivedMessage {

    private final String mailbox;
    private final byte[] raw;
    private final ReceivedEnvelope envelope;

    public ReceivedMessage(String mailbox, byte[] raw, ReceivedEnvelope envelope) {
        this.mailbox = mailbox;
        this.raw = raw.clone();
        this.envelope = envelope;
    }

    /** The address of the mailbox it was stored in. */
    public String mailbox() {
        return mailbox;
    }

    /** The stored octets (CRLF line ends). */
    public byte[] raw() {
        return raw.clone();
    }

    /** The stored octets as text (UTF-8). */
    public String rawText() {
        return new String(raw, StandardCharsets.UTF_8);
    }

    public ReceivedEnvelope envelope() {
        return envelope;
    }

    /** The message parsed by Jakarta Mail. */
    public MimeMessage mimeMessage() {
        try {
            return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(raw));
        } catch (MessagingException e) {
            throw new IllegalStateException("not a message Jakarta Mail can read", e);
        }
    }

    /** The Subject header, decoded; null if none. */
    public String subject() {
        try {
            return mimeMessage().getSubject();
        } catch (MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "ReceivedMessage[" + mailbox + ", " + raw.length + " octets, from " + envelope.mailFrom().orElse("<>") + "]";
    }
}
