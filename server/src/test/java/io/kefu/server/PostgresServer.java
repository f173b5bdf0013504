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
 * A real PostgreSQL (Debian's {@code postgresql} package) in a temporary folder on a free
 * loopback port, for the tests. Its programs are found with {@code pg_config --bindir}, else in the newest
 * {@code /usr/lib/postgresql/<version>/bin}. PostgreSQL refuses to run as root, so under root it runs as the
 * {@code postgres} user the package creates.
 */
final class PostgresServer implements AutoCloseable {
    static final Path BIN = findBin();

    private static Path findBin() {
        try {
            Process p = new ProcessBuilder("pg_config", "--bindir").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
            if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 && Files.isExecutable(Path.of(out, "initdb"))) {
                return Path.of(out);
            }
        } catch (IOException e) {
            // no pg_config on the PATH: look where Debian installs the server
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Path versions = Path.of("/usr/lib/postgresql");
        if (Files.isDirectory(versions)) {
            try (var dirs = Files.list(versions)) {
                return dirs.map(d -> d.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
                        .max(java.util.Comparator.comparingInt(b -> majorVersion(b.getParent().getFileName().toString())))
                        .orElse(versions.resolve("bin"));
            } catch (IOException e) {
                return versions.resolve("bin");
            }
        }
        return versions.resolve("bin");
    }

    private static int majorVersion(String name) {
        try {
            return Integer.parseInt(name);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private final Path dir;
    private final int port;

    private PostgresServer(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    static PostgresServer start() throws Exception {
        if (!Files.isExecutable(BIN.resolve("initdb")) || !Files.isExecutable(BIN.resolve("pg_ctl"))) {
            throw new IllegalStateException("PostgreSQL is not installed (no initdb from pg_config --bindir or in " + BIN + "): install the Debian package "
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

    /** Freezes the server as a stalled host or network would: SIGSTOP to the postmaster and every backend. */
    void pause() throws Exception {
        signal("-STOP");
    }

    /** Lets a {@linkplain #pause() paused} server run on: SIGCONT to the same processes. */
    void resume() throws Exception {
        signal("-CONT");
    }

    private void signal(String signal) throws Exception {
        long postmaster = Long.parseLong(Files.readAllLines(dir.resolve("data/postmaster.pid")).get(0).strip());
        List<String> command = new ArrayList<>(List.of("kill", signal, String.valueOf(postmaster)));
        ProcessHandle.of(postmaster).orElseThrow().children().forEach(child -> command.add(String.valueOf(child.pid())));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
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
