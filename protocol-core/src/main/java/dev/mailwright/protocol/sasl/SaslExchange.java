package dev.mailwright.protocol.sasl;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * The text side of a SASL exchange as POP3 (RFC 5034) and SMTP (RFC 4954) carry it: base64
 * lines, {@code =} for an empty initial response, {@code *} to cancel.
 */
public final class SaslExchange {

    private static final Pattern BASE64 = Pattern.compile("([A-Za-z0-9+/]{4})*([A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?");

    private final SaslMechanism mechanism;
    private boolean done;

    public SaslExchange(SaslMechanism mechanism) {
        this.mechanism = mechanism;
    }

    public SaslMechanism mechanism() {
        return mechanism;
    }

    /** Starts the exchange; {@code initialResponse} is the AUTH command's argument after the mechanism, or null. */
    public SaslStep start(String initialResponse) {
        if (initialResponse == null) {
            return step(mechanism.evaluate(null));
        }
        if (initialResponse.equals("=")) {
            return step(mechanism.evaluate(new byte[0]));
        }
        return respond(initialResponse);
    }

    /** A continuation line from the client. */
    public SaslStep respond(String line) {
        if (done) {
            throw new IllegalStateException("exchange already over");
        }
        if (line.equals("*")) {
            return step(new SaslStep.Failure(SaslStep.Reason.CANCELLED, null));
        }
        byte[] decoded = decode(line);
        if (decoded == null) {
            return step(new SaslStep.Failure(SaslStep.Reason.MALFORMED, null));
        }
        return step(mechanism.evaluate(decoded));
    }

    private SaslStep step(SaslStep s) {
        done = !(s instanceof SaslStep.Challenge);
        return s;
    }

    public boolean isDone() {
        return done;
    }

    /** Strict base64 (padding required, no whitespace); null when malformed. */
    public static byte[] decode(String text) {
        if (!BASE64.matcher(text).matches()) {
            return null;
        }
        return Base64.getDecoder().decode(text);
    }

    public static String encode(byte[] data) {
        return Base64.getEncoder().encodeToString(data);
    }

    /** The challenge line text: base64, or empty for an empty challenge. */
    public static String challengeText(SaslStep.Challenge c) {
        return encode(c.data());
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
