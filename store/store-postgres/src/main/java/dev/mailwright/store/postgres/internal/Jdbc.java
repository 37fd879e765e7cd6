package dev.mailwright.store.postgres.internal;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connections and transactions for the store: every unit of work runs on one pooled
 * connection, either as single auto-committed statements or as one transaction that is
 * rolled back on any failure and retried a few times on serialization failures and deadlocks.
 */
public final class Jdbc {

    private static final Logger LOG = LoggerFactory.getLogger(Jdbc.class);
    private static final int CONFLICT_ATTEMPTS = 4;

    /** Work on a connection. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private final DataSource dataSource;

    public Jdbc(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    public DataSource dataSource() {
        return dataSource;
    }

    /** Runs auto-committed statements on one connection. */
    public <T> T call(String what, Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw failure(e, what);
        }
    }

    /**
     * Runs {@code work} in one transaction; commits when it returns, rolls back when it throws.
     * A serialization failure or deadlock reruns the whole work, which must therefore have no
     * effect outside the database.
     */
    public <T> T inTransaction(String what, Work<T> work) {
        return retrying(what, work, true);
    }

    /**
     * Runs one auto-committed statement (atomic by itself), rerunning it after a
     * serialization failure or deadlock like {@link #inTransaction}.
     */
    public <T> T atomically(String what, Work<T> work) {
        return retrying(what, work, false);
    }

    private <T> T retrying(String what, Work<T> work, boolean transaction) {
        for (int attempt = 1; ; attempt++) {
            try (Connection c = dataSource.getConnection()) {
                if (!transaction) {
                    return work.run(c);
                }
                c.setAutoCommit(false);
                try {
                    T result = work.run(c);
                    c.commit();
                    return result;
                } catch (SQLException | RuntimeException | Error e) {
                    rollbackQuietly(c);
                    throw e;
                } finally {
                    resetQuietly(c);
                }
            } catch (SQLException e) {
                if (SqlErrors.isRetryableConflict(e) && attempt < CONFLICT_ATTEMPTS) {
                    LOG.debug("{}: conflict ({}), attempt {} rolled back, retrying", what, e.getSQLState(), attempt);
                    continue;
                }
                throw failure(e, what);
            }
        }
    }

    /**
     * A connection in a transaction that spans several calls (an import), for the caller to
     * commit or roll back and close; not retried on conflicts.
     */
    public Connection beginTransaction(String what) {
        Connection c = null;
        try {
            c = dataSource.getConnection();
            c.setAutoCommit(false);
            return c;
        } catch (SQLException e) {
            closeQuietly(c);
            throw failure(e, what);
        }
    }

    /** Rolls back and closes a connection from {@link #beginTransaction}, quietly: it may be broken already. */
    public static void rollbackAndClose(Connection c) {
        rollbackQuietly(c);
        resetQuietly(c);
        closeQuietly(c);
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                LOG.debug("could not close a connection", e);
            }
        }
    }

    /**
     * The store's exception for a JDBC failure. A lost connection, or one to a server that cannot
     * write (a standby after a failover), also retires the pool's other connections: they went
     * down with it, or lead to the same wrong server, and the pool replaces them (finding the
     * new primary through {@code targetServerType=primary} or the proxy). HikariCP itself
     * evicts only the one connection, and only for a lost one.
     */
    public RuntimeException failure(SQLException e, String what) {
        if ((SqlErrors.isConnectionLoss(e) || SqlErrors.isReadOnlyServer(e))
                && dataSource instanceof HikariDataSource pool && pool.getHikariPoolMXBean() != null) {
            pool.getHikariPoolMXBean().softEvictConnections();
        }
        return SqlErrors.map(e, what);
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException e) {
            LOG.debug("rollback failed; the connection is discarded", e);
        }
    }

    private static void resetQuietly(Connection c) {
        try {
            c.setAutoCommit(true);
        } catch (SQLException e) {
            LOG.debug("could not reset auto-commit", e);
        }
    }

    // ------------------------------------------------------------ parameter and column helpers

    public static void setInstant(PreparedStatement ps, int index, Instant instant) throws SQLException {
        if (instant == null) {
            ps.setNull(index, java.sql.Types.TIMESTAMP_WITH_TIMEZONE);
        } else {
            ps.setObject(index, OffsetDateTime.ofInstant(instant, ZoneOffset.UTC));
        }
    }

    public static Instant getInstant(ResultSet rs, String column) throws SQLException {
        OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
        return t == null ? null : t.toInstant();
    }

    public static Optional<Instant> optionalInstant(ResultSet rs, String column) throws SQLException {
        return Optional.ofNullable(getInstant(rs, column));
    }

    public static void setText(PreparedStatement ps, int index, Optional<String> text) throws SQLException {
        ps.setString(index, text.orElse(null));
    }

    public static Optional<String> optionalText(ResultSet rs, String column) throws SQLException {
        return Optional.ofNullable(rs.getString(column));
    }

    public static void setLong(PreparedStatement ps, int index, Long value) throws SQLException {
        if (value == null) {
            ps.setNull(index, java.sql.Types.BIGINT);
        } else {
            ps.setLong(index, value);
        }
    }
}
