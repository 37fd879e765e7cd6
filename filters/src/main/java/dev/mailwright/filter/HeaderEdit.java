package dev.mailwright.filter;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Copies a message while applying an {@link FilterVerdict.Accept}: the message's own header
 * section without the fields it removes and with the subject tag in front of the Subject (a
 * Subject field is added if there is none), the verdict's fields right after our trace fields (a
 * leading Return-Path and the first Received, which this server wrote) as a receiving MTA places
 * its marks, then the body untouched.
 * Streams: only one field name is held at a time, so a large message costs no memory.
 */
final class HeaderEdit {

    private static final int CR = '\r';
    private static final int LF = '\n';
    /** Longest field name read; a line without a colon this early is kept as it is. */
    private static final int MAX_NAME = 998;

    private HeaderEdit() {
    }

    static void copy(InputStream content, OutputStream out, FilterVerdict.Accept edit) throws IOException {
        Set<String> remove = edit.removeFields().stream().map(n -> n.toLowerCase(Locale.ROOT)).collect(Collectors.toSet());
        InputStream in = content instanceof BufferedInputStream ? content : new BufferedInputStream(content, 64 * 1024);
        boolean subjectSeen = false;
        boolean dropping = false;
        boolean added = false;
        boolean receivedSeen = false;
        while (true) {
            in.mark(2);
            int first = in.read();
            if (first < 0) {
                break; // no body, no empty line
            }
            if (first == CR || first == LF) {
                in.reset(); // the empty line ending the header section
                break;
            }
            if (first == ' ' || first == '\t') {
                // a continuation line belongs to the field before it
                if (!dropping) {
                    out.write(first);
                }
                copyLine(in, dropping ? OutputStream.nullOutputStream() : out);
                continue;
            }
            ByteArrayOutputStream name = new ByteArrayOutputStream();
            name.write(first);
            int b;
            while ((b = in.read()) >= 0 && b != ':' && b != CR && b != LF && name.size() < MAX_NAME) {
                name.write(b);
            }
            String fieldName = name.toString(StandardCharsets.ISO_8859_1).trim().toLowerCase(Locale.ROOT);
            if (!added && !(b == ':' && (fieldName.equals("return-path")
                    || fieldName.equals("received") && !receivedSeen))) {
                add(out, edit);
                added = true;
            }
            receivedSeen |= b == ':' && fieldName.equals("received");
            if (b == ':' && remove.contains(fieldName)) {
                dropping = true;
                copyLine(in, OutputStream.nullOutputStream());
                continue;
            }
            dropping = false;
            name.writeTo(out);
            if (b < 0) {
                break;
            }
            out.write(b);
            if (b == LF) {
                continue;
            }
            if (b == ':' && fieldName.equals("subject") && edit.subjectTag().isPresent() && !subjectSeen) {
                subjectSeen = true;
                out.write((" " + edit.subjectTag().get()).getBytes(StandardCharsets.UTF_8));
                in.mark(1);
                int next = in.read();
                if (next >= 0 && next != ' ' && next != '\t' && next != CR) {
                    out.write(' ');
                }
                in.reset();
            }
            copyLine(in, out);
        }
        if (!added) {
            add(out, edit);
        }
        if (!subjectSeen && edit.subjectTag().isPresent()) {
            out.write(("Subject: " + edit.subjectTag().get() + "\r\n").getBytes(StandardCharsets.UTF_8));
        }
        in.transferTo(out);
    }

    private static void add(OutputStream out, FilterVerdict.Accept edit) throws IOException {
        for (String field : edit.headerFields()) {
            out.write((field + "\r\n").getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Copies up to and including the next LF (or to the end). */
    private static void copyLine(InputStream in, OutputStream out) throws IOException {
        int b;
        while ((b = in.read()) >= 0) {
            out.write(b);
            if (b == LF) {
                return;
            }
        }
    }
}
