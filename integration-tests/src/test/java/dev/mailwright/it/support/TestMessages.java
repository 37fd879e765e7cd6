package dev.mailwright.it.support;

import static java.nio.charset.StandardCharsets.US_ASCII;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Messages that carry their own identity: an id and the SHA-256 of their body in header
 * fields, so whoever retrieves one can tell which it is and whether it arrived intact.
 * Bodies are CRLF text with lines that start with a dot (so dot-stuffing is exercised both ways).
 */
public final class TestMessages {

    private static final Pattern ID = Pattern.compile("^X-Test-Id: (\\S+)$", Pattern.MULTILINE);
    private static final Pattern HASH = Pattern.compile("^X-Test-Body-SHA256: ([0-9a-f]{64})$", Pattern.MULTILINE);

    private TestMessages() {
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static String sha256(String ascii) {
        return sha256(ascii.getBytes(US_ASCII));
    }

    /** A message of about {@code bodySize} octets of body, with {@code id} and the body's hash in its header. */
    public static String build(String id, String from, String to, int bodySize, Random random) {
        StringBuilder body = new StringBuilder(bodySize + 100);
        int line = 0;
        while (body.length() < bodySize) {
            if (line % 7 == 3) {
                body.append('.');
            }
            int len = 1 + random.nextInt(76);
            for (int i = 0; i < len; i++) {
                body.append((char) ('!' + random.nextInt(94)));
            }
            body.append("\r\n");
            line++;
        }
        String b = body.toString();
        return "From: <" + from + ">\r\n"
                + "To: <" + to + ">\r\n"
                + "Subject: test message " + id + "\r\n"
                + "Message-ID: <" + id + "@test.invalid>\r\n"
                + "X-Test-Id: " + id + "\r\n"
                + "X-Test-Body-SHA256: " + sha256(b) + "\r\n"
                + "\r\n"
                + b;
    }

    /** The message without the fields the server prepends at delivery (Return-Path, Received, Authentication-Results). */
    public static String withoutTrace(String retrieved) {
        int pos = 0;
        while (true) {
            if (retrieved.startsWith("Return-Path:", pos) || retrieved.startsWith("Received:", pos)
                    || retrieved.startsWith("Authentication-Results:", pos)) { // the MX's, since issue 23
                int end = retrieved.indexOf("\r\n", pos) + 2;
                while (end < retrieved.length() && (retrieved.charAt(end) == ' ' || retrieved.charAt(end) == '\t')) {
                    end = retrieved.indexOf("\r\n", end) + 2; // folded continuation
                }
                pos = end;
            } else {
                return retrieved.substring(pos);
            }
        }
    }

    /** What a retrieved message says about itself. */
    public record Identity(String id, boolean intact) {
    }

    /** The id of a retrieved message and whether its body still has the hash its header announces. */
    public static Identity identify(String retrieved) {
        Matcher id = ID.matcher(retrieved);
        Matcher hash = HASH.matcher(retrieved);
        if (!id.find() || !hash.find()) {
            return new Identity(null, false);
        }
        int bodyStart = retrieved.indexOf("\r\n\r\n");
        String body = bodyStart < 0 ? "" : retrieved.substring(bodyStart + 4);
        return new Identity(id.group(1), sha256(body).equals(hash.group(1)));
    }
}
