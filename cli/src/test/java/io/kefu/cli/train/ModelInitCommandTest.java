package io.kefu.cli.train;

import static org.assertj.core.api.Assertions.assertThat;

import io.kefu.cli.Cli;
import io.kefu.runtime.format.Checkpoint;
import io.kefu.runtime.format.Dtype;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kefu model init --dtype --max-shard-size}: a 16-bit checkpoint sharded as the hub shards. */
class ModelInitCommandTest {
    @TempDir
    Path dir;

    @Test
    void writesABf16CheckpointInHubShards() throws Exception {
        Path config = dir.resolve("config.json");
        Files.writeString(config, "{\"hidden_size\": 64, \"intermediate_size\": 128, \"num_hidden_layers\": 2,"
                + " \"num_attention_heads\": 2, \"num_key_value_heads\": 1, \"head_dim\": 32, \"vocab_size\": 128256,"
                + " \"tie_word_embeddings\": false, \"torch_dtype\": \"float32\"}");
        Path out = dir.resolve("bf16");
        Cli.Result init = Cli.run("model", "init", "--arch", "llama", "--config", config.toString(), "--tokenizer",
                Path.of(System.getProperty("kefu.tokenizers.dir"), "llama3").toString(), "--out", out.toString(),
                "--dtype", "bf16", "--max-shard-size", "16MB");
        assertThat(init.exitCode()).as(init.err()).isZero();
        assertThat(out.resolve("model-00001-of-00003.safetensors")).exists();
        assertThat(out.resolve("model.safetensors.index.json")).content().contains("\"total_size\"");
        try (Checkpoint c = Checkpoint.open(out)) {
            c.validateLayout();
            assertThat(c.config().torchDtype()).contains(Dtype.BF16);
            assertThat(c.tensorSpecs()).allSatisfy(s -> assertThat(s.dtype()).isEqualTo(Dtype.BF16));
        }

        Cli.Result bad = Cli.run("model", "init", "--arch", "llama", "--config", config.toString(), "--tokenizer",
                dir.toString(), "--out", dir.resolve("x").toString(), "--max-shard-size", "big");
        assertThat(bad.exitCode()).isEqualTo(2);
        assertThat(bad.err()).contains("--max-shard-size big");
        assertThat(dir.resolve("x")).doesNotExist();
    }
}
