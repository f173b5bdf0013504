package io.kefu.testkit;

import io.kefu.runtime.format.CheckpointWriter;
import io.kefu.runtime.format.DecoderLayout;
import io.kefu.runtime.format.Dtype;
import io.kefu.runtime.format.FloatTensor;
import io.kefu.runtime.format.HfModelConfig;
import io.kefu.runtime.format.PeftAdapter;
import io.kefu.runtime.format.TensorSpec;
import io.kefu.runtime.tokenize.HfTokenizer;
import io.kefu.train.LoraConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Tiny random-weight checkpoints of the real architectures with real tokenizers, and random LoRA
 * adapters for them, for tests that compare engines or systems. Weights are drawn wide (uniform in +-0.2, not the usual 0.02 normal) so the
 * logits of neighbouring tokens stay far apart and a greedy decode does not hinge on rounding.
 */
public final class TinyModels {
    public static final int HIDDEN = 64;
    public static final int HEADS = 2;
    public static final int KV_HEADS = 1;
    public static final int HEAD_DIM = 32;
    public static final int LAYERS = 2;

    private TinyModels() {
    }

    public static Path tokenizers() {
        String dir = System.getProperty("kefu.tokenizers.dir");
        if (dir == null) {
            throw new IllegalStateException("system property kefu.tokenizers.dir is not set (the build sets it)");
        }
        return Path.of(dir);
    }

    /**
     * Writes a checkpoint of {@code arch}: llama with Llama 3 rope scaling, qwen2 (with q/k/v biases)
     * or qwen3 (with q/k norms), two layers, head_dim 32, tied embeddings over the tokenizer's vocabulary.
     */
    public static Path checkpoint(Path dir, String arch, String tokenizer, long seed) {
        try {
            Files.createDirectories(dir);
            Path tok = tokenizers().resolve(tokenizer);
            Files.copy(tok.resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
            Files.copy(tok.resolve("tokenizer_config.json"), dir.resolve("tokenizer_config.json"));
            String className = switch (arch) {
                case "llama" -> "LlamaForCausalLM";
                case "qwen2" -> "Qwen2ForCausalLM";
                case "qwen3" -> "Qwen3ForCausalLM";
                default -> throw new IllegalArgumentException(arch);
            };
            String ropeScaling = arch.equals("llama")
                    ? " \"rope_theta\": 500000.0, \"rope_scaling\": {\"rope_type\": \"llama3\", \"factor\": 8.0,"
                      + " \"low_freq_factor\": 1.0, \"high_freq_factor\": 4.0, \"original_max_position_embeddings\": 64},"
                    : " \"rope_theta\": 1000000.0,";
            Files.writeString(dir.resolve("config.json"), "{\"architectures\": [\"" + className + "\"], \"model_type\": \""
                    + arch + "\", \"hidden_size\": " + HIDDEN + ", \"intermediate_size\": 96, \"num_hidden_layers\": " + LAYERS
                    + ", \"num_attention_heads\": " + HEADS + ", \"num_key_value_heads\": " + KV_HEADS + ", \"head_dim\": "
                    + HEAD_DIM + ", \"vocab_size\": " + vocabSize(tok) + "," + ropeScaling
                    + " \"max_position_embeddings\": 512, \"tie_word_embeddings\": true, \"rms_norm_eps\": 1e-6,"
                    + " \"torch_dtype\": \"float32\"}");
            HfModelConfig config = HfModelConfig.load(dir);
            List<TensorSpec> specs = DecoderLayout.of(config).specs(Dtype.F32);
            SplittableRandom random = new SplittableRandom(seed);
            try (CheckpointWriter writer = CheckpointWriter.create(dir, specs, CheckpointWriter.DEFAULT_MAX_SHARD_BYTES,
                    Map.of("format", "pt"))) {
                for (TensorSpec spec : specs) {
                    float[] values = new float[(int) spec.elementCount()];
                    boolean norm = spec.name().endsWith("norm.weight");
                    for (int i = 0; i < values.length; i++) {
                        values[i] = norm ? (float) random.nextDouble(0.5, 1.5) : (float) random.nextDouble(-0.2, 0.2);
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

    /** Writes a rank-4 LoRA adapter on q_proj and v_proj of every layer, with non-zero A and B, in PEFT layout. */
    public static Path adapter(Path dir, Path base, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int rank = 4;
        Map<String, FloatTensor> tensors = new HashMap<>();
        Map<String, Integer> outFeatures = Map.of("q_proj", HEADS * HEAD_DIM, "v_proj", KV_HEADS * HEAD_DIM);
        for (int layer = 0; layer < LAYERS; layer++) {
            for (Map.Entry<String, Integer> module : outFeatures.entrySet()) {
                tensors.put(PeftAdapter.loraAName(layer, module.getKey()),
                        FloatTensor.matrix(rank, HIDDEN, uniform(random, rank * HIDDEN, 0.3)));
                tensors.put(PeftAdapter.loraBName(layer, module.getKey()),
                        FloatTensor.matrix(module.getValue(), rank, uniform(random, module.getValue() * rank, 0.3)));
            }
        }
        LoraConfig config = LoraConfig.builder().rank(rank).alpha(8).targets("q_proj", "v_proj").build();
        PeftAdapter.of(config, base.toString(), tensors).save(dir);
        return dir;
    }

    private static float[] uniform(SplittableRandom random, int n, double bound) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextDouble(-bound, bound);
        }
        return values;
    }

    private static int vocabSize(Path tokenizerDir) {
        try (HfTokenizer tokenizer = HfTokenizer.load(tokenizerDir)) {
            return tokenizer.vocabSize();
        }
    }
}
