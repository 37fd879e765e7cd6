package dev.mailwright.admin.mail;

/**
 * How a scan turns what the old server left into UIDLs, and what it does on the way.
 *
 * @param uidlFormat the old server's {@code pop3_uidl_format}, applied to Dovecot's UIDs
 * @param reuseXuidl as Dovecot's {@code pop3_reuse_xuidl}: a message's {@code X-UIDL} header is its
 *                   UIDL unless a {@code P} field gives one (Dovecot's default: no)
 * @param bad        refuse the source at a bad message, or skip and report it
 * @param scanned    called after each message is scanned (progress)
 */
public record ScanOptions(UidlFormat uidlFormat, boolean reuseXuidl, BadMessages bad, Runnable scanned) {

    /** Dovecot's defaults, refusing bad messages, no progress. */
    public static ScanOptions defaults() {
        return new ScanOptions(UidlFormat.dovecotDefault(), false, BadMessages.refuse(), () -> { });
    }
}
