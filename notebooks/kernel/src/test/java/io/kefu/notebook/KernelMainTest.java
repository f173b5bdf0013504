package io.kefu.notebook;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Starts the kernel's main class in a fresh JVM on connection files it must refuse. */
class KernelMainTest {
    @TempDir
    Path dir;

    @Test
    void refusesAnUnsignedRemoteConnectionWithExitCodeTwo() throws Exception {
        Path file = dir.resolve("kernel.json");
        Files.writeString(file, "{\"ip\": \"0.0.0.0\", \"transport\": \"tcp\", \"shell_port\": 1, \"iopub_port\": 2,"
                + " \"stdin_port\": 3, \"control_port\": 4, \"hb_port\": 5, \"signature_scheme\": \"hmac-sha256\","
                + " \"key\": \"\"}");
        ProcessBuilder builder = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"),
                KernelMain.class.getName(), file.toString()));
        builder.environment().remove(ConnectionPolicy.ALLOW_UNSIGNED_VARIABLE);
        builder.environment().remove(ConnectionPolicy.ALLOW_REMOTE_VARIABLE);
        Process process = builder.start();
        process.getOutputStream().close();
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(err).isEqualTo(2);
        assertThat(err).contains("refusing to start").contains("empty \"key\"").contains("not a loopback address");
    }
}
