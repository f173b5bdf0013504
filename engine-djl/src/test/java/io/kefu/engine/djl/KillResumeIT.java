package io.kefu.engine.djl;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A training process killed with SIGKILL right after a checkpoint and started again ends with an
 * adapter byte-identical to an uninterrupted run with the same seed.
 */
class KillResumeIT {
    @TempDir
    Path temp;

    @Test
    void killedAndResumedRunEndsWithTheSameAdapterBytes() throws Exception {
        Path model = TinyModels.qwen3(temp, "model", 9);
        Path clean = temp.resolve("clean-adapter");
        Process uninterrupted = start(model, temp.resolve("clean-run"), clean, 0);
        List<String> cleanLines = drain(uninterrupted);
        assertThat(uninterrupted.waitFor(10, TimeUnit.MINUTES)).isTrue();
        assertThat(uninterrupted.exitValue()).as(String.join("\n", cleanLines)).isZero();

        Path resumed = temp.resolve("resumed-adapter");
        Path run = temp.resolve("killed-run");
        Process first = start(model, run, resumed, 60_000);
        try (BufferedReader out = new BufferedReader(new InputStreamReader(first.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null && !line.equals("checkpoint 2")) {
                // wait for the second checkpoint; the process then pauses
            }
            assertThat(line).isEqualTo("checkpoint 2");
            assertThat(first.isAlive()).isTrue();
            first.destroyForcibly(); // SIGKILL
            first.waitFor(1, TimeUnit.MINUTES);
        }
        assertThat(first.exitValue()).isEqualTo(137);
        assertThat(resumed).doesNotExist();
        Process second = start(model, run, resumed, 0);
        List<String> lines = drain(second);
        assertThat(second.waitFor(10, TimeUnit.MINUTES)).isTrue();
        assertThat(second.exitValue()).as(String.join("\n", lines)).isZero();
        assertThat(lines).doesNotContain("checkpoint 1", "checkpoint 2").contains("checkpoint 3", "done");

        assertThat(Files.readAllBytes(resumed.resolve("adapter_model.safetensors")))
                .isEqualTo(Files.readAllBytes(clean.resolve("adapter_model.safetensors")));
        assertThat(Files.readString(resumed.resolve("adapter_config.json")))
                .isEqualTo(Files.readString(clean.resolve("adapter_config.json")));
    }

    private static Process start(Path model, Path run, Path out, long pauseMs) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx2g");
        for (String p : new String[] {"kefu.tokenizers.dir", "kefu.repo.dir", "kefu.djl.threads"}) {
            if (System.getProperty(p) != null) {
                cmd.add("-D" + p + "=" + System.getProperty(p));
            }
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(TrainMain.class.getName());
        cmd.add(model.toString());
        cmd.add(run.toString());
        cmd.add(out.toString());
        cmd.add("12");
        cmd.add(String.valueOf(pauseMs));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        return pb.start();
    }

    private static List<String> drain(Process p) throws IOException {
        List<String> lines = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                lines.add(line);
            }
        }
        return lines;
    }
}
