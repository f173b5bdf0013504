package io.kefu.engine.djl;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds a JDK 21 or newer for test side-runs that need one (Jlama), wherever it is installed:
 * the {@code java} executable named by {@code -Dkefu.jlama.java}; else the newest JDK 21+ among
 * the home named by {@code -Dkefu.jdk21}, the running JDK, {@code JAVA_HOME}, the JDKs installed
 * beside the running one and {@code /usr/lib/jvm/*}.
 */
final class Jdk21 {
    private Jdk21() {
    }

    /** @return the {@code java} executable of a JDK 21+; throws saying what to install if there is none */
    static Path java() {
        String configured = System.getProperty("kefu.jlama.java");
        if (configured != null) {
            return Path.of(configured);
        }
        List<Path> homes = new ArrayList<>();
        Optional.ofNullable(System.getProperty("kefu.jdk21")).map(Path::of).ifPresent(homes::add);
        Path running = Path.of(System.getProperty("java.home"));
        homes.add(running);
        Optional.ofNullable(System.getenv("JAVA_HOME")).filter(h -> !h.isEmpty()).map(Path::of).ifPresent(homes::add);
        homes.addAll(children(realParent(running)));
        homes.addAll(children(Path.of("/usr/lib/jvm")));
        return find(homes).map(home -> home.resolve("bin").resolve("java")).orElseThrow(() -> new IllegalStateException(
                "Jlama needs Java 21+, and none was found among " + homes + ". Install a JDK 21 or newer (e.g. Eclipse "
                        + "Temurin 25 from https://adoptium.net) under /usr/lib/jvm, or pass -Dkefu.jdk21=/path/to/jdk "
                        + "or -Dkefu.jlama.java=/path/to/bin/java"));
    }

    /** @return the newest JDK 21+ among {@code homes} (earlier ones win a tie) */
    static Optional<Path> find(List<Path> homes) {
        return homes.stream()
                .filter(home -> version(home) >= 21 && Files.isExecutable(home.resolve("bin").resolve("java")))
                .max(Comparator.comparingInt(Jdk21::version).thenComparing(home -> -homes.indexOf(home)));
    }

    /** @return the feature version of the JDK at {@code home} (from its {@code release} file), 0 if none */
    static int version(Path home) {
        try {
            for (String line : Files.readAllLines(home.resolve("release"))) {
                if (line.startsWith("JAVA_VERSION=")) {
                    String v = line.substring("JAVA_VERSION=".length()).replace("\"", "");
                    if (v.startsWith("1.")) {
                        v = v.substring(2);
                    }
                    return Integer.parseInt(v.split("[.+_-]")[0]);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
        return 0;
    }

    private static Path realParent(Path home) {
        try {
            return home.toRealPath().getParent();
        } catch (IOException e) {
            return home.getParent();
        }
    }

    private static List<Path> children(Path dir) {
        if (dir == null || !Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
