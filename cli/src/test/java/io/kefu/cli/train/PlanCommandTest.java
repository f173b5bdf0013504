package io.kefu.cli.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.kefu.cli.Cli;
import io.kefu.cli.KefuCli;
import io.kefu.cli.Llama3Config;
import io.kefu.runtime.format.HfModelConfig;
import io.kefu.runtime.memory.ByteSize;
import io.kefu.runtime.memory.TrainingMemory;
import io.kefu.runtime.memory.TrainingMemory.Setup;
import io.kefu.runtime.memory.TrainingMemory.Storage;
import io.kefu.train.LoraConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kefu plan} prints the planner's breakdown and what fits a budget. */
class PlanCommandTest {
    @TempDir
    Path dir;

    @Test
    void printsTheBreakdownOfTheArticlesSetup() throws Exception {
        Files.writeString(dir.resolve("config.json"), Llama3Config.LLAMA3_8B);
        Cli.Result r = Cli.run("plan", "--model", dir.toString(), "--base-dtype", "bf16", "--gradient-checkpointing",
                "--seq", "256", "--batch", "1", "--max-heap", "6GiB");
        assertThat(r.exitCode()).as(r.err()).isZero();
        HfModelConfig config = HfModelConfig.load(dir);
        Setup setup = new Setup(LoraConfig.builder().build(), Storage.BF16, true, 1, 256, 1);
        TrainingMemory.Estimate e = TrainingMemory.estimate(config, setup, 6L << 30);
        assertThat(r.out()).contains("LlamaForCausalLM, LoRA r=8 on q_proj,v_proj, bf16 base, gradient checkpointing, batch 1 x sequence 256")
                .containsPattern("base weights +14\\.96 GiB")
                .contains("predicted peak").contains(ByteSize.format(e.total()))
                .doesNotContain("fits");
    }

    @Test
    void saysWhatWouldFitABudget() throws Exception {
        Files.writeString(dir.resolve("config.json"), Llama3Config.LLAMA3_8B);
        Cli.Result tooBig = Cli.run("plan", "--model", dir.resolve("config.json").toString(), "--base-dtype", "fp32",
                "--seq", "256", "--batch", "1", "--memory", "24GiB");
        assertThat(tooBig.exitCode()).as(tooBig.err()).isZero();
        assertThat(tooBig.out()).contains("does not fit 24.00 GiB as set; these would:").contains("nf4 base, gradient checkpointing");

        Cli.Result fits = Cli.run("plan", "--model", dir.toString(), "--quantize", "nf4", "--gradient-checkpointing",
                "--seq", "256", "--batch", "1", "--memory", "24GiB");
        assertThat(fits.out()).containsPattern("fits 24\\.00 GiB\\. Largest batch at sequence 256: \\d+; longest sequence at batch 1: \\d+");

        Cli.Result none = Cli.run("plan", "--model", dir.toString(), "--memory", "2GiB");
        assertThat(none.out()).contains("does not fit 2.00 GiB at batch 4 x sequence 512, even with nf4 and gradient checkpointing");
    }

    @Test
    void badValuesAreUsageErrors() throws Exception {
        Files.writeString(dir.resolve("config.json"), Llama3Config.LLAMA3_8B);
        Cli.Result q = Cli.run("plan", "--model", dir.toString(), "--quantize", "int3");
        assertThat(q.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(q.err()).contains("--quantize int3: expected none or nf4");
        Cli.Result m = Cli.run("plan", "--model", dir.toString(), "--memory", "lots");
        assertThat(m.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(m.err()).contains("--memory lots");
        Cli.Result full = Cli.run("plan", "--model", dir.toString(), "--full", "--quantize", "nf4");
        assertThat(full.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(full.err()).contains("full fine-tuning");
    }
}
