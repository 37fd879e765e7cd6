package dev.mailwright.outbound.dkim;

import dev.mailwright.store.Address;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.james.mime4j.dom.address.Mailbox;
import org.apache.james.mime4j.field.address.DefaultAddressParser;
import org.apache.james.mime4j.field.address.ParseException;
import org.apache.james.mime4j.field.address.TokenMgrError;

/**
 * The header section of a message in wire form (CRLF lines), read up to and including the
 * blank line that ends it. Each field keeps its exact text with continuation lines and its
 * final CRLF, as ISO-8859-1 characters so that UTF-8 headers (RFC 6532) survive byte for byte.
 *
 * @param fields   the fields in order
 * @param complete false when the section was larger than the limit (the fields are then incomplete)
 * @param octets   the octets consumed from the stream, blank line included
 */
public record HeaderSection(List<String> fields, boolean complete, long octets) {

    public HeaderSection {
        fields = List.copyOf(fields);
    }

    /**
     * Reads the header section. Past {@code limit} octets the rest of the section is consumed
     * (so the stream is positioned at the body) but no longer kept.
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
                if (complete) {
                    line.write(c);
                    if (octets > limit) {
                        complete = false;
                    }
                } else if (line.size() < 2) {
                    line.write(c); // enough to see a blank line
                }
                if (c == '\n') {
                    break;
                }
            }
            byte[] bytes = line.toByteArray();
            if (bytes.length == 0) {
                break; // end of input in the header
            }
            boolean blank = (bytes.length == 2 && bytes[0] == '\r' && bytes[1] == '\n')
                    || (bytes.length == 1 && bytes[0] == '\n');
            if (blank) {
                break;
            }
            if (!complete) {
                continue;
            }
            String text = new String(bytes, StandardCharsets.ISO_8859_1);
            if ((text.startsWith(" ") || text.startsWith("\t")) && field != null) {
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

    /**
     * The author, when the section has exactly one From field naming exactly one mailbox, as
     * Apache James mime4j's strict RFC 5322 parser reads it (the same parser that checked the
     * submitter's right to it, ADR 0026). Anything else is not ours to vouch for.
     */
    public Optional<Address> fromAddress() {
        List<String> from = get("From");
        if (from.size() != 1) {
            return Optional.empty(); // none, or several
        }
        String v = new String(value(from.get(0)).getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
        try {
            List<Mailbox> mailboxes = DefaultAddressParser.DEFAULT.parseAddressList(v).flatten();
            if (mailboxes.size() != 1 || mailboxes.get(0).getDomain() == null) {
                return Optional.empty();
            }
            return Optional.of(new Address(mailboxes.get(0).getLocalPart(), mailboxes.get(0).getDomain()));
        } catch (ParseException | TokenMgrError | RuntimeException e) {
            return Optional.empty(); // unreadable, or no address ours can hold
        }
    }
}
