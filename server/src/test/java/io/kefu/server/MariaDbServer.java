package io.kefu.server;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real MariaDB (Debian's {@code mariadb-server} package) in a temporary folder on a free loopback port, for the
 * tests: {@code mariadb-install-db} makes the data folder, {@code mariadbd} runs on it (as root with {@code --user=root}
 * when the tests run as root). The database user {@code root} has no password and connects over TCP from 127.0.0.1 only.
 */
final class MariaDbServer implements AutoCloseable {
    private static final Path SBIN = Path.of("/usr/sbin");

    private final Path dir;
    private final int port;
    private Process server;

    private MariaDbServer(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    static MariaDbServer start() throws Exception {
        Path install = program("mariadb-install-db");
        Path daemon = program("mariadbd");
        if (install == null || daemon == null) {
            throw new IllegalStateException("MariaDB is not installed (no mariadb-install-db and mariadbd on the PATH or in " + SBIN
                    + "): install the Debian package 'mariadb-server' (scripts/test-prerequisites.sh does it when run as root)");
        }
        Path dir = Files.createTempDirectory("kefu-mariadb");
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        MariaDbServer db = new MariaDbServer(dir, port);
        List<String> command = new ArrayList<>(List.of(install.toString(), "--no-defaults", "--datadir=" + dir.resolve("data"),
                "--auth-root-authentication-method=normal", "--skip-test-db"));
        if (root()) {
            command.add("--user=root");
        }
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("install.txt").toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", command) + " failed:\n" + Files.readString(dir.resolve("install.txt")));
        }
        db.startServer();
        return db;
    }

    /** @return a JDBC URL of {@code database} for the password-less root user */
    String jdbcUrl(String database) {
        return "jdbc:mariadb://127.0.0.1:" + port + "/" + database + "?user=root";
    }

    int port() {
        return port;
    }

    /** Runs statements as root, in the server's default database {@code mysql} unless they say otherwise. */
    void execute(String... statements) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:mariadb://127.0.0.1:" + port + "/mysql?user=root"); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
    }

    void startServer() throws Exception {
        List<String> command = new ArrayList<>(List.of(program("mariadbd").toString(), "--no-defaults", "--datadir=" + dir.resolve("data"),
                "--port=" + port, "--bind-address=127.0.0.1", "--socket=" + dir.resolve("mariadb.sock"), "--pid-file=" + dir.resolve("mariadb.pid"),
                "--skip-name-resolve", "--skip-log-bin", "--innodb-flush-log-at-trx-commit=0", "--log-error=" + dir.resolve("log.txt")));
        if (root()) {
            command.add("--user=root");
        }
        server = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dir.resolve("server.txt").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (true) {
            try {
                execute("SELECT 1");
                return;
            } catch (SQLException notYet) {
                if (!server.isAlive() || System.nanoTime() > deadline) {
                    server.destroyForcibly();
                    throw new IllegalStateException("mariadbd did not start:\n" + Files.readString(dir.resolve("server.txt"))
                            + (Files.exists(dir.resolve("log.txt")) ? Files.readString(dir.resolve("log.txt")) : ""), notYet);
                }
                Thread.sleep(200);
            }
        }
    }

    /** Stops the server (SIGTERM, waiting for it to end) as a database going away would. */
    void stopServer() throws Exception {
        if (server == null) {
            return;
        }
        server.destroy();
        if (!server.waitFor(60, TimeUnit.SECONDS)) {
            server.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        server = null;
    }

    /** Freezes the server as a stalled host or network would: SIGSTOP (connections stay open, nothing answers). */
    void pause() throws Exception {
        signal("-STOP");
    }

    /** Lets a {@linkplain #pause() paused} server run on: SIGCONT. */
    void resume() throws Exception {
        signal("-CONT");
    }

    private void signal(String signal) throws Exception {
        Process kill = new ProcessBuilder("kill", signal, String.valueOf(server.pid())).redirectErrorStream(true).start();
        String out = new String(kill.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!kill.waitFor(30, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill " + signal + " " + server.pid() + " failed: " + out);
        }
    }

    private static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** The program on the PATH, else in /usr/sbin (Debian keeps the server programs there); null when absent. */
    private static Path program(String name) {
        List<Path> candidates = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            for (String d : path.split(java.io.File.pathSeparator)) {
                if (!d.isEmpty()) {
                    candidates.add(Path.of(d));
                }
            }
        }
        candidates.add(SBIN);
        return candidates.stream().map(d -> d.resolve(name)).filter(Files::isExecutable).findFirst().orElse(null);
    }

    @Override
    public void close() throws Exception {
        stopServer();
        try (var files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> {
                try {
                    Files.deleteIfExists(f);
                } catch (IOException ignored) {
                    // best effort on a temp folder
                }
            });
        }
    }
}
