package io.kefu.notebook;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds a Kefu source tree built with {@code ./mvnw package} and lists its modules' jars with
 * their runtime classpath (written by the build to {@code cli/target/classpath.txt}).
 */
final class KefuHome {
    static final String CLASSPATH_FILE = "cli/target/classpath.txt";

    private KefuHome() {}

    /**
     * The Kefu tree: {@code explicit} if given, else {@code -Dkefu.home}, else {@code $KEFU_HOME},
     * else the nearest folder at or above the working directory that has {@value #CLASSPATH_FILE}.
     */
    static Path locate(String explicit) {
        for (String candidate : new String[] {explicit, System.getProperty("kefu.home"), System.getenv("KEFU_HOME")}) {
            if (candidate != null && !candidate.isBlank()) {
                return Path.of(candidate).toAbsolutePath().normalize();
            }
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve(CLASSPATH_FILE))) {
                return dir;
            }
        }
        throw new IllegalStateException("cannot find the Kefu tree: no " + CLASSPATH_FILE + " at or above "
                + Path.of("").toAbsolutePath() + "; pass it as '%kefu DIR', or set -Dkefu.home / KEFU_HOME");
    }

    /** The cli jar and its runtime classpath (every Kefu module and engine, and their libraries). */
    static List<Path> classpath(Path home) throws IOException {
        Path file = home.resolve(CLASSPATH_FILE);
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException(file + " does not exist: build Kefu first with"
                    + " './mvnw package -DskipTests' in " + home);
        }
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> jars = Files.newDirectoryStream(home.resolve("cli/target"), "cli-*.jar")) {
            for (Path jar : jars) {
                String name = jar.getFileName().toString();
                if (!name.endsWith("-sources.jar") && !name.endsWith("-tests.jar") && !name.endsWith("-javadoc.jar")) {
                    entries.add(jar);
                }
            }
        }
        for (String entry : Files.readString(file, StandardCharsets.UTF_8).strip().split(java.io.File.pathSeparator)) {
            if (entry.isBlank()) {
                continue;
            }
            Path path = Path.of(entry);
            if (path.getFileName().toString().startsWith("kefu-kernel")) {
                continue; // the kernel is already running
            }
            if (!Files.exists(path)) {
                throw new IllegalStateException(file + " lists " + path + ", which does not exist: rebuild Kefu with"
                        + " './mvnw package -DskipTests'");
            }
            entries.add(path);
        }
        return entries;
    }
}
