package io.kefu.cli;

import io.kefu.model.Engines;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code kefu bench serve} on a tiny random-weight Llama with the real Llama 3 tokenizer. */
class BenchServeCommandIT {
    @TempDir
    Path dir;

    @Test
    void printsBatchedBesideOneAtATime() throws Exception {
        Path config = dir.resolve("config.json");
        Files.writeString(config, "{\"hidden_size\": 64, \"intermediate_size\": 128, \"num_hidden_layers\": 2, \"num_attention_heads\": 2,"
                + " \"num_key_value_heads\": 1, \"head_dim\": 32, \"vocab_size\": 128256, \"rms_norm_eps\": 1e-5, \"rope_theta\": 500000.0,"
                + " \"max_position_embeddings\": 2048, \"tie_word_embeddings\": true, \"torch_dtype\": \"float32\"}");
        Path model = dir.resolve("llama-tiny");
        Engines.get("djl").initCheckpoint("llama", config, Path.of(System.getProperty("kefu.tokenizers.dir"), "llama3"), model, 3);
        Cli.Result r = Cli.run("bench", "serve", "--model", model.toString(), "--concurrency", "1,4", "--requests", "2", "--tokens", "8");
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("one-at-a-time").contains("batched (<= 16)")
                .contains("concurrency 1: batched / one-at-a-time =").contains("concurrency 4: batched / one-at-a-time =");
        assertThat(r.out().lines().filter(l -> l.matches("^4 +batched.*"))).singleElement()
                .satisfies(l -> assertThat(l.split(" +")[4]).isEqualTo("8"));
        System.out.println(r.out());
    }
}
