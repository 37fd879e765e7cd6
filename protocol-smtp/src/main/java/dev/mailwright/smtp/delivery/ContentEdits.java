package dev.mailwright.smtp.delivery;

import dev.mailwright.smtp.policy.ContentVerdict;
import dev.mailwright.store.content.HeaderSection;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Copies received content with the edits of the content hooks ({@link ContentVerdict}): fields
 * they drop are left out, the Subject gets their tag (a message without one gets a Subject of
 * just the tag). Streams: one header field is held at a time (up to {@link #MAX_FIELD}
 * octets; a longer field is copied as it is), and the body is copied unread.
 */
public final class ContentEdits {

    /** The longest header field that is looked at; longer ones pass unchanged. */
    static final int MAX_FIELD = 64 * 1024;

    private ContentEdits() {
    }

    public static void copy(InputStream in, OutputStream out, ContentVerdict.FieldFilter removes,
                            Optional<String> subjectTag) throws IOException {
        if (removes == ContentVerdict.FieldFilter.NONE && subjectTag.isEmpty()) {
            in.transferTo(out);
            return;
        }
        boolean tagged = false;
        ByteArrayOutputStream field = new ByteArrayOutputStream(512);
        boolean fieldOversize = false;
        ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        while (true) {
            line.reset();
            int c;
            while ((c = in.read()) >= 0) {
                line.write(c);
                if (c == '\n') {
                    break;
                }
            }
            byte[] bytes = line.toByteArray();
            boolean continuation = bytes.length > 0 && (bytes[0] == ' ' || bytes[0] == '\t');
            if (continuation && field.size() > 0 || continuation && fieldOversize) {
                if (fieldOversize) {
                    out.write(bytes);
                } else if (field.size() + bytes.length > MAX_FIELD) {
                    field.writeTo(out); // too long to look at: passed on as it is
                    field.reset();
                    out.write(bytes);
                    fieldOversize = true;
                } else {
                    field.write(bytes);
                }
                continue;
            }
            if (field.size() > 0) {
                tagged |= emit(field.toByteArray(), out, removes, subjectTag);
                field.reset();
            }
            fieldOversize = false;
            boolean end = bytes.length == 0 || (bytes.length == 2 && bytes[0] == '\r' && bytes[1] == '\n')
                    || (bytes.length == 1 && bytes[0] == '\n') || bytes.length > 0 && !looksLikeField(bytes);
            if (end) {
                if (subjectTag.isPresent() && !tagged) {
                    out.write(("Subject: " + subjectTag.get() + "\r\n").getBytes(StandardCharsets.UTF_8));
                }
                out.write(bytes);
                in.transferTo(out);
                return;
            }
            if (bytes.length > MAX_FIELD) {
                out.write(bytes);
                fieldOversize = true;
            } else {
                field.write(bytes);
            }
        }
    }

    /** Writes one whole field unless dropped; answers whether it was the Subject and got the tag. */
    private static boolean emit(byte[] raw, OutputStream out, ContentVerdict.FieldFilter removes,
                                Optional<String> subjectTag) throws IOException {
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        String name = HeaderSection.name(text);
        String value = HeaderSection.value(text);
        if (removes.removes(name, value)) {
            return false;
        }
        if (subjectTag.isPresent() && name.equalsIgnoreCase("Subject")) {
            String tag = subjectTag.get();
            int colon = text.indexOf(':');
            String rest = text.substring(colon + 1);
            if (!value.startsWith(tag)) {
                String restTrimmed = rest.startsWith(" ") ? rest.substring(1) : rest;
                text = text.substring(0, colon + 1) + " " + new String(tag.getBytes(StandardCharsets.UTF_8),
                        StandardCharsets.ISO_8859_1) + " " + restTrimmed;
            }
            out.write(text.getBytes(StandardCharsets.ISO_8859_1));
            return true;
        }
        out.write(raw);
        return false;
    }

    /** A field line starts with a name (printable, no space) and a colon. */
    private static boolean looksLikeField(byte[] line) {
        for (int i = 0; i < line.length; i++) {
            byte b = line[i];
            if (b == ':') {
                return i > 0;
            }
            if (b <= ' ' || b >= 127) {
                return false;
            }
        }
        return false;
    }
}
