package io.kefu.engine.djl;

import io.kefu.model.Engines;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Random-init checkpoints of the real architectures with the real tokenizers, for tests. */
public final class TinyModels {
    private TinyModels() {
    }

    /** @return the folder of a real tokenizer (llama3, llama3_1, qwen3) fetched for the tests */
    public static Path tokenizer(String name) {
        String dir = System.getProperty("kefu.tokenizers.dir");
        if (dir == null) {
            throw new IllegalStateException("system property kefu.tokenizers.dir is not set (the build sets it)");
        }
        return Path.of(dir, name);
    }

    /** A small config of an architecture whose vocabulary fits the tokenizer. */
    public static String config(String arch, int vocab) {
        return "{\"hidden_size\": 64, \"intermediate_size\": 128, \"num_hidden_layers\": 2, \"num_attention_heads\": 2,"
                + " \"num_key_value_heads\": 1, \"head_dim\": 32, \"vocab_size\": " + vocab + ", \"rms_norm_eps\": 1e-6,"
                + " \"rope_theta\": 1000000.0, \"max_position_embeddings\": 2048, \"tie_word_embeddings\": "
                + (arch.equals("llama") ? "false" : "true") + ", \"torch_dtype\": \"float32\"}";
    }

    /** Writes a random-init Qwen 3 model with the real Qwen 3 tokenizer into {@code dir/name}. */
    public static Path qwen3(Path dir, String name, long seed) {
        return create(dir, name, "qwen3", 151936, "qwen3", seed);
    }

    /** Writes a random-init model into {@code dir/name}. */
    public static Path create(Path dir, String name, String arch, int vocab, String tokenizer, long seed) {
        try {
            Path config = dir.resolve(name + "-config.json");
            Files.writeString(config, config(arch, vocab));
            Path out = dir.resolve(name);
            Engines.get("djl").initCheckpoint(arch, config, tokenizer(tokenizer), out, seed);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
