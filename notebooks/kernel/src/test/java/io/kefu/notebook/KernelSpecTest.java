package io.kefu.notebook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KernelSpecTest {
    @TempDir
    Path dir;

    @Test
    void kernelJsonRunsTheJarWithTheConnectionFileAndMessageInterrupts() {
        String json = KernelSpec.kernelJson(Path.of("/opt/jdk/bin/java"), Path.of("/k/kefu-kernel.jar"), Path.of("/src/ke\"fu"));

        assertThat(json).contains("\"argv\": [\"/opt/jdk/bin/java\", \"-Dfile.encoding=UTF-8\", \"-Djava.awt.headless=true\","
                        + " \"-Dkefu.home=/src/ke\\\"fu\", \"-jar\", \"/k/kefu-kernel.jar\", \"{connection_file}\"]")
                .contains("\"display_name\": \"Java (Kefu)\"")
                .contains("\"language\": \"java\"")
                .contains("\"interrupt_mode\": \"message\"");
    }

    @Test
    void installReplacesAnEarlierSpecAndCopiesTheJar() throws Exception {
        Path jar = Files.writeString(dir.resolve("kernel.jar"), "jar bytes");
        Path kernels = dir.resolve("kernels");
        Files.createDirectories(kernels.resolve("kefu-java"));
        Files.writeString(kernels.resolve("kefu-java/stale.txt"), "old");

        Path spec = KernelSpec.install(kernels, jar, Path.of("java"), null);

        assertThat(spec).isEqualTo(kernels.resolve("kefu-java"));
        assertThat(spec.resolve("kefu-kernel.jar")).hasContent("jar bytes");
        assertThat(spec.resolve("kernel.json")).content().doesNotContain("kefu.home");
        assertThat(spec.resolve("stale.txt")).doesNotExist();
        try (var left = Files.list(kernels)) {
            assertThat(left).containsExactly(spec); // no staging folder left behind
        }
    }

    @Test
    void aMissingJarIsReportedWithTheBuildCommand() {
        assertThatThrownBy(() -> KernelSpec.install(dir, dir.resolve("none.jar"), Path.of("java"), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("none.jar does not exist")
                .hasMessageContaining("./mvnw package");
    }
}
