package io.kefu.engine.djl;

import io.kefu.runtime.format.Json;
import io.kefu.runtime.format.StagedFolder;
import com.fasterxml.jackson.databind.JsonNode;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatTemplate;
import io.kefu.runtime.format.Architecture;
import io.kefu.runtime.format.Dtype;
import io.kefu.runtime.format.HfModelConfig;
import io.kefu.runtime.template.HfChatTemplate;
import io.kefu.runtime.tokenize.HfTokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * Writes a randomly initialised checkpoint the way transformers' {@code _init_weights} does for
 * Llama and Qwen: linear and embedding weights from normal(0, initializer_range) (default 0.02),
 * biases 0, RMSNorm weights 1. Values come from a seeded generator, tensor by tensor in module
 * order, so the same seed and config give the same bytes.
 */
final class RandomInit {
    private RandomInit() {
    }

    static void write(String architecture, Path configFile, Path tokenizerDir, Path out, long seed) {
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
            Dtype dtype = config.torchDtype().orElse(Dtype.F32);
            StagedFolder.publish(out, dir -> {
                CheckpointExport.write(dir, config, dtype, name -> values(config, name, std, random), tokenizerDir);
                ModelFolder.generationConfig(tokenizer, template, config, Optional.empty()).save(dir);
            });
        }
    }

    private static float[] values(HfModelConfig config, String name, double std, SplittableRandom random) {
        long[] shape = io.kefu.runtime.format.DecoderLayout.of(config).shape(name);
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        float[] v = new float[Math.toIntExact(n)];
        if (name.endsWith("norm.weight")) {
            java.util.Arrays.fill(v, 1f);
        } else if (!name.endsWith(".bias")) {
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (random.nextGaussian() * std);
            }
        }
        return v;
    }
}
