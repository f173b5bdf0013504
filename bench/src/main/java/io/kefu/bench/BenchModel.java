package io.kefu.bench;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.runtime.format.CheckpointWriter;
import io.kefu.runtime.format.DecoderLayout;
import io.kefu.runtime.format.Dtype;
import io.kefu.runtime.format.HfModelConfig;
import io.kefu.runtime.format.TensorSpec;
import io.kefu.runtime.tokenize.HfTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.SplittableRandom;

/**
 * The benchmark's default model: a Llama-architecture checkpoint of about 90M parameters (hidden
 * 512, 8 layers, 8 query and 2 key/value heads of 64, MLP 1536, tied embeddings over the
 * tokenizer's vocabulary), fp32, with random weights (N(0, 0.02), norms 1). Decode speed does not
 * depend on what the weights are, only on their size.
 */
final class BenchModel {
    private BenchModel() {
    }

    /** The default benchmark model (about 90M parameters with a 128k vocabulary). */
    static Path write(Path dir, Path tokenizerDir, long seed) {
        return write(dir, tokenizerDir, seed, 512, 8, 1536);
    }

    /** A Llama of the given size: 64-wide heads, a quarter as many key/value heads as query heads. */
    static Path write(Path dir, Path tokenizerDir, long seed, int hidden, int layers, int intermediate) {
        int vocab;
        String specialIds;
        try (HfTokenizer tokenizer = HfTokenizer.load(tokenizerDir)) {
            vocab = tokenizer.vocabSize();
            specialIds = specialTokenIds(tokenizer);
        }
        try {
            Files.createDirectories(dir);
            Files.copy(tokenizerDir.resolve("tokenizer.json"), dir.resolve("tokenizer.json"));
            Files.copy(tokenizerDir.resolve("tokenizer_config.json"), dir.resolve("tokenizer_config.json"));
            Files.writeString(dir.resolve("config.json"), "{\"architectures\": [\"LlamaForCausalLM\"], \"model_type\": \"llama\","
                    + " \"hidden_size\": " + hidden + ", \"intermediate_size\": " + intermediate + ", \"num_hidden_layers\": " + layers + ","
                    + " \"num_attention_heads\": " + hidden / 64 + ", \"num_key_value_heads\": " + Math.max(1, hidden / 256) + ","
                    + " \"head_dim\": 64, \"vocab_size\": " + vocab + "," + specialIds + " \"hidden_act\": \"silu\","
                    + " \"max_position_embeddings\": 2048, \"rms_norm_eps\": 1e-5, \"rope_theta\": 500000.0,"
                    + " \"tie_word_embeddings\": true, \"torch_dtype\": \"float32\"}\n");
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, dir + ": cannot write the benchmark model: " + e.getMessage(), e);
        }
        DecoderLayout layout = DecoderLayout.of(HfModelConfig.load(dir));
        SplittableRandom random = new SplittableRandom(seed);
        try (CheckpointWriter writer = CheckpointWriter.create(dir, layout.specs(Dtype.F32),
                CheckpointWriter.DEFAULT_MAX_SHARD_BYTES, Map.of("format", "pt"))) {
            for (TensorSpec spec : layout.specs(Dtype.F32)) {
                float[] values = new float[Math.toIntExact(spec.elementCount())];
                boolean norm = spec.name().endsWith("norm.weight");
                for (int i = 0; i < values.length; i++) {
                    values[i] = norm ? 1f : (float) (gaussian(random) * 0.02);
                }
                writer.write(spec.name(), values);
            }
            writer.finish();
        }
        return dir;
    }

    /** The bos/eos ids as config.json fields (Jlama, for one, needs them), each only where the tokenizer names it. */
    private static String specialTokenIds(HfTokenizer tokenizer) {
        StringBuilder fields = new StringBuilder();
        tokenizer.bosToken().flatMap(t -> boxed(tokenizer.tokenId(t))).ifPresent(id -> fields.append(" \"bos_token_id\": ").append(id).append(','));
        tokenizer.eosToken().flatMap(t -> boxed(tokenizer.tokenId(t))).ifPresent(id -> fields.append(" \"eos_token_id\": ").append(id).append(','));
        return fields.toString();
    }

    private static Optional<Integer> boxed(OptionalInt id) {
        return id.isPresent() ? Optional.of(id.getAsInt()) : Optional.empty();
    }

    private static double gaussian(SplittableRandom random) {
        double u = 1 - random.nextDouble();
        double v = random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }
}
