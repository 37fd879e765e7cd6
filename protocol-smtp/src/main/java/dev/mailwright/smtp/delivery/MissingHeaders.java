package dev.mailwright.smtp.delivery;

import dev.mailwright.smtp.api.OriginatorFields;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Adds {@code Date} and {@code Message-ID} to a submitted message that lacks them (RFC 6409
 * section 8), while the message streams: the header section is held (up to a limit) until
 * its end, then the missing fields go in just before the blank line. A header section past
 * the limit is passed on unchanged. While it holds the section it also reads the originator
 * fields ({@link #originators()}), which the sender ownership rule checks.
 */
public final class MissingHeaders extends OutputStream {

    static final int MAX_HEADER = 64 * 1024;

    private final OutputStream out;
    private final Supplier<String> date;
    private final Supplier<String> messageId;
    private byte[] header = new byte[1024];
    private int held;
    private boolean passing;
    private int lineStart;
    private boolean hasDate;
    private boolean hasMessageId;
    private OriginatorFields originators = OriginatorFields.UNREAD;

    /** @param date and messageId make the field values when needed */
    public MissingHeaders(OutputStream out, Supplier<String> date, Supplier<String> messageId) {
        this.out = out;
        this.date = date;
        this.messageId = messageId;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (passing) {
            out.write(b, off, len);
            return;
        }
        for (int i = off; i < off + len; i++) {
            if (held == header.length) {
                header = Arrays.copyOf(header, Math.min(header.length * 2, MAX_HEADER));
            }
            header[held++] = b[i];
            if (b[i] == '\n') {
                int length = held - lineStart;
                if (length == 1 || length == 2 && header[lineStart] == '\r') {
                    release(lineStart);
                    out.write(b, i + 1, off + len - i - 1);
                    return;
                }
                String line = new String(header, lineStart, Math.min(length, 16), StandardCharsets.ISO_8859_1)
                        .toLowerCase(Locale.ROOT);
                hasDate |= line.startsWith("date:");
                hasMessageId |= line.startsWith("message-id:");
                lineStart = held;
            }
            if (held >= MAX_HEADER) {
                passing = true;
                out.write(header, 0, held);
                header = null;
                out.write(b, i + 1, off + len - i - 1);
                return;
            }
        }
    }

    /** The From and Sender fields of the header section; {@link OriginatorFields#UNREAD} until it ended or when it was too large. */
    public OriginatorFields originators() {
        return originators;
    }

    /** Writes the held header section with the missing fields inserted at {@code at}. */
    private void release(int at) throws IOException {
        passing = true;
        originators = originators(new String(header, 0, at, StandardCharsets.UTF_8));
        out.write(header, 0, at);
        if (at > 0 && header[at - 1] != '\n') {
            out.write('\r');
            out.write('\n');
        }
        StringBuilder added = new StringBuilder();
        if (!hasDate) {
            added.append("Date: ").append(TraceHeaders.clean(date.get())).append("\r\n");
        }
        if (!hasMessageId) {
            added.append("Message-ID: ").append(TraceHeaders.clean(messageId.get())).append("\r\n");
        }
        out.write(added.toString().getBytes(StandardCharsets.UTF_8));
        out.write(header, at, held - at);
        header = null;
    }

    /** The unfolded values of the From and Sender fields of a header section. */
    static OriginatorFields originators(String section) {
        List<String> from = new ArrayList<>();
        List<String> sender = new ArrayList<>();
        List<String> current = null;
        StringBuilder value = new StringBuilder();
        for (String line : section.split("\r?\n", -1)) {
            if (!line.isEmpty() && (line.charAt(0) == ' ' || line.charAt(0) == '\t')) {
                value.append(line);
                continue;
            }
            if (current != null) {
                current.add(value.toString().trim());
            }
            value.setLength(0);
            int colon = line.indexOf(':');
            String name = colon < 0 ? "" : line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            current = name.equals("from") ? from : name.equals("sender") ? sender : null;
            if (current != null) {
                value.append(line, colon + 1, line.length());
            }
        }
        if (current != null) {
            current.add(value.toString().trim());
        }
        return new OriginatorFields(from, sender, true);
    }

    @Override
    public void flush() throws IOException {
        out.flush();
    }

    /** Ends the content: a message that was all header gets its missing fields at the end. */
    @Override
    public void close() throws IOException {
        if (!passing) {
            release(held);
        }
        out.flush();
    }
}
