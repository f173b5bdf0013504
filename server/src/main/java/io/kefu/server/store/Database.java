package io.kefu.server.store;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Objects;

/**
 * The store database: an embedded H2 file by default, PostgreSQL when the JDBC URL says so
 * ({@code jdbc:postgresql://host:port/db?user=..&password=..}). Versioned migrations
 * ({@code db/migration/V*.sql}) run with Flyway on {@link #open(String)}. Connections are opened
 * per unit of work, so the server recovers by itself when the database comes back.
 */
public final class Database {
    private final String url;

    private Database(String url) {
        this.url = url;
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

    /**
     * Connects and migrates the schema to the latest version.
     *
     * @param jdbcUrl {@code jdbc:h2:...} or {@code jdbc:postgresql:...}
     * @throws KefuException {@link ErrorCode#INVALID_ARGUMENT} for another kind of URL,
     *     {@link StoreUnavailableException} when the database cannot be reached or migrated
     */
    public static Database open(String jdbcUrl) {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        String url = jdbcUrl;
        if (url.startsWith("jdbc:h2:")) {
            if (!url.toUpperCase(java.util.Locale.ROOT).contains("DB_CLOSE_DELAY")) {
                url = url + ";DB_CLOSE_DELAY=-1";
            }
        } else if (!url.startsWith("jdbc:postgresql:")) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--store " + jdbcUrl
                    + ": the store must be an H2 (jdbc:h2:...) or PostgreSQL (jdbc:postgresql://...) JDBC URL");
        }
        Database db = new Database(url);
        db.migrate();
        return db;
    }

    private void migrate() {
        try {
            Flyway.configure().dataSource(url, null, null).locations("classpath:db/migration").load().migrate();
        } catch (FlywayException e) {
            throw new StoreUnavailableException("migrating the schema of " + redacted(), e);
        }
    }

    /** @return a new connection; close it when done */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url);
    }

    /**
     * Closes an embedded H2 file database, which otherwise stays open for the life of the process
     * (it is opened with {@code DB_CLOSE_DELAY=-1}); other databases need nothing. Idempotent.
     */
    public void close() {
        if (!url.startsWith("jdbc:h2:file:")) {
            return;
        }
        try (Connection c = DriverManager.getConnection(url + ";IFEXISTS=TRUE"); var s = c.createStatement()) {
            s.execute("SHUTDOWN");
        } catch (SQLException e) {
            // already closed, or never created
        }
    }

    /** @return true when a connection can be opened and answers a query */
    public boolean healthy() {
        try (Connection c = connect(); var s = c.createStatement()) {
            s.execute("SELECT 1");
            return true;
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
