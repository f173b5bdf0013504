package io.kefu.bench;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Jlama's batch-1 decode rate for {@code kefu bench decode}. Jlama needs Java 21+, so it runs in a
 * forked JVM: the committed source-file program {@code io/kefu/bench/jlama/JlamaDecodeBench.java}, with
 * the Jlama jars that the bench build copies to {@code target/jlama} (or the folder named by the
 * system property {@code kefu.jlama.jars}) ahead of kefu's own class path. The JDK is the one named
 * by the system property {@code kefu.jlama.java} (a {@code java} executable), else the running one
 * if it is 21+, else the newest JDK 21+ installed beside the running one.
 */
final class JlamaBench {
    private static final String PROGRAM = "jlama/JlamaDecodeBench.java";
    private static final Pattern RESULT = Pattern.compile("(?m)^jlama threads=(\\d+) tokens_per_s=([0-9.]+)$");
    private static final long TIMEOUT_MINUTES = 15;

    /** What the forked Jlama measured, and the JDK it ran on. */
    record Result(int threads, double tokensPerSecond, Path java) {
    }

    private JlamaBench() {
    }

    /**
     * @param prompt the prompt's token ids
     * @param q4 whether Jlama quantizes the weights to its Q4 format as it loads them
     * @throws KefuException when no JDK 21+ or no Jlama jars are found (the message lists where it
     *     looked), or when Jlama fails (the message has the end of its output)
     */
    static Result measure(Path checkpoint, int[] prompt, int tokens, int repeats, boolean q4, Path workDir) {
        Path java = java21();
        Path jars = jarsDir();
        Path program = workDir.resolve("JlamaDecodeBench.java");
        try (InputStream in = JlamaBench.class.getResourceAsStream(PROGRAM)) {
            if (in == null) {
                throw new KefuException(ErrorCode.IO, "resource io/kefu/bench/" + PROGRAM + " is missing from the bench jar");
            }
            Files.copy(in, program);
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, program + ": cannot write the Jlama program: " + e.getMessage(), e);
        }
        List<String> cmd = List.of(java.toString(), "--add-modules", "jdk.incubator.vector", "--enable-preview",
                "--source", String.valueOf(javaVersion(java.getParent().getParent())),
                "-cp", jarsClassPath(jars) + File.pathSeparator + System.getProperty("java.class.path"),
                program.toString(), checkpoint.toString(),
                Arrays.stream(prompt).mapToObj(String::valueOf).collect(Collectors.joining(",")),
                String.valueOf(tokens), String.valueOf(repeats), q4 ? "Q4" : "F32");
        String output;
        int exit;
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new KefuException(ErrorCode.ENGINE_FAILURE, "Jlama (" + java + ") did not finish in " + TIMEOUT_MINUTES + " minutes");
            }
            exit = p.exitValue();
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, "cannot start " + java + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KefuException(ErrorCode.IO, "interrupted while Jlama ran", e);
        }
        Matcher m = RESULT.matcher(output);
        if (exit != 0 || !m.find()) {
            throw new KefuException(ErrorCode.ENGINE_FAILURE, "Jlama on " + java + " exited with " + exit + ": " + failure(output));
        }
        return new Result(Integer.parseInt(m.group(1)), Double.parseDouble(m.group(2)), java);
    }

    /** The exception and its root cause from a stack trace, else the last line of the output. */
    private static String failure(String output) {
        List<String> lines = output.strip().lines().map(String::strip).toList();
        List<String> causes = lines.stream().filter(l -> !l.startsWith("at ") && !l.startsWith("...")
                && (l.startsWith("Caused by: ") || l.matches("^(Exception in thread .*|[\\w.$]+(Exception|Error)\\b.*)"))).toList();
        if (causes.isEmpty()) {
            return lines.isEmpty() ? "no output" : lines.get(lines.size() - 1);
        }
        return causes.size() == 1 ? causes.get(0) : causes.get(0) + " / " + causes.get(causes.size() - 1);
    }

    /** The folder of Jlama jars: -Dkefu.jlama.jars, else {@code jlama} beside the bench jar (or classes folder). */
    private static Path jarsDir() {
        String configured = System.getProperty("kefu.jlama.jars");
        Path dir;
        if (configured != null) {
            dir = Path.of(configured);
        } else {
            try {
                dir = Path.of(JlamaBench.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getParent().resolve("jlama");
            } catch (URISyntaxException | SecurityException | NullPointerException e) {
                throw new KefuException(ErrorCode.IO, "cannot tell where kefu runs from, so where the Jlama jars are;"
                        + " set -Dkefu.jlama.jars=DIR", e);
            }
        }
        if (!Files.isRegularFile(dir.resolve("jlama-core-" + jlamaVersion(dir) + ".jar"))) {
            throw new KefuException(ErrorCode.ENGINE_UNAVAILABLE, "no jlama-core jar in " + dir
                    + " (the bench build copies it there at 'package'; or set -Dkefu.jlama.jars=DIR)");
        }
        return dir;
    }

    private static String jlamaVersion(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("jlama-core-") && n.endsWith(".jar"))
                    .map(n -> n.substring("jlama-core-".length(), n.length() - ".jar".length())).findFirst().orElse("?");
        } catch (IOException e) {
            return "?";
        }
    }

    private static String jarsClassPath(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".jar")).sorted().map(Path::toString)
                    .collect(Collectors.joining(File.pathSeparator));
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, dir + ": cannot list the Jlama jars: " + e.getMessage(), e);
        }
    }

    /** @return a java executable of a JDK 21 or newer; the exception says every place searched */
    static Path java21() {
        return java21(System.getProperty("kefu.jlama.java"), Path.of(System.getProperty("java.home")));
    }

    /**
     * @param configured the value of {@code kefu.jlama.java}, or null
     * @param home the running JDK's home
     */
    static Path java21(String configured, Path home) {
        if (configured != null) {
            Path java = Path.of(configured);
            int version = javaVersion(java.toAbsolutePath().getParent().getParent());
            if (!Files.isExecutable(java) || version < 21) {
                throw new KefuException(ErrorCode.ENGINE_UNAVAILABLE, "-Dkefu.jlama.java=" + configured
                        + ": Jlama needs the java executable of a JDK 21 or newer (found "
                        + (Files.isExecutable(java) ? "Java " + version : "no executable") + ")");
            }
            return java;
        }
        if (javaVersion(home) >= 21) {
            return home.resolve("bin/java");
        }
        Path jdks = jdksFolder(home);
        List<String> seen = new ArrayList<>();
        Optional<Path> found = Optional.empty();
        try (Stream<Path> s = Files.list(jdks)) {
            for (Path candidate : s.sorted(Comparator.comparing(Path::toString)).toList()) {
                int version = javaVersion(candidate);
                seen.add(candidate.getFileName() + (version > 0 ? " (Java " + version + ")" : " (no release file)"));
                if (version >= 21 && Files.isExecutable(candidate.resolve("bin/java"))
                        && found.map(f -> javaVersion(f) < version).orElse(true)) {
                    found = Optional.of(candidate);
                }
            }
        } catch (IOException e) {
            seen.add("cannot list: " + e.getMessage());
        }
        String searched = String.join(", ", seen);
        return found.map(jdk -> jdk.resolve("bin/java")).orElseThrow(() -> new KefuException(ErrorCode.ENGINE_UNAVAILABLE,
                "Jlama needs Java 21+; none found: -Dkefu.jlama.java is not set, java.home " + home + " is Java "
                        + javaVersion(home) + ", and " + jdks + " holds " + (searched.isEmpty() ? "nothing" : searched)
                        + "; install a JDK 21+ there or set -Dkefu.jlama.java=/path/to/bin/java"));
    }

    /** The folder that holds the running JDK, symbolic links resolved (e.g. /usr/lib/jvm). */
    private static Path jdksFolder(Path home) {
        try {
            return home.toRealPath().getParent();
        } catch (IOException e) {
            return home.getParent();
        }
    }

    /** The major version in a JDK's {@code release} file; 0 when there is none. */
    static int javaVersion(Path home) {
        try {
            for (String line : Files.readAllLines(home.resolve("release"))) {
                if (line.startsWith("JAVA_VERSION=")) {
                    String v = line.substring("JAVA_VERSION=".length()).replace("\"", "");
                    return Integer.parseInt(v.split("[.-]")[0]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }
}
