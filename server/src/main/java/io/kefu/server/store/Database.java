package io.kefu.server.store;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Objects;

/**
 * The store database: an embedded H2 file by default, PostgreSQL when the JDBC URL says so
 * ({@code jdbc:postgresql://host:port/db?user=..&password=..}). Versioned migrations
 * ({@code db/migration/V*.sql}) run with Flyway on {@link #open(String, Pool)}.
 *
 * <p>Connections come from a bounded HikariCP pool with timeouts, so a database that stalls (a network
 * partition, a paused server) costs a request at most the pool's timeout, never a thread parked forever:
 * waiting for a free connection is bounded by {@link Pool#timeout()}, and on PostgreSQL so are connecting,
 * every socket read and every statement ({@code connectTimeout}, {@code socketTimeout}, {@code statement_timeout}).
 * Failures surface as {@link StoreUnavailableException} (503), and the pool replaces broken connections by
 * itself, so the server recovers when the database comes back.
 */
public final class Database implements AutoCloseable {
    /**
     * How the connection pool is sized and how long it waits.
     *
     * @param size the most connections open at once (default {@value #DEFAULT_SIZE})
     * @param timeout the longest a request waits for a connection, and (PostgreSQL) for connecting, for one socket
     *     read or one statement (default 5 s); at least 1 s
     */
    public record Pool(int size, Duration timeout) {
        /** The default pool size. */
        public static final int DEFAULT_SIZE = 10;
        /** The default timeout. */
        public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);

        /** @throws KefuException {@link ErrorCode#INVALID_CONFIG} when the size is below 1 or the timeout below 1 s */
        public Pool {
            Objects.requireNonNull(timeout, "timeout");
            if (size < 1) {
                throw new KefuException(ErrorCode.INVALID_CONFIG, "store pool size must be at least 1, got " + size);
            }
            if (timeout.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new KefuException(ErrorCode.INVALID_CONFIG, "store timeout must be at least 1 s, got " + timeout.toMillis() + " ms");
            }
        }

