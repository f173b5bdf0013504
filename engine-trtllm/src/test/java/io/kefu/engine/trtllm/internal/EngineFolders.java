package io.kefu.engine.trtllm.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/** Writes engine folders: a config.json as trtllm-build writes it, plus a checkpoint's tokenizer files. */
public final class EngineFolders {
    private EngineFolders() {
    }

    /** Writes config.json for a small Llama-shaped engine built with the given LoRA settings. */
    public static void writeConfig(Path dir, int hidden, int heads, int kvHeads, int intermediate, int layers,
                                   int maxLoraRank, List<String> loraTargets) {
        String targets = String.join(", ", loraTargets.stream().map(t -> "\"" + t + "\"").toList());
        String json = """
                {
                  "version": "0.16.0",
                  "pretrained_config": {
                    "architecture": "LlamaForCausalLM", "dtype": "float16", "vocab_size": 128256,
                    "hidden_size": %d, "num_hidden_layers": %d, "num_attention_heads": %d,
                    "num_key_value_heads": %d, "head_size": %d, "intermediate_size": %d
                  },
                  "build_config": {
                    "max_batch_size": 8, "max_input_len": 1024, "max_seq_len": 2048,
                    "lora_config": {"max_lora_rank": %d, "lora_target_modules": [%s]},
                    "plugin_config": {"lora_plugin": %s}
                  }
                }
                """.formatted(hidden, layers, heads, kvHeads, hidden / heads, intermediate, maxLoraRank, targets,
                maxLoraRank > 0 ? "\"float16\"" : "null");
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("config.json"), json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Copies tokenizer.json and tokenizer_config.json of one of the real tokenizers (llama3, qwen3 ...). */
    public static void copyTokenizer(String name, Path dir) {
        Path source = Path.of(System.getProperty("kefu.tokenizers.dir"), name);
        try {
            for (String file : List.of("tokenizer.json", "tokenizer_config.json")) {
                Files.copy(source.resolve(file), dir.resolve(file), StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
