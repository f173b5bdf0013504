package io.kefu.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

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
        String row = "\\s+1\\s+[0-9.]+\\s+[0-9]+\\s+[0-9.]+\\s+[0-9]+%\\s+([0-9]+)$";
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
