package dev.mailwright.store.postgres.internal;

import dev.mailwright.store.AlreadyExistsException;
import dev.mailwright.store.InvalidInputException;
import dev.mailwright.store.StoreException;
import dev.mailwright.store.StoreUnavailableException;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;

/**
 * Turns JDBC failures into the store's exceptions: what may succeed later (no connection,
 * serialization failure, deadlock, timeout, shutdown, a read-only server during a failover)
 * becomes {@link StoreUnavailableException};
 * constraint violations become {@link AlreadyExistsException} or {@link InvalidInputException}.
 */
public final class SqlErrors {

    private SqlErrors() {
    }

    /** Whether the failure is worth retrying the whole transaction at once (conflict, not outage). */
    public static boolean isRetryableConflict(SQLException e) {
        String state = e.getSQLState();
        return "40001".equals(state) || "40P01".equals(state);
    }

    /** Whether the connection (and probably every pooled one) is gone: server down, restarted, network cut. */
    public static boolean isConnectionLoss(SQLException e) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        return state.startsWith("08") || state.startsWith("57P");
    }

    /**
     * Whether the connection leads to a server that cannot write ({@code 25006}
     * read_only_sql_transaction): a standby, or a primary demoted after a failover, reached
     * through a proxy or DNS name that has not caught up yet. The store never starts read-only
     * transactions itself, so the connection is the wrong one, and so are the others made the same way.
     */
    public static boolean isReadOnlyServer(SQLException e) {
        return "25006".equals(e.getSQLState());
    }

    public static StoreException map(SQLException e, String what) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (state.equals("23505")) {
            return new AlreadyExistsException(what + ": already exists");
        }
        if (state.equals("23503") || state.equals("23514") || state.equals("23502") || state.startsWith("22")) {
            return new InvalidInputException(what + ": refused by the database (" + state + ")");
        }
        if (isReadOnlyServer(e)) {
            return new StoreUnavailableException(what + ": database is read-only (" + describe(state)
                    + "), not the primary", e);
        }
        if (isTemporary(e, state)) {
            return new StoreUnavailableException(what + ": database unavailable (" + describe(state) + ")", e);
        }
        // Unknown failures are treated as temporary: mail is better deferred than bounced.
        return new StoreUnavailableException(what + ": database error (" + describe(state) + ")", e);
    }

    private static boolean isTemporary(SQLException e, String state) {
        return state.startsWith("08")                              // connection exception
                || state.equals("40001") || state.equals("40P01")  // serialization failure, deadlock
                || state.equals("57014")                           // query canceled (statement timeout)
                || state.startsWith("57P")                         // admin / crash shutdown, cannot connect now
                || state.startsWith("53")                          // insufficient resources (too many connections)
                || e instanceof SQLTransientException              // includes Hikari's connection timeout
                || e instanceof SQLRecoverableException;
    }

    private static String describe(String state) {
        return state.isEmpty() ? "no SQLSTATE" : "SQLSTATE " + state;
    }
}
