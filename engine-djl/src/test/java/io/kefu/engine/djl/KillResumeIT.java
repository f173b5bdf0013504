package io.kefu.engine.djl;

import static org.assertj.core.api.Assertions.assertThat;

import io.kefu.runtime.format.FloatTensor;
import io.kefu.runtime.format.PeftAdapter;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A training process killed with SIGKILL right after a checkpoint and started again ends with an
 * adapter byte-identical to an uninterrupted run with the same seed, for a fresh adapter and for one
 * continued from a saved adapter.
 */
class KillResumeIT {
    @TempDir
    Path temp;

    private String base = "fp32";

    /** fp32, bf16 storage, and NF4 with gradient checkpointing ({@link TrainMain#BASE}). */
    @ParameterizedTest
    @ValueSource(strings = {"fp32", "bf16", "nf4"})
    void killedAndResumedRunEndsWithTheSameAdapterBytes(String base) throws Exception {
        Path model = TinyModels.qwen3(temp, "model", 9);
        this.base = base;
        killResumeAndCompare(model, null);
    }

    @Test
    void killedAndResumedRunContinuingAnAdapterEndsWithTheSameAdapterBytes() throws Exception {
        Path model = TinyModels.qwen3(temp, "model", 9);
        Path parent = randomParent(model);
        Path resumed = killResumeAndCompare(model, parent);
        // the run did start from the parent: PEFT's initialisation would have left lora_B near zero after 6 small steps
        float[] b = PeftAdapter.load(resumed).tensor(PeftAdapter.loraBName(1, "down_proj")).data();
        float[] parentB = PeftAdapter.load(parent).tensor(PeftAdapter.loraBName(1, "down_proj")).data();
        double diff = 0;
        for (int i = 0; i < b.length; i++) {
            diff = Math.max(diff, Math.abs(b[i] - parentB[i]));
        }
        assertThat(diff).as("largest change of a parent lora_B weight").isLessThan(0.05);
    }

    /** An adapter with {@link TrainMain#LORA}'s settings and random A and B for the tiny Qwen 3 model. */
    private Path randomParent(Path model) {
        SplittableRandom random = new SplittableRandom(21);
        Map<String, FloatTensor> tensors = new LinkedHashMap<>();
        Map<String, int[]> features = Map.of("q_proj", new int[] {64, 64}, "v_proj", new int[] {64, 32},
                "down_proj", new int[] {128, 64});
        for (int layer = 0; layer < 2; layer++) {
            for (String module : TrainMain.LORA.targets()) {
                int[] io = features.get(module);
                tensors.put(PeftAdapter.loraAName(layer, module), random(random, 4, io[0]));
                tensors.put(PeftAdapter.loraBName(layer, module), random(random, io[1], 4));
            }
        }
        Path dir = temp.resolve("parent-adapter");
        PeftAdapter.of(TrainMain.LORA, model.toString(), tensors).save(dir);
        return dir;
    }

    private static FloatTensor random(SplittableRandom random, int rows, int cols) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (random.nextDouble() - 0.5) * 0.4f;
        }
        return new FloatTensor(new long[] {rows, cols}, v);
    }

    /** @return the adapter of the killed and resumed run, after checking it equals the uninterrupted run's */
    private Path killResumeAndCompare(Path model, Path parent) throws Exception {
        Path clean = temp.resolve("clean-adapter");
        Process uninterrupted = start(model, temp.resolve("clean-run"), clean, 0, parent);
        List<String> cleanLines = drain(uninterrupted);
        assertThat(uninterrupted.waitFor(10, TimeUnit.MINUTES)).isTrue();
        assertThat(uninterrupted.exitValue()).as(String.join("\n", cleanLines)).isZero();

        Path resumed = temp.resolve("resumed-adapter");
        Path run = temp.resolve("killed-run");
        Process first = start(model, run, resumed, 60_000, parent);
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
        Process second = start(model, run, resumed, 0, parent);
        List<String> lines = drain(second);
        assertThat(second.waitFor(10, TimeUnit.MINUTES)).isTrue();
        assertThat(second.exitValue()).as(String.join("\n", lines)).isZero();
        assertThat(lines).doesNotContain("checkpoint 1", "checkpoint 2").contains("checkpoint 3", "done");

        assertThat(Files.readAllBytes(resumed.resolve("adapter_model.safetensors")))
                .isEqualTo(Files.readAllBytes(clean.resolve("adapter_model.safetensors")));
        assertThat(Files.readString(resumed.resolve("adapter_config.json")))
                .isEqualTo(Files.readString(clean.resolve("adapter_config.json")));
        return resumed;
    }

    private Process start(Path model, Path run, Path out, long pauseMs, Path parent) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx2g");
        cmd.add("-D" + TrainMain.BASE + "=" + base);
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
        if (parent != null) {
            cmd.add(parent.toString());
        }
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
