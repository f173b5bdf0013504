package io.kefu.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.kefu.model.Engines;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kefu bench train} on its smallest config with tiny steps: our engine (in a forked JVM per
 * mode) and Debian's PyTorch (scripts/bench/torch_train_bench.py) in the same command, LoRA and full
 * fine-tuning and a LoRA mode with a bf16 base and gradient checkpointing side by side, with the
 * speed-up rows and the decode table.
 */
class BenchTrainCommandIT {
    @Test
    void printsOursBesideTorchForEachModeSideBySide() {
        Bench.Result r = Bench.run("train", "--sizes", "20m", "--modes", "lora,full,lora+bf16+gc", "--steps", "1", "--seq", "16",
                "--batch", "1", "--threads", "1", "--device", "cpu",
                "--tokenizer", System.getProperty("kefu.tokenizers.dir") + "/llama3",
                "--torch-script", System.getProperty("kefu.repo.dir") + "/scripts/bench/torch_train_bench.py");
        assertThat(r.exitCode()).as(r.err()).isZero();
        String row = "\\s+1\\s+[0-9.]+\\s+[0-9]+\\s+[0-9.]+\\s+[0-9]+%\\s+(?:[0-9.]+\\s+)?([0-9]+)$";
        assertThat(r.out()).containsPattern("(?m)^\\s+20m\\s+17\\.4M\\s+17\\.4M\\s+lora\\s+djl" + row);
        assertThat(r.out()).containsPattern("(?m)^\\s+20m\\s+17\\.4M\\s+17\\.4M\\s+full\\s+torch \\S+" + row);
        assertThat(r.out()).containsPattern("(?m)^\\s+20m\\s+17\\.4M\\s+17\\.4M\\s+lora\\+bf16\\+gc\\s+djl" + row);
        // PyTorch trains each kind once: one lora row, one full row
        assertThat(Pattern.compile("(?m)^\\s+20m\\s+\\S+\\s+\\S+\\s+lora\\s+torch ").matcher(r.out()).results().count()).isEqualTo(1);
        assertThat(Pattern.compile("(?m)^\\s+speed-up\\s+[0-9.]+x").matcher(r.out()).results().count()).isEqualTo(3);
        assertThat(r.out()).containsPattern("(?m)^\\s+20m\\s+djl\\s+lora\\+bf16\\+gc\\s+8\\s+[0-9.]+$");
        assertThat(r.out()).contains("Goals: >= 1.5x torch");
        // each mode is measured in its own process, so each has a peak of its own
        Matcher lora = Pattern.compile("(?m)^\\s+20m\\s+17\\.4M\\s+17\\.4M\\s+lora\\s+djl" + row).matcher(r.out());
        assertThat(lora.find()).isTrue();
        assertThat(Long.parseLong(lora.group(1))).isPositive();
    }

    @Test
    void measuresTheModesOnAGivenCheckpoint(@TempDir Path temp) throws Exception {
        Path config = temp.resolve("config.json");
        Files.writeString(config, "{\"hidden_size\": 64, \"intermediate_size\": 128, \"num_hidden_layers\": 2,"
                + " \"num_attention_heads\": 4, \"num_key_value_heads\": 2, \"vocab_size\": 128256, \"rms_norm_eps\": 1e-5,"
                + " \"max_position_embeddings\": 512, \"tie_word_embeddings\": false, \"torch_dtype\": \"bfloat16\"}");
        Path model = temp.resolve("tiny-bf16");
        Engines.get("djl").initCheckpoint("llama", config, Path.of(System.getProperty("kefu.tokenizers.dir"), "llama3"), model, 3,
                Map.of("dtype", "bf16"));
        Bench.Result r = Bench.run("train", "--checkpoint", model.toString(), "--modes", "lora+fp32,lora+bf16+gc,lora+nf4+gc",
                "--steps", "2", "--seq", "24", "--batch", "1", "--threads", "1");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).doesNotContain("torch", "Decoding");
        Map<String, Double> losses = new java.util.HashMap<>();
        for (String mode : new String[] {"lora+fp32", "lora+bf16+gc", "lora+nf4+gc"}) {
            Matcher m = Pattern.compile("(?m)^\\s+tiny-bf16\\s+0\\.02B\\s+" + Pattern.quote(mode)
                    + "\\s+[0-9.]+\\s+[0-9.]+\\s+([0-9.]+)\\s+[0-9]+$").matcher(r.out());
            assertThat(m.find()).as(r.out()).isTrue();
            losses.put(mode, Double.parseDouble(m.group(1)));
        }
        // the checkpoint is bf16, so a bf16 base computes the fp32 run's values; nf4 is an approximation
        assertThat(losses.get("lora+bf16+gc")).isCloseTo(losses.get("lora+fp32"), within(1e-3));
        assertThat(losses.get("lora+nf4+gc")).isNotEqualTo(losses.get("lora+fp32"));
    }

    @Test
    void modesAndSizingFlagsAreCheckedBeforeAnythingRuns() {
        Bench.Result fullNf4 = Bench.run("train", "--sizes", "20m", "--modes", "lora,full+nf4");
        assertThat(fullNf4.exitCode()).isEqualTo(1); // kefu bench: 1 for every refused run
        assertThat(fullNf4.err()).contains("--modes full+nf4:", "quantization");
        Bench.Result unknown = Bench.run("train", "--sizes", "20m", "--modes", "lora+int8");
        assertThat(unknown.exitCode()).isEqualTo(1); // kefu bench: 1 for every refused run
        assertThat(unknown.err()).contains("--modes: 'int8' in 'lora+int8' is not a base dtype (auto, fp32, fp16, bf16), none, nf4 or gc");
        Bench.Result dtype = Bench.run("train", "--sizes", "20m", "--base-dtype", "fp8");
        assertThat(dtype.exitCode()).isEqualTo(1); // kefu bench: 1 for every refused run
        assertThat(dtype.err()).contains("--base-dtype fp8: expected one of auto, fp32, fp16, bf16");
        Bench.Result device = Bench.run("train", "--sizes", "20m", "--device", "tpu");
        assertThat(device.exitCode()).isEqualTo(1); // kefu bench: 1 for every refused run
        assertThat(device.err()).contains("device 'tpu' is not cpu, cuda, cuda:N or auto");
    }
}
