package io.kefu.notebook;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Writes the Jupyter kernelspec of the Kefu kernel: a folder {@value #NAME} holding
 * {@code kernel.json} and a copy of the kernel jar, found by Jupyter Notebook, JupyterLab and
 * VS Code in any of Jupyter's {@code kernels} folders. Uses the JDK only, so the command line
 * can call it without the kernel's libraries.
 */
public final class KernelSpec {
    /** The kernel's name in Jupyter ({@code jupyter kernelspec list}, notebook metadata). */
    public static final String NAME = "kefu-java";
    /** The name shown in the kernel pickers. */
    public static final String DISPLAY_NAME = "Java (Kefu)";
    static final String JAR_NAME = "kefu-kernel.jar";

    private KernelSpec() {}

    /**
     * Installs the kernelspec into {@code kernelsDir/kefu-java}, replacing an earlier one.
     *
     * @param kernelsDir a Jupyter {@code kernels} folder (created if missing)
     * @param kernelJar  the shaded kernel jar to copy
     * @param java       the {@code java} executable the kernel runs with
     * @param kefuHome   the Kefu tree {@code %kefu} loads from, or {@code null} to search from the
     *                   notebook's folder
     * @return the kernelspec folder
     */
    public static Path install(Path kernelsDir, Path kernelJar, Path java, Path kefuHome) {
        if (!Files.isRegularFile(kernelJar) || !kernelJar.getFileName().toString().endsWith(".jar")) {
            throw new IllegalArgumentException("the kernel jar " + kernelJar + " does not exist: build it with"
                    + " './mvnw package -DskipTests -pl notebooks/kernel -am'");
        }
        Path target = kernelsDir.resolve(NAME);
        try {
            Files.createDirectories(kernelsDir);
            Path staging = Files.createTempDirectory(kernelsDir, "." + NAME + "-");
            try {
                Files.copy(kernelJar, staging.resolve(JAR_NAME), StandardCopyOption.REPLACE_EXISTING);
                String json = kernelJson(java, target.resolve(JAR_NAME), kefuHome);
                Files.writeString(staging.resolve("kernel.json"), json, StandardCharsets.UTF_8);
                if (Files.exists(target)) {
                    deleteTree(target);
                }
                Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
                return target;
            } finally {
                if (Files.exists(staging)) {
                    deleteTree(staging);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the kernelspec to " + target + ": " + e.getMessage(), e);
        }
    }

    /** The {@code kernel.json} text: interrupts arrive as messages, so a cell is stopped, not the JVM. */
    public static String kernelJson(Path java, Path jar, Path kefuHome) {
        List<String> argv = new ArrayList<>();
        argv.add(java.toString());
        argv.add("-Dfile.encoding=UTF-8");
        argv.add("-Djava.awt.headless=true");
        if (kefuHome != null) {
            argv.add("-Dkefu.home=" + kefuHome);
        }
        argv.add("-jar");
        argv.add(jar.toString());
        argv.add("{connection_file}");
        StringBuilder json = new StringBuilder("{\n  \"argv\": [");
        for (int i = 0; i < argv.size(); i++) {
            json.append(i == 0 ? "" : ", ").append(quote(argv.get(i)));
        }
        json.append("],\n");
        json.append("  \"display_name\": ").append(quote(DISPLAY_NAME)).append(",\n");
        json.append("  \"language\": \"java\",\n");
        json.append("  \"interrupt_mode\": \"message\",\n");
        json.append("  \"metadata\": {\"debugger\": false}\n}\n");
        return json.toString();
    }

    /** The jar this class was loaded from (the shaded kernel jar once built). */
    public static Path runningJar() {
        try {
            Path location = Path.of(KernelSpec.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (!Files.isRegularFile(location)) {
                throw new IllegalStateException("the kernel is loaded from " + location + ", not from its jar: build it"
                        + " with './mvnw package -DskipTests -pl notebooks/kernel -am'");
            }
            return location;
        } catch (URISyntaxException e) {
            throw new IllegalStateException("cannot tell where the kernel jar is: " + e.getMessage(), e);
        }
    }

    /** Jupyter's per-user kernels folder ({@code $JUPYTER_DATA_DIR/kernels} if that is set). */
    public static Path userKernelsDir() {
        String dataDir = System.getenv("JUPYTER_DATA_DIR");
        if (dataDir != null && !dataDir.isBlank()) {
            return Path.of(dataDir, "kernels");
        }
        String os = System.getProperty("os.name").toLowerCase(java.util.Locale.ROOT);
        Path home = Path.of(System.getProperty("user.home"));
        if (os.contains("mac")) {
            return home.resolve("Library/Jupyter/kernels");
        }
        if (os.contains("win")) {
            String appData = System.getenv("APPDATA");
            return Path.of(appData != null ? appData : home.toString(), "jupyter", "kernels");
        }
        String xdg = System.getenv("XDG_DATA_HOME");
        Path data = xdg != null && !xdg.isBlank() ? Path.of(xdg) : home.resolve(".local/share");
        return data.resolve("jupyter/kernels");
    }

    /** The kernels folder under an installation prefix, as {@code jupyter kernelspec install --prefix}. */
    public static Path prefixKernelsDir(Path prefix) {
        return prefix.resolve("share/jupyter/kernels");
    }

    static String quote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
