package dev.mailwright.smtp.api;

/**
 * What a command answers: a reply to send now, or {@link Deferred} when the reply comes later
 * (BDAT's comes after its chunk was read).
 */
public sealed interface SmtpResponse permits SmtpReply, SmtpResponse.Deferred {

    /** The reply follows later, from whoever reads what the command announced. */
    enum Deferred implements SmtpResponse {
        /** BDAT: the reply follows the chunk. */
        AFTER_CHUNK,
        /** The reply is held for a while (the throttle's delay after a login); no input is read meanwhile. */
        HELD
    }
}
