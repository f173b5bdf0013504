package io.kefu.server;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real PostgreSQL 15 (Debian's {@code postgresql} package) in a temporary folder on a free
 * loopback port, for the tests. PostgreSQL refuses to run as root, so under root it runs as the
 * {@code postgres} user the package creates.
 */
final class PostgresServer implements AutoCloseable {
    static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");

    private final Path dir;
    private final int port;

    private PostgresServer(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    static PostgresServer start() throws Exception {
        if (!Files.isExecutable(BIN.resolve("initdb")) || !Files.isExecutable(BIN.resolve("pg_ctl"))) {
            throw new IllegalStateException("PostgreSQL 15 is not installed (" + BIN + "/initdb missing): install the Debian package "
                    + "'postgresql' (scripts/test-prerequisites.sh does it when run as root)");
        }
        Path dir = Files.createTempDirectory("kefu-pg");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        PostgresServer pg = new PostgresServer(dir, port);
        pg.run(BIN.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-U", "kefu", "--auth=trust", "-E", "UTF8",
                "--locale=C", "-N");
        pg.startServer();
        return pg;
    }

    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=kefu";
    }

    void startServer() throws Exception {
        run(BIN.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-l", dir.resolve("log.txt").toString(), "-w",
                "-o", "-p " + port + " -h 127.0.0.1 -k " + dir + " -c fsync=off", "start");
    }

    void stopServer() throws Exception {
        run(BIN.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "fast", "-w", "stop");
    }

    private void run(String... command) throws Exception {
        List<String> full = new ArrayList<>();
        boolean root = "root".equals(System.getProperty("user.name"));
        if (root) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(List.of(command));
        Process p = new ProcessBuilder(full).redirectErrorStream(true).redirectOutput(dir.resolve("commands.txt").toFile()).start();
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", full) + " failed:\n" + Files.readString(dir.resolve("commands.txt"))
                    + (Files.exists(dir.resolve("log.txt")) ? Files.readString(dir.resolve("log.txt")) : ""));
        }
    }

    @Override
    public void close() throws Exception {
        try {
            stopServer();
        } catch (IllegalStateException alreadyStopped) {
            // stopped by the test
        }
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> {
                try {
                    Files.deleteIfExists(f);
                } catch (IOException ignored) {
                    // best effort on a temp folder
                }
            });
        }
    }
}
