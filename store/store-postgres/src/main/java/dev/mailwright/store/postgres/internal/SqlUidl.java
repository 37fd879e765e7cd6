package dev.mailwright.store.postgres.internal;

/**
 * The UIDL of a delivered message as a SQL expression, written out in the statement that adds
 * the mailbox entry: the same string as {@link dev.mailwright.store.internal.Uidl#of}
 * (validity and uid in hex, each at least eight digits).
 *
 * <p>Written out rather than called as the {@code mailwright_uidl} SQL function of the first
 * schema: PostgreSQL cannot inline that function (its body is not strict, the function is), so
 * every call started the SQL-function executor, about 25 microseconds of database time on each
 * delivery; the expression costs next to nothing.
 */
final class SqlUidl {

    private SqlUidl() {
    }

    /**
     * @param validity a SQL expression for the mailbox's UID validity (a bigint)
     * @param uid a SQL expression for the message's UID (a bigint)
     */
    static String of(String validity, String uid) {
        return hex8(validity) + " || " + hex8(uid);
    }

    private static String hex8(String value) {
        String hex = "to_hex(" + value + ")";
        return "lpad(" + hex + ", greatest(8, length(" + hex + ")), '0')";
    }
}