        /** @return {@value #DEFAULT_SIZE} connections, 5 s timeout */
        public static Pool defaults() {
            return new Pool(DEFAULT_SIZE, DEFAULT_TIMEOUT);
        }
    }

    private final String url;
    private final Pool pool;
    private final HikariDataSource source;

    private Database(String url, Pool pool, HikariDataSource source) {
        this.url = url;
        this.pool = pool;
        this.source = source;
    }

    /**
     * @return where the store lives when none is named: {@code ~/.kefu/store}, outside the working folder, so that
     *     serving leaves no files where it was started
     */
    public static Path defaultDirectory() {
        return Path.of(System.getProperty("user.home"), ".kefu", "store");
    }

    /** @return the default store: an H2 file {@code shop.mv.db} in {@code directory} */
    public static String h2Url(Path directory) {
        return "jdbc:h2:file:" + directory.toAbsolutePath().resolve("shop");
    }

    /** Connects with the {@linkplain Pool#defaults() default pool} and migrates; see {@link #open(String, Pool)}. */
    public static Database open(String jdbcUrl) {
        return open(jdbcUrl, Pool.defaults());
    }

    /**
     * Connects and migrates the schema to the latest version.
     *
     * @param jdbcUrl {@code jdbc:h2:...} or {@code jdbc:postgresql:...}
     * @param pool the connection pool's size and timeout
     * @throws KefuException {@link ErrorCode#INVALID_ARGUMENT} for another kind of URL,
     *     {@link StoreUnavailableException} when the database cannot be reached or migrated
     */
    public static Database open(String jdbcUrl, Pool pool) {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        Objects.requireNonNull(pool, "pool");
        String url = jdbcUrl;
        HikariConfig hikari = new HikariConfig();
        if (url.startsWith("jdbc:h2:")) {
            if (!url.toUpperCase(java.util.Locale.ROOT).contains("DB_CLOSE_DELAY")) {
                url = url + ";DB_CLOSE_DELAY=-1";
            }
        } else if (url.startsWith("jdbc:postgresql:")) {
            long seconds = Math.max(1, pool.timeout().toSeconds());
            // socketTimeout also bounds the start-up exchange, so no loginTimeout (it costs a thread per connection)
            hikari.addDataSourceProperty("connectTimeout", String.valueOf(seconds));
            hikari.addDataSourceProperty("socketTimeout", String.valueOf(seconds));
            hikari.addDataSourceProperty("options", "-c statement_timeout=" + pool.timeout().toMillis());
        } else {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--store " + jdbcUrl
                    + ": the store must be an H2 (jdbc:h2:...) or PostgreSQL (jdbc:postgresql://...) JDBC URL");
        }
        hikari.setJdbcUrl(url);
        hikari.setPoolName("kefu-store");
        hikari.setMaximumPoolSize(pool.size());
        hikari.setMinimumIdle(Math.min(2, pool.size()));
        hikari.setConnectionTimeout(pool.timeout().toMillis());
        hikari.setValidationTimeout(Math.min(pool.timeout().toMillis(), 1000));
        // start even when the database is down; the first request then gets 503 and the pool keeps trying
        hikari.setInitializationFailTimeout(-1);
        Database db = new Database(url, pool, new HikariDataSource(hikari));
        try {
            db.migrate();
        } catch (RuntimeException e) {
            db.source.close();
            throw e;
        }
        return db;
    }

    private void migrate() {
        try {
            Flyway.configure().dataSource(source).locations("classpath:db/migration").load().migrate();
        } catch (FlywayException e) {
            throw new StoreUnavailableException("migrating the schema of " + redacted(), e);
        }
    }

    /** @return a connection from the pool, waiting at most the pool's timeout; close it when done */
    public Connection connect() throws SQLException {
        return source.getConnection();
    }

    /** @return true for PostgreSQL, false for H2 (the two speak different upsert dialects) */
    public boolean isPostgres() {
        return url.startsWith("jdbc:postgresql:");
    }

    /** @return the pool's settings */
    public Pool pool() {
        return pool;
    }

    /**
     * Closes the pool and an embedded H2 file database, which otherwise stays open for the life of the process
     * (it is opened with {@code DB_CLOSE_DELAY=-1}). Idempotent.
     */
    @Override
    public void close() {
        if (source.isClosed()) {
            return;
        }
        if (url.startsWith("jdbc:h2:file:")) {
            try (Connection c = source.getConnection(); var s = c.createStatement()) {
                s.execute("SHUTDOWN");
            } catch (SQLException e) {
                // already closed, or never created
            }
        }
        source.close();
    }

    /** @return true when a connection can be had and is valid ({@link Connection#isValid(int)}), within the pool's timeout */
    public boolean healthy() {
        try (Connection c = connect()) {
            return c.isValid((int) Math.max(1, pool.timeout().toSeconds()));
        } catch (SQLException e) {
            return false;
        }
    }

    /** @return which database this is (H2 or PostgreSQL) and where, without credentials */
    public String redacted() {
        int query = url.indexOf('?');
        return query >= 0 ? url.substring(0, query) : url.replaceAll("(?i)password=[^;]*", "password=***");
    }

    /** Runs work in one transaction. */
    public <T> T inTransaction(String what, SqlWork<T> work) {
        try (Connection c = connect()) {
            c.setAutoCommit(false);
            try {
                T out = work.run(c);
                c.commit();
                return out;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw new StoreUnavailableException(what, e);
        }
    }

    /** Runs work on one auto-commit connection. */
    public <T> T read(String what, SqlWork<T> work) {
        try (Connection c = connect()) {
            return work.run(c);
        } catch (SQLException e) {
            throw new StoreUnavailableException(what, e);
        }
    }

    /** A unit of work on a connection. */
    @FunctionalInterface
    public interface SqlWork<T> {
        /** Does the work. */
        T run(Connection connection) throws SQLException;
    }
}
