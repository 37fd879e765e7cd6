package dev.mailwright.store.internal;

import java.security.SecureRandom;

/** UIDLs and UID validity values, the same in every store. */
public final class Uidl {

    private static final SecureRandom RANDOM = new SecureRandom();

    private Uidl() {
    }

    /** A new UID validity for a mailbox: a re-created account never repeats an old account's UIDLs. */
    public static long newValidity() {
        return RANDOM.nextLong() & 0xffff_ffffL;
    }

    /** The UIDL of a message: validity and UID in hex, unique in the mailbox for as long as it exists. */
    public static String of(long validity, long uid) {
        return String.format("%08x%08x", validity, uid);
    }

    /** RFC 1939: 1 to 70 characters in 0x21..0x7E. */
    public static boolean isValid(String uidl) {
        if (uidl == null || uidl.isEmpty() || uidl.length() > 70) {
            return false;
        }
        return uidl.chars().allMatch(c -> c >= 0x21 && c <= 0x7e);
    }
}
