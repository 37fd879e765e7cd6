package dev.mailwright.admin.mail;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.Optional;

/**
 * One message found in an mbox or a Maildir, checked and ready to be stored.
 *
 * @param where    where it is, for error messages ({@code message 12 (line 345)}, a file name)
 * @param uidl     the UIDL the previous server gave it, if known
 * @param sender   the envelope sender (From_ line, Return-Path), if known
 * @param received when the previous server received it
 * @param digest   SHA-256 of the content (hex); names a message that has no UIDL of its own
 * @param content  opens the exact stored content (mbox escaping undone)
 */
public record SourceMessage(String where, Optional<String> uidl, Optional<String> sender, Instant received,
                            String digest, Content content) {

    /** A message's content, read from the source again each time it is opened. */
    @FunctionalInterface
    public interface Content {
        /** A stream over the content from its start; the caller closes it. */
        InputStream open() throws IOException;
    }

    /** RFC 1939: a UIDL is 1 to 70 characters in 0x21..0x7E. */
    public static boolean isValidUidl(String uidl) {
        return uidl != null && !uidl.isEmpty() && uidl.length() <= 70 && uidl.chars().allMatch(c -> c >= 0x21 && c <= 0x7e);
    }
}
