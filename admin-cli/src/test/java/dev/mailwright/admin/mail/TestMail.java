package dev.mailwright.admin.mail;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Generated mail for the import and export tests: CRLF and bare-LF line ends (also mixed in
 * one message), lines of dots, lines that an mbox must quote ({@code From }, {@code >From }),
 * raw UTF-8 and 8-bit Latin-1 headers, RFC 2047 words, and some X-UIDL headers.
 */
public final class TestMail {

    public static final Instant BASE = Instant.parse("2025-06-01T08:00:00Z");
    private static final DateTimeFormatter RFC5322 = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss Z", Locale.ROOT);

    /** One generated message with what an importer should find in it. */
    public record Message(int index, byte[] content, String sender, Instant received, Optional<String> xUidl) {
    }

    private TestMail() {
    }

    public static List<Message> messages(int count) {
        List<Message> out = new ArrayList<>();
        for (int i = 0; i < count - 1; i++) {
            out.add(message(i));
        }
        // an exact copy of a message without X-UIDL: its content-derived UIDL must still be unique
        Message copy = out.get(2);
        out.add(new Message(count - 1, copy.content(), copy.sender(), out.get(count - 2).received().plusSeconds(3600),
                Optional.empty()));
        return out;
    }

    static Message message(int i) {
        String eol = i % 3 == 0 ? "\r\n" : "\n";
        String sender = "sender" + i + "@remote.test";
        Instant received = BASE.plusSeconds(i * 3600L + i);
        Optional<String> xUidl = i % 3 == 1 ? Optional.of("old-" + Integer.toHexString(i * 7919) + "." + i) : Optional.empty();
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        if (i % 2 == 0) {
            put(b, "Return-Path: <" + sender + ">" + eol);
        }
        put(b, switch (i % 4) {
            case 0 -> "From: =?UTF-8?Q?J=C3=B6rg_M=C3=BCller?= <" + sender + ">";
            case 1 -> "From: Jörg Müller <" + sender + ">";
            default -> "From: Sender " + i + " <" + sender + ">";
        } + eol);
        put(b, "To: ann@example.org" + eol);
        switch (i % 4) {
            case 0 -> put(b, "Subject: Grüße Nr. " + i + eol);
            case 1 -> put(b, "Subject: =?ISO-8859-1?Q?caf=E9?= " + i + eol);
            case 2 -> b.writeBytes(("Subject: caf\u00e9 8-bit " + i + eol).getBytes(ISO_8859_1));
            default -> put(b, "Subject: plain " + i + "\r\n\tfolded" + eol);
        }
        put(b, "Date: " + RFC5322.format(received.atOffset(ZoneOffset.ofHours(2))) + eol);
        put(b, "Message-ID: <" + i + "@remote.test>" + eol);
        xUidl.ifPresent(u -> put(b, "X-UIDL: " + u + eol));
        put(b, eol);
        put(b, "Hello " + i + eol);
        put(b, "." + eol);
        put(b, ".. two dots" + eol);
        put(b, "From the start of a line" + eol);
        put(b, ">From already quoted" + eol);
        put(b, ">>From quoted twice" + eol);
        put(b, eol);
        put(b, i % 3 == 0 ? "a bare LF in a CRLF message\n" : "a CRLF in an LF message\r\n");
        if (i % 7 == 0) {
            b.writeBytes(("8-bit body: \u00e4\u00f6\u00fc" + eol).getBytes(ISO_8859_1));
        }
        put(b, "x".repeat(i % 200) + eol);
        if (i % 10 == 5) {
            put(b, eol); // ends with an empty line
        }
        return new Message(i, b.toByteArray(), sender, received, xUidl);
    }

    private static void put(ByteArrayOutputStream b, String s) {
        b.writeBytes(s.getBytes(UTF_8));
    }

    /** The messages as an mboxrd file, the way {@link Mbox#write} writes them without an X-UIDL. */
    public static byte[] mbox(List<Message> messages) {
        return mbox(messages, null);
    }

    /**
     * The messages as an mboxrd file, the way {@code export mbox} writes them: with {@code uidls},
     * each message's UIDL as its first header line (ending as the message's first line does).
     */
    public static byte[] mbox(List<Message> messages, List<String> uidls) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < messages.size(); i++) {
            Message m = messages.get(i);
            put(out, "From " + m.sender() + " " + Mbox.FROM_LINE_DATE.format(m.received().atOffset(ZoneOffset.UTC)) + "\n");
            String[] lines = new String(m.content(), ISO_8859_1).split("(?<=\n)");
            if (uidls != null) {
                put(out, "X-UIDL: " + uidls.get(i) + (lines[0].endsWith("\r\n") ? "\r\n" : "\n"));
            }
            for (String l : lines) {
                if (l.replaceFirst("^>*", "").startsWith("From ")) {
                    out.write('>');
                }
                out.writeBytes(l.getBytes(ISO_8859_1));
            }
            out.write('\n');
        }
        return out.toByteArray();
    }

    /**
     * The messages as a Dovecot Maildir: the first {@code inUidlist} in dovecot-uidlist (every
     * fifth of them with an explicit P UIDL), a few in new/, the file mtimes the received dates.
     * Returns the UIDL Dovecot would serve for each, or empty where it would make one up.
     */
    public static List<Optional<String>> maildir(Path dir, List<Message> messages, int inUidlist, long validity)
            throws Exception {
        for (String sub : new String[] {"cur", "new", "tmp"}) {
            Files.createDirectories(dir.resolve(sub));
        }
        StringBuilder uidlist = new StringBuilder("3 V" + validity + " N" + (inUidlist + 1) + " G0123456789abcdef\n");
        List<Optional<String>> uidls = new ArrayList<>();
        for (Message m : messages) {
            int uid = m.index() + 1;
            String base = m.received().getEpochSecond() + ".M" + uid + "P4242.oldhost,S=" + m.content().length;
            boolean isNew = m.index() % 50 == 49;
            Path file = dir.resolve(isNew ? "new" : "cur").resolve(isNew ? base : base + ":2,S");
            Files.write(file, m.content());
            Files.setLastModifiedTime(file, FileTime.from(m.received()));
            if (m.index() < inUidlist) {
                if (m.index() % 5 == 0) {
                    String p = "migrated-" + uid;
                    uidlist.append(uid).append(" P").append(p).append(" W").append(m.content().length + 20).append(" :")
                            .append(base).append('\n');
                    uidls.add(Optional.of(p));
                } else {
                    uidlist.append(uid).append(" :").append(base).append('\n');
                    uidls.add(Optional.of(String.format("%08x%08x", uid, validity)));
                }
            } else {
                uidls.add(m.xUidl());
            }
        }
        Files.writeString(dir.resolve("dovecot-uidlist"), uidlist);
        return uidls;
    }
}
