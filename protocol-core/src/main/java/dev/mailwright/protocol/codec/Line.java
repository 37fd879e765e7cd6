package dev.mailwright.protocol.codec;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * One unit of input from the {@link LineDecoder}: a well-formed line (without its CRLF), or the
 * reason why the bytes up to the next LF were not one. Protocols answer each non-{@link Kind#LINE}
 * with an error reply and carry on with the next line, except {@link Kind#TIMEOUT}, which ends
 * the connection.
 */
public record Line(Kind kind, byte[] bytes) {

    public enum Kind {
        /** A line ended by CRLF, with no NUL; {@link #bytes()} holds it without CRLF. */
        LINE,
        /** Longer than the limit; its bytes were discarded up to and including the next LF. */
        TOO_LONG,
        /** Ended by LF without CR before it (commands need strict CRLF). */
        BARE_LF,
        /** Contained a NUL octet. */
        NUL,
        /**
         * Did not end within the command-line deadline of its first octet ({@link LineDecoder}): the
         * client is trickling it. What was kept and what came with it are dropped; the protocol
         * answers with its timeout reply and closes the connection.
         */
        TIMEOUT
    }

    private static final byte[] EMPTY = new byte[0];

    public static Line of(byte[] bytes) {
        return new Line(Kind.LINE, bytes);
    }

    public static Line error(Kind kind) {
        return new Line(kind, EMPTY);
    }

    public boolean isLine() {
        return kind == Kind.LINE;
    }

    /** Whether every octet is 7-bit. */
    public boolean isAscii() {
        for (byte b : bytes) {
            if (b < 0) {
                return false;
            }
        }
        return true;
    }

    /** The line as US-ASCII; empty when it holds an 8-bit octet. */
    public Optional<String> ascii() {
        return isAscii() ? Optional.of(new String(bytes, StandardCharsets.US_ASCII)) : Optional.empty();
    }

    /** The line as UTF-8; empty when it is not well-formed UTF-8. */
    public Optional<String> utf8() {
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }
}
