package io.kefu.server.facts;

import java.sql.Connection;
import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.time.Duration;
import java.util.Deque;
import java.util.Properties;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The read-only connections to a shop's database, at most {@code size} open at once. Each question borrows one: an idle
 * one that still answers ({@link Connection#isValid}), else a new one opened right then. There is no background
 * reconnecting: a database that is down costs each question one connection attempt (bounded by the driver's timeouts),
 * and the first question after it is back is answered. A connection that saw an error is closed, never reused.
 */
final class ShopConnections implements AutoCloseable {
    private static final int VALIDATION_SECONDS = 1;

    private final String url;
    private final Properties properties;
    private final Driver driver;
    private final Duration timeout;
    private final int size;
    private final Semaphore permits;
    private final Deque<Connection> idle = new ConcurrentLinkedDeque<>();
    private volatile boolean closed;

    /**
     * @param properties the driver's properties: user, password and the driver's own timeouts
     * @throws SQLException when no driver on the class path takes {@code url}
     */
    ShopConnections(String url, Properties properties, Duration timeout, int size) throws SQLException {
        this.url = url;
        this.properties = properties;
        this.driver = DriverManager.getDriver(url);
        this.timeout = timeout;
        this.size = size;
        this.permits = new Semaphore(size, true);
    }

    /** A connection for one piece of work; closing the lease gives the connection back, or closes it if it broke. */
    Lease borrow() throws SQLException {
        if (closed) {
            throw new SQLException("the connections to " + url + " are closed");
        }
        try {
            if (!permits.tryAcquire(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new SQLTransientConnectionException("all " + size + " connections stayed busy for " + timeout.toSeconds() + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLTransientConnectionException("interrupted while waiting for a connection", e);
        }
        try {
            return new Lease(connection());
        } catch (SQLException | RuntimeException e) {
            permits.release();
            throw e;
        }
    }

    private Connection connection() throws SQLException {
        for (Connection c = idle.pollFirst(); c != null; c = idle.pollFirst()) {
            if (c.isValid(VALIDATION_SECONDS)) {
                return c;
            }
            closeQuietly(c);
        }
        Connection fresh = driver.connect(url, properties);
        if (fresh == null) {
            throw new SQLException("the driver " + driver.getClass().getName() + " does not take " + url);
        }
        try {
            fresh.setReadOnly(true);
            return fresh;
        } catch (SQLException | RuntimeException e) {
            closeQuietly(fresh);
            throw e;
        }
    }

    /** Closes the idle connections; a lease still out closes its connection when it ends. Idempotent. */
    @Override
    public void close() {
        closed = true;
        closeIdle();
    }

    private void closeIdle() {
        for (Connection c = idle.pollFirst(); c != null; c = idle.pollFirst()) {
            closeQuietly(c);
        }
    }

    private static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (SQLException | RuntimeException ignored) {
            // a broken connection may fail to close; it is dropped either way
        }
    }

    /** One borrowed connection. */
    final class Lease implements AutoCloseable {
        private final Connection connection;
        private boolean broken;
        private boolean returned;

        private Lease(Connection connection) {
            this.connection = connection;
        }

        Connection connection() {
            return connection;
        }

        /** Marks the connection as not to be reused (an error was seen on it). */
        void broken() {
            broken = true;
        }

        @Override
        public void close() {
            if (returned) {
                return;
            }
            returned = true;
            if (broken || closed) {
                closeQuietly(connection);
            } else {
                idle.addFirst(connection);
                if (closed) {
                    closeIdle();
                }
            }
            permits.release();
        }
    }
}
