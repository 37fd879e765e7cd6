package dev.mailwright.admin.mail;

import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeUtility;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;

/**
 * What {@code mailbox show} prints of a message: its text parts decoded (base64 or
 * quoted-printable, in their charset) and its attachments by name, type and decoded size.
 * Jakarta Mail (Angus) does the MIME work.
 */
public final class MimeView {

    private static final Session SESSION;

    static {
        Properties p = new Properties();
        p.setProperty("mail.mime.allowutf8", "true");
        p.setProperty("mail.mime.decodefilename", "true");
        p.setProperty("mail.mime.decodetext.strict", "false");
        p.setProperty("mail.mime.address.strict", "false");
        SESSION = Session.getInstance(p);
    }

    /** A text part: its MIME type, charset and decoded text. */
    public record TextPart(String type, String charset, String text) {
    }

    /** A part that is not shown: its file name (decoded) if any, MIME type and decoded size in octets. */
    public record Attachment(Optional<String> name, String type, long size) {
    }

    private final List<TextPart> texts = new ArrayList<>();
    private final List<Attachment> attachments = new ArrayList<>();

    private MimeView() {
    }

    public static MimeView parse(InputStream content) throws IOException {
        try {
            MimeMessage m = new MimeMessage(SESSION, content);
            MimeView v = new MimeView();
            v.walk(m, 0);
            return v;
        } catch (MessagingException e) {
            throw new IOException("unreadable MIME structure: " + e.getMessage(), e);
        }
    }

    public List<TextPart> texts() {
        return texts;
    }

    public List<Attachment> attachments() {
        return attachments;
    }

    private void walk(Part p, int depth) throws MessagingException, IOException {
        String type = baseType(p);
        if (p.isMimeType("multipart/*") && depth < 20) {
            Object content = p.getContent();
            if (content instanceof Multipart mp) {
                for (int i = 0; i < mp.getCount(); i++) {
                    BodyPart part = mp.getBodyPart(i);
                    walk(part, depth + 1);
                }
                return;
            }
        }
        Optional<String> name = fileName(p);
        boolean attachment = Part.ATTACHMENT.equalsIgnoreCase(p.getDisposition()) || name.isPresent();
        if (!attachment && p.isMimeType("text/*")) {
            String charset = charset(p);
            texts.add(new TextPart(type, charset, text(p, charset)));
            return;
        }
        attachments.add(new Attachment(name, type, size(p)));
    }

    /**
     * The decoded size; for an unknown or broken transfer encoding (found by MessageViewFuzzTest: an
     * IOException or Angus's own StringIndexOutOfBoundsException ended 'mailbox show') the size as stored.
     */
    private static long size(Part p) throws MessagingException, IOException {
        try (InputStream in = p.getInputStream()) {
            return in.transferTo(OutputStream.nullOutputStream());
        } catch (IOException | RuntimeException e) {
            InputStream raw = p instanceof MimeBodyPart b ? b.getRawInputStream()
                    : p instanceof MimeMessage m ? m.getRawInputStream() : InputStream.nullInputStream();
            try (raw) {
                return raw.transferTo(OutputStream.nullOutputStream());
            }
        }
    }

    private static String text(Part p, String charset) throws MessagingException, IOException {
        try {
            Object content = p.getContent();
            if (content instanceof String s) {
                return s;
            }
        } catch (IOException | RuntimeException e) {
            // an unknown charset: fall back to the bytes below
        }
        try (InputStream in = p.getInputStream()) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
        }
    }

    private static Optional<String> fileName(Part p) {
        try {
            String n = p.getFileName();
            return n == null || n.isBlank() ? Optional.empty() : Optional.of(MimeUtility.decodeText(n));
        } catch (MessagingException | IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static String baseType(Part p) throws MessagingException {
        try {
            return new ContentType(p.getContentType()).getBaseType().toLowerCase(java.util.Locale.ROOT);
        } catch (MessagingException | RuntimeException e) {
            // RFC 2045 5.2: a Content-Type that does not parse is text/plain (the part is then shown as text)
            return p.isMimeType("text/*") ? "text/plain" : "application/octet-stream";
        }
    }

    private static String charset(Part p) {
        try {
            String cs = new ContentType(p.getContentType()).getParameter("charset");
            return cs == null ? "us-ascii" : cs.toLowerCase(java.util.Locale.ROOT);
        } catch (MessagingException | RuntimeException e) {
            return "us-ascii";
        }
    }
}
