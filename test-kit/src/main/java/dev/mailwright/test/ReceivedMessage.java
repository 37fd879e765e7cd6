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
 *
 * <p>The kit keeps the content of what it received up to a limit
 * ({@link MailwrightExtension#withRecordedContentLimit}, 64 MiB by default); past it, the oldest
 * messages it lists keep their mailbox, size and envelope but no content ({@link #hasContent()}).
 */
public final class ReceivedMessage {

    private final String mailbox;
    private final byte[] raw;
    private final long size;
    private final ReceivedEnvelope envelope;

    public ReceivedMessage(String mailbox, byte[] raw, ReceivedEnvelope envelope) {
        this(mailbox, raw.clone(), raw.length, envelope);
    }

    private ReceivedMessage(String mailbox, byte[] raw, long size, ReceivedEnvelope envelope) {
        this.mailbox = mailbox;
        this.raw = raw;
        this.size = size;
        this.envelope = envelope;
    }

    /** A message of {@code size} octets whose content was not kept (see the class comment). */
    public static ReceivedMessage contentNotKept(String mailbox, long size, ReceivedEnvelope envelope) {
        return new ReceivedMessage(mailbox, null, size, envelope);
    }

    /** The same message without its content (what the kit lists once its limit is passed). */
    public ReceivedMessage withoutContent() {
        return contentNotKept(mailbox, size, envelope);
    }

    /** Whether the content was kept (see the class comment). */
    public boolean hasContent() {
        return raw != null;
    }

    /** The number of stored octets. */
    public long size() {
        return size;
    }

    private byte[] content() {
        if (raw == null) {
            throw new IllegalStateException("the content of this message was not kept: the kit keeps the newest "
                    + "received mail up to MailwrightExtension.withRecordedContentLimit (reset() between tests frees it)");
        }
        return raw;
    }

    /** The address of the mailbox it was stored in. */
    public String mailbox() {
        return mailbox;
    }

    /**
     * The stored octets (CRLF line ends).
     *
     * @throws IllegalStateException when the content was not kept ({@link #hasContent()})
     */
    public byte[] raw() {
        return content().clone();
    }

    /** The stored octets as text (UTF-8). */
    public String rawText() {
        return new String(content(), StandardCharsets.UTF_8);
    }

    public ReceivedEnvelope envelope() {
        return envelope;
    }

    /** The message parsed by Jakarta Mail. */
    public MimeMessage mimeMessage() {
        try {
            return new MimeMessage(Session.getInstance(new Properties()), new ByteArrayInputStream(content()));
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
        return "ReceivedMessage[" + mailbox + ", " + size + " octets" + (raw == null ? " (content not kept)" : "")
                + ", from " + envelope.mailFrom().orElse("<>") + "]";
    }
}
