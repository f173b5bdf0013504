package io.kefu.server;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real PostgreSQL (Debian's {@code postgresql} package, any version) in a temporary folder on a
 * free loopback port, for the tests. PostgreSQL refuses to run as root, so under root it runs as
 * the {@code postgres} user the package creates.
 */
final class PostgresServer implements AutoCloseable {
    /** Where PostgreSQL's server programs are: see {@link #findBin}. */
    static final Path BIN = findBin(pgConfigBindir(), System.getenv("PATH"), Path.of("/usr/lib/postgresql"));

    private final Path dir;
    private final int port;

    private PostgresServer(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    static PostgresServer start() throws Exception {
        if (!Files.isExecutable(BIN.resolve("initdb")) || !Files.isExecutable(BIN.resolve("pg_ctl"))) {
            throw new IllegalStateException("PostgreSQL is not installed (no initdb and pg_ctl in " + BIN
                    + "): install the Debian package 'postgresql' (scripts/test-prerequisites.sh does it when run as root)");
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

    /**
     * The folder with {@code initdb} and {@code pg_ctl}: the one {@code pg_config --bindir} names,
     * else one on the {@code PATH}, else the newest {@code <debianRoot>/<version>/bin} (Debian keeps
     * the server programs off the PATH there). A folder without them if there is none.
     */
    static Path findBin(Path pgConfigBindir, String path, Path debianRoot) {
        List<Path> candidates = new ArrayList<>();
        if (pgConfigBindir != null) {
            candidates.add(pgConfigBindir);
        }
        if (path != null) {
            for (String dir : path.split(java.io.File.pathSeparator)) {
                if (!dir.isEmpty()) {
                    candidates.add(Path.of(dir));
                }
            }
        }
        if (Files.isDirectory(debianRoot)) {
            try (var versions = Files.list(debianRoot)) {
                versions.filter(v -> v.getFileName().toString().matches("\\d+"))
                        .sorted(Comparator.comparingInt((Path v) -> Integer.parseInt(v.getFileName().toString())).reversed())
                        .forEach(v -> candidates.add(v.resolve("bin")));
            } catch (IOException e) {
                // unreadable: nothing found there
            }
        }
        return candidates.stream()
                .filter(dir -> Files.isExecutable(dir.resolve("initdb")) && Files.isExecutable(dir.resolve("pg_ctl")))
                .findFirst()
                .orElse(debianRoot.resolve("<version>").resolve("bin"));
    }

    /** What {@code pg_config --bindir} prints, or null without a working pg_config. */
    private static Path pgConfigBindir() {
        try {
            Process p = new ProcessBuilder("pg_config", "--bindir").redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes()).strip();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0 && !out.isEmpty() ? Path.of(out) : null;
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
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
