package dev.mailwright.smtp.delivery;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The header section of a message (CRLF lines), read up to and including the blank line that
 * ends it, so that the stream is left at the body. Each field keeps its exact text with its
 * continuation lines and final CRLF, as ISO-8859-1 characters so that UTF-8 fields (RFC 6532)
 * survive byte for byte.
 *
 * @param fields   the fields in order
 * @param complete false when the section was larger than the limit: the fields past it are missing
 * @param octets   the octets consumed from the stream, blank line included
 */
public record HeaderSection(List<String> fields, boolean complete, long octets) {

    public HeaderSection {
        fields = List.copyOf(fields);
    }

    /**
     * Reads the header section. Past {@code limit} octets the rest of the section is consumed
     * (the stream is then at the body) but no longer kept.
     */
    public static HeaderSection read(InputStream in, int limit) throws IOException {
        List<String> fields = new ArrayList<>();
        StringBuilder field = null;
        long octets = 0;
        boolean complete = true;
        ByteArrayOutputStream line = new ByteArrayOutputStream(256);
        while (true) {
            line.reset();
            int c;
            while ((c = in.read()) >= 0) {
                octets++;
                if (complete && octets > limit) {
                    complete = false;
                }
                if (complete || line.size() < 2) {
                    line.write(c); // past the limit: only enough to see the blank line
                }
                if (c == '\n') {
                    break;
                }
            }
            byte[] bytes = line.toByteArray();
            if (bytes.length == 0 || isBlank(bytes)) {
                break; // the end of the section, or of the input in it
            }
            if (!complete) {
                continue;
            }
            String text = new String(bytes, StandardCharsets.ISO_8859_1);
            if ((text.charAt(0) == ' ' || text.charAt(0) == '\t') && field != null) {
                field.append(text);
            } else {
                if (field != null) {
                    fields.add(field.toString());
                }
                field = new StringBuilder(text);
            }
        }
        if (field != null && complete) {
            fields.add(field.toString());
        }
        return new HeaderSection(fields, complete, octets);
    }

    private static boolean isBlank(byte[] line) {
        return line.length == 2 && line[0] == '\r' && line[1] == '\n' || line.length == 1 && line[0] == '\n';
    }

    /** The fields with this name (case-insensitive), in order. */
    public List<String> get(String name) {
        List<String> out = new ArrayList<>();
        for (String f : fields) {
            if (name(f).equalsIgnoreCase(name)) {
                out.add(f);
            }
        }
        return out;
    }

    /** The name of a raw field. */
    public static String name(String field) {
        int colon = field.indexOf(':');
        return (colon < 0 ? field : field.substring(0, colon)).trim();
    }

    /** The unfolded value of a raw field, trimmed. */
    public static String value(String field) {
        int colon = field.indexOf(':');
        String v = colon < 0 ? "" : field.substring(colon + 1);
        return v.replace("\r\n", "").replace("\n", "").trim();
    }
}
