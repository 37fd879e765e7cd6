package dev.mailwright.store.postgres;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;
import javax.sql.ConnectionEvent;
import javax.sql.ConnectionEventListener;
import javax.sql.DataSource;
import javax.sql.PooledConnection;
import org.postgresql.ds.PGConnectionPoolDataSource;

/**
 * The data source of one short-lived process (an admin command): one physical connection,
 * opened on first use and handed out again for every unit of work, through pgjdbc's own
 * {@link PooledConnection} handles (closing a handle rolls back what it left open and keeps
 * the connection). No pool, no threads: a command does its work one step after another, and
 * each new connection costs a PostgreSQL backend and a SCRAM exchange. Work that asks for a
 * connection while its own is in use (Flyway, say) gets a second one, closed when handed back
 * while the first waits. A connection that fails fatally is dropped; the next request opens a
 * new one. {@link #close()} closes them.
 */
public final class OneConnectionDataSource implements DataSource, AutoCloseable {

    private final PGConnectionPoolDataSource source = new PGConnectionPoolDataSource();
    private final List<PooledConnection> open = new ArrayList<>(); // guarded by this
    private PooledConnection idle; // guarded by this
    private boolean closed; // guarded by this

    /**
     * @param jdbcUrl         {@code jdbc:postgresql://host:port/database}
     * @param applicationName what {@code pg_stat_activity} shows
     * @param socketTimeout   how long one wait for the database's answer may take, as the
     *                        server's pool has it ({@link PostgresMailStore.Settings}); zero: no
     *                        limit; a {@code socketTimeout} in the URL wins
     */
    public OneConnectionDataSource(String jdbcUrl, Optional<String> user, Optional<String> password,
                                   String applicationName, Duration socketTimeout) {
        source.setUrl(jdbcUrl);
        user.ifPresent(source::setUser);
        password.ifPresent(source::setPassword);
        source.setApplicationName(applicationName);
        source.setConnectTimeout(5);
        source.setLoginTimeout(10);
        if (!socketTimeout.isZero() && !jdbcUrl.contains("socketTimeout=")) {
            source.setSocketTimeout((int) Math.max(1, socketTimeout.toSeconds()));
        }
    }

    @Override
    public synchronized Connection getConnection() throws SQLException {
        if (closed) {
            throw new SQLException("data source closed", "08003");
        }
        PooledConnection connection = idle;
        idle = null;
        if (connection == null) {
            connection = source.getPooledConnection();
            open.add(connection);
            connection.addConnectionEventListener(new Returns(connection));
        }
        return connection.getConnection();
    }

    /** Puts a handed-back connection aside for the next request, or closes it when one is aside already. */
    private final class Returns implements ConnectionEventListener {
        private final PooledConnection connection;

        Returns(PooledConnection connection) {
            this.connection = connection;
        }

        @Override
        public void connectionClosed(ConnectionEvent event) {
            synchronized (OneConnectionDataSource.this) {
                if (idle == null && !closed) {
                    idle = connection;
                    return;
                }
            }
            discard(connection);
        }

        @Override
        public void connectionErrorOccurred(ConnectionEvent event) {
            discard(connection);
        }
    }

    private void discard(PooledConnection connection) {
        synchronized (this) {
            open.remove(connection);
            if (idle == connection) {
                idle = null;
            }
        }
        closeQuietly(connection);
    }

    private static void closeQuietly(PooledConnection connection) {
        try {
            connection.close();
        } catch (SQLException e) {
            // gone already
        }
    }

    /** How many physical connections are open (for tests). */
    synchronized int openConnections() {
        return open.size();
    }

    /** Closes every connection; handles still in use fail from now on. */
    @Override
    public void close() {
        List<PooledConnection> all;
        synchronized (this) {
            closed = true;
            idle = null;
            all = List.copyOf(open);
            open.clear();
        }
        all.forEach(OneConnectionDataSource::closeQuietly);
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("the credentials are the data source's");
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        // pgjdbc logs through java.util.logging
    }

    @Override
    public void setLoginTimeout(int seconds) {
        source.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() {
        return source.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        throw new SQLException("not a wrapper of " + iface.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }
}
