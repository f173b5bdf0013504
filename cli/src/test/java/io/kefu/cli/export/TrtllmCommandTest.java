package io.kefu.cli.export;

import static org.assertj.core.api.Assertions.assertThat;

import io.kefu.cli.Cli;
import io.kefu.cli.KefuCli;
import io.kefu.cli.Llama3Config;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kefu trtllm build-engine} prints the conversion, trtllm-build and copy commands. */
class TrtllmCommandTest {
    @TempDir
    Path dir;

    private Path checkpoint(String dtype) throws Exception {
        Path ckpt = Files.createDirectories(dir.resolve("merged"));
        Files.writeString(ckpt.resolve("config.json"), Llama3Config.LLAMA3_8B.replace("}", ",\"torch_dtype\":\"" + dtype + "\"}"));
        Files.writeString(ckpt.resolve("tokenizer.json"), "{}");
        Files.writeString(ckpt.resolve("tokenizer_config.json"), "{}");
        return ckpt;
    }

    @Test
    void printsTheBuildWithTheLoraPluginFlags() throws Exception {
        Path ckpt = checkpoint("bfloat16");
        Path out = dir.resolve("engine");
        Cli.Result r = Cli.run("trtllm", "build-engine", "--checkpoint", ckpt.toString(), "--output", out.toString(),
                "--lora-rank", "16", "--lora-targets", "q_proj,v_proj,gate_proj", "--max-batch-size", "4");
        assertThat(r.exitCode()).as(r.err()).isZero();
        String[] lines = r.out().split("\n");
        assertThat(lines[0]).isEqualTo("python3 -c 'import sys; from tensorrt_llm.models import LLaMAForCausalLM as M; "
                + "M.from_hugging_face(sys.argv[1], dtype=sys.argv[2]).save_checkpoint(sys.argv[3], save_config=True)' "
                + ckpt.toAbsolutePath() + " bfloat16 " + out.resolve("trtllm-checkpoint").toAbsolutePath());
        assertThat(lines[1]).isEqualTo("trtllm-build --checkpoint_dir " + out.resolve("trtllm-checkpoint").toAbsolutePath()
                + " --output_dir " + out.toAbsolutePath() + " --gemm_plugin bfloat16 --gpt_attention_plugin bfloat16"
                + " --remove_input_padding enable --paged_kv_cache enable --max_batch_size 4 --max_input_len 2048"
                + " --max_seq_len 4096 --lora_plugin bfloat16 --max_lora_rank 16 --lora_target_modules attn_q attn_v mlp_h_to_4h");
        assertThat(lines).contains("cp " + ckpt.resolve("tokenizer.json") + " " + out.resolve("tokenizer.json"));
        assertThat(lines).hasSize(4);
        assertThat(Files.exists(out)).as("printing writes nothing").isFalse();
    }

    @Test
    void pathsReachPythonAsArgumentsNeverAsCode() throws Exception {
        Path hostile = Files.createDirectories(dir.resolve("x'); import os; os.system('touch pwned'); ('"));
        Path ckpt = Files.createDirectories(hostile.resolve("merged"));
        Files.writeString(ckpt.resolve("config.json"), Llama3Config.LLAMA3_8B.replace("}", ",\"torch_dtype\":\"bfloat16\"}"));
        TrtllmBuildPlan plan = new TrtllmBuildPlan(ckpt, hostile.resolve("engine"), io.kefu.runtime.format.Architecture.LLAMA,
                "bfloat16", 1, 16, 32, 0, java.util.List.of());

        java.util.List<String> command = plan.convertCommand();

        assertThat(command.get(2)).doesNotContain(hostile.toString()).doesNotContain("os.system");
        assertThat(command.subList(3, 6)).containsExactly(ckpt.toAbsolutePath().toString(), "bfloat16",
                plan.convertedCheckpoint().toAbsolutePath().toString());
    }

    @Test
    void withoutALoraRankTheEngineHasNoLoraPlugin() throws Exception {
        Cli.Result r = Cli.run("trtllm", "build-engine", "--checkpoint", checkpoint("float16").toString(), "--output",
                dir.resolve("e").toString());
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("--gemm_plugin float16").doesNotContain("lora");
    }

    @Test
    void badOptionsAreUsageErrors() throws Exception {
        Path ckpt = checkpoint("float16");
        Cli.Result target = Cli.run("trtllm", "build-engine", "--checkpoint", ckpt.toString(), "--output", dir.resolve("e").toString(),
                "--lora-rank", "8", "--lora-targets", "q_proj,lm_head");
        assertThat(target.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(target.err()).contains("--lora-targets lm_head");
        Cli.Result lengths = Cli.run("trtllm", "build-engine", "--checkpoint", ckpt.toString(), "--output", dir.resolve("e").toString(),
                "--max-input-len", "4096", "--max-seq-len", "1024");
        assertThat(lengths.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(lengths.err()).contains("--max-seq-len 1024");
        Cli.Result missing = Cli.run("trtllm", "build-engine", "--checkpoint", dir.resolve("nope").toString(), "--output", "x");
        assertThat(missing.exitCode()).isNotZero();
        assertThat(missing.err()).contains("nope");
    }
}
