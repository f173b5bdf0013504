package io.kefu.engine.djl;

import io.kefu.runtime.format.Json;
import io.kefu.runtime.format.StagedFolder;
import com.fasterxml.jackson.databind.JsonNode;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatTemplate;
import io.kefu.runtime.format.Architecture;
import io.kefu.runtime.format.AtomicFiles;
import io.kefu.runtime.format.CheckpointWriter;
import io.kefu.runtime.format.DecoderLayout;
import io.kefu.runtime.format.TensorInfo;
import io.kefu.runtime.format.Dtype;
import io.kefu.runtime.format.HfModelConfig;
import io.kefu.runtime.template.HfChatTemplate;
import io.kefu.runtime.tokenize.HfTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Writes a randomly initialised checkpoint the way transformers' {@code _init_weights} does for
 * Llama and Qwen: linear and embedding weights from normal(0, initializer_range) (default 0.02),
 * biases 0, RMSNorm weights 1. Values come from a seeded generator, tensor by tensor in module
 * order, so the same seed and config give the same values whatever the dtype.
 *
 * <p>The weights are drawn in fp32 and rounded to the checkpoint's dtype as they are written, in
 * chunks of {@value #CHUNK} values, so memory stays at one chunk however large the model: an 8B
 * checkpoint is written in a few hundred MB of heap. Sharded as transformers' {@code save_pretrained}
 * shards, above {@code maxShardBytes}.
 */
final class RandomInit {
    /** Values generated and converted at a time. */
    static final int CHUNK = 1 << 20;

    private RandomInit() {
    }

    /**
     * Writes a checkpoint with settings by name: {@code dtype} (fp32, fp16, bf16) and
     * {@code max_shard_bytes}; see {@link io.kefu.model.Engine#initCheckpoint(String, Path, Path, Path, long, Map)}.
     */
    static void write(String architecture, Path configFile, Path tokenizerDir, Path out, long seed, Map<String, String> options) {
        Optional<Dtype> dtype = Optional.empty();
        long maxShardBytes = CheckpointWriter.DEFAULT_MAX_SHARD_BYTES;
        for (Map.Entry<String, String> option : options.entrySet()) {
            String value = option.getValue();
            switch (option.getKey()) {
                case "dtype" -> dtype = Optional.of(switch (value.toLowerCase(Locale.ROOT)) {
                    case "fp32", "float32" -> Dtype.F32;
                    case "fp16", "float16" -> Dtype.F16;
                    case "bf16", "bfloat16" -> Dtype.BF16;
                    default -> throw new KefuException(ErrorCode.INVALID_ARGUMENT,
                            "dtype=" + value + ": expected fp32, fp16 or bf16");
                });
                case "max_shard_bytes" -> {
                    try {
                        maxShardBytes = Long.parseLong(value);
                    } catch (NumberFormatException e) {
                        maxShardBytes = 0;
                    }
                    if (maxShardBytes < 1) {
                        throw new KefuException(ErrorCode.INVALID_ARGUMENT,
                                "max_shard_bytes=" + value + ": expected a positive number of bytes");
                    }
                }
                default -> throw new KefuException(ErrorCode.INVALID_ARGUMENT, "unknown checkpoint setting '"
                        + option.getKey() + "'; known: dtype, max_shard_bytes");
            }
        }
        write(architecture, configFile, tokenizerDir, out, seed, dtype, maxShardBytes);
    }

    /**
     * @param dtype the stored dtype (F32, F16 or BF16), or empty for the config's {@code torch_dtype} (else F32)
     * @param maxShardBytes the shard size limit ({@link CheckpointWriter#DEFAULT_MAX_SHARD_BYTES} as transformers)
     */
    static void write(String architecture, Path configFile, Path tokenizerDir, Path out, long seed, Optional<Dtype> dtype,
                      long maxShardBytes) {
        Architecture arch = Architecture.find(architecture).orElseThrow(() -> new KefuException(ErrorCode.INVALID_ARGUMENT,
                "architecture '" + architecture + "' is not one of llama, qwen2, qwen3"));
        String text;
        JsonNode root;
        try {
            text = Files.readString(configFile);
            root = Json.mapper().readTree(text);
        } catch (IOException e) {
            throw new KefuException(Files.exists(configFile) ? ErrorCode.INVALID_CONFIG : ErrorCode.NOT_FOUND,
                    configFile + ": cannot read the model config: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new KefuException(ErrorCode.INVALID_CONFIG, configFile + ": not a JSON object");
        }
        ((com.fasterxml.jackson.databind.node.ObjectNode) root).putArray("architectures").add(arch.className());
        ((com.fasterxml.jackson.databind.node.ObjectNode) root).put("model_type", arch.modelType());
        dtype.ifPresent(d -> ((com.fasterxml.jackson.databind.node.ObjectNode) root).put("torch_dtype", d.torchName()));
        HfModelConfig config = HfModelConfig.parse(root.toString(), configFile.toString());
        double std = root.path("initializer_range").asDouble(0.02);
        ModelFolder.requireDirectory(tokenizerDir, "tokenizer");
        try (HfTokenizer tokenizer = HfTokenizer.load(tokenizerDir)) {
            if (tokenizer.vocabSize() > config.vocabSize()) {
                throw new KefuException(ErrorCode.INVALID_CONFIG, configFile + ": vocab_size=" + config.vocabSize()
                        + " is smaller than the tokenizer's " + tokenizer.vocabSize() + " tokens");
            }
            ChatTemplate template = HfChatTemplate.fromModelDir(tokenizerDir);
            SplittableRandom random = new SplittableRandom(seed);
            Dtype stored = config.torchDtype().orElse(Dtype.F32);
            if (stored != Dtype.F32 && stored != Dtype.F16 && stored != Dtype.BF16) {
                throw new KefuException(ErrorCode.INVALID_CONFIG, configFile + ": torch_dtype " + stored.torchName()
                        + " cannot be written; use float32, float16 or bfloat16");
            }
            StagedFolder.publish(out, dir -> {
                writeWeights(dir, config, stored, std, random, maxShardBytes);
                AtomicFiles.writeString(dir.resolve("config.json"), config.toJson());
                CheckpointExport.copyTokenizerFiles(tokenizerDir, dir);
                ModelFolder.generationConfig(tokenizer, template, config, Optional.empty()).save(dir);
            });
        }
    }

    private static void writeWeights(Path dir, HfModelConfig config, Dtype dtype, double std, SplittableRandom random,
                                     long maxShardBytes) {
        DecoderLayout layout = DecoderLayout.of(config);
        float[] chunk = new float[CHUNK];
        try (CheckpointWriter writer = CheckpointWriter.create(dir, layout.specs(dtype), maxShardBytes, Map.of("format", "pt"))) {
            for (String name : layout.names()) {
                long remaining = TensorInfo.elementCount(layout.shape(name));
                while (remaining > 0) {
                    int n = (int) Math.min(CHUNK, remaining);
                    fill(name, chunk, n, std, random);
                    writer.writePart(name, chunk, 0, n);
                    remaining -= n;
                }
            }
            writer.finish();
        }
    }

    /** Fills {@code chunk[0..n)} with the next values of tensor {@code name}: ones for norms, zeros for biases, else normal(0, std). */
    private static void fill(String name, float[] chunk, int n, double std, SplittableRandom random) {
        if (name.endsWith("norm.weight")) {
            Arrays.fill(chunk, 0, n, 1f);
        } else if (name.endsWith(".bias")) {
            Arrays.fill(chunk, 0, n, 0f);
        } else {
            for (int i = 0; i < n; i++) {
                chunk[i] = (float) (random.nextGaussian() * std);
            }
        }
    }
}
