package io.kefu.bench;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * {@code kefu bench train} on its smallest config with tiny steps: our engine (in a forked JVM) and
 * Debian's PyTorch (scripts/bench/torch_train_bench.py) in the same command, LoRA and full
 * fine-tuning, with the speed-up rows and the decode table.
 */
class BenchTrainCommandIT {
    @Test
    void printsOursBesideTorchForLoraAndFullFineTuning() {
        Bench.Result r = Bench.run("train", "--sizes", "20m", "--modes", "lora,full", "--steps", "1", "--seq", "16",
                "--batch", "1", "--threads", "1",
                "--tokenizer", System.getProperty("kefu.tokenizers.dir") + "/llama3",
                "--torch-script", System.getProperty("kefu.repo.dir") + "/scripts/bench/torch_train_bench.py");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).containsPattern("(?m)^\\s+20m\\s+17\\.4M\\s+17\\.4M\\s+lora\\s+djl\\s+1\\s+[0-9.]+\\s+[0-9]+\\s+[0-9.]+\\s+[0-9]+%\\s+[0-9]+$");
        assertThat(r.out()).containsPattern("(?m)^\\s+20m\\s+17\\.4M\\s+17\\.4M\\s+full\\s+torch \\S+\\s+1\\s+[0-9.]+\\s+[0-9]+\\s+[0-9.]+\\s+[0-9]+%\\s+[0-9]+$");
        assertThat(r.out()).containsPattern("(?m)^\\s+speed-up\\s+[0-9.]+x");
        assertThat(r.out()).containsPattern("(?m)^\\s+20m\\s+djl\\s+8\\s+[0-9.]+$");
        assertThat(r.out()).contains("Goals: >= 1.5x torch");
    }
}
