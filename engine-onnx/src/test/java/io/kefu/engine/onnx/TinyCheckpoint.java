package io.kefu.engine.onnx;

import io.kefu.engine.onnx.export.ExportOptions;
import io.kefu.engine.onnx.export.OnnxExporter;
import io.kefu.runtime.format.CheckpointWriter;
import io.kefu.runtime.format.DecoderLayout;
import io.kefu.runtime.format.Dtype;
import io.kefu.runtime.format.HfModelConfig;
import io.kefu.runtime.format.TensorSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/** Writes a tiny random-weight checkpoint with a real tokenizer, for chat tests. */
final class TinyCheckpoint {
    private TinyCheckpoint() {
    }

    static Path tokenizers() {
        String dir = System.getProperty("kefu.tokenizers.dir");
        if (dir == null) {
            throw new IllegalStateException("system property kefu.tokenizers.dir is not set (the build sets it)");
        }
        return Path.of(dir);
    }

    /** A one-layer model of {@code arch} with the tokenizer {@code tokenizer} (llama3, qwen3 ...). */
    static Path write(Path dir, String arch, String tokenizer, long seed) {
        try {
            Files.createDirectories(dir);
            Path tok = tokenizers().resolve(tokenizer);
            Files.copy(tok.resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
            Files.copy(tok.resolve("tokenizer_config.json"), dir.resolve("tokenizer_config.json"));
            int vocab = vocabSize(tok);
            String className = switch (arch) {
                case "llama" -> "LlamaForCausalLM";
                case "qwen2" -> "Qwen2ForCausalLM";
                default -> "Qwen3ForCausalLM";
            };
            String json = "{\"architectures\": [\"" + className + "\"], \"model_type\": \"" + arch + "\","
                    + " \"hidden_size\": 64, \"intermediate_size\": 96, \"num_hidden_layers\": 1,"
                    + " \"num_attention_heads\": 2, \"num_key_value_heads\": 1, \"head_dim\": 32, \"vocab_size\": " + vocab + ","
                    + " \"max_position_embeddings\": 512, \"tie_word_embeddings\": true, \"rms_norm_eps\": 1e-6,"
                    + " \"torch_dtype\": \"float32\"}";
            Files.writeString(dir.resolve("config.json"), json);
            HfModelConfig config = HfModelConfig.load(dir);
            DecoderLayout layout = DecoderLayout.of(config);
            SplittableRandom random = new SplittableRandom(seed);
            try (CheckpointWriter writer = CheckpointWriter.create(dir, layout.specs(Dtype.F32),
                    CheckpointWriter.DEFAULT_MAX_SHARD_BYTES, Map.of("format", "pt"))) {
                for (TensorSpec spec : layout.specs(Dtype.F32)) {
                    float[] values = new float[(int) spec.elementCount()];
                    boolean norm = spec.name().endsWith("norm.weight");
                    for (int i = 0; i < values.length; i++) {
                        values[i] = norm ? 1f : (float) (random.nextDouble(-1, 1) * 0.2);
                    }
                    writer.write(spec.name(), values);
                }
                writer.finish();
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Writes the checkpoint under {@code temp/NAME-tiny} and exports it to ONNX under {@code temp/NAME-onnx}.
     *
     * @return the exported folder
     */
    static Path writeAndExport(Path temp, String name, String arch, String tokenizer, long seed) {
        Path checkpoint = write(temp.resolve(name + "-tiny"), arch, tokenizer, seed);
        Path exported = temp.resolve(name + "-onnx");
        OnnxExporter.export(checkpoint, Optional.empty(), exported, ExportOptions.defaults());
        return exported;
    }

    private static int vocabSize(Path tokenizerDir) {
        try (io.kefu.runtime.tokenize.HfTokenizer t = io.kefu.runtime.tokenize.HfTokenizer.load(tokenizerDir)) {
            return t.vocabSize();
        }
    }
}
