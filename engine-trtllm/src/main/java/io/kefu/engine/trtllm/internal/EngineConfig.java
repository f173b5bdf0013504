package io.kefu.engine.trtllm.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.runtime.format.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What Kefu needs from the {@code config.json} that {@code trtllm-build} writes next to
 * {@code rank0.engine}: the model's sizes ({@code pretrained_config}) and how the engine was built
 * ({@code build_config}: batch size, LoRA plugin, rank and target modules).
 *
 * @param architecture {@code pretrained_config.architecture}, e.g. {@code LlamaForCausalLM}
 * @param dtype {@code pretrained_config.dtype}, e.g. {@code float16}
 * @param vocabSize {@code pretrained_config.vocab_size}
 * @param hiddenSize {@code pretrained_config.hidden_size}
 * @param numLayers {@code pretrained_config.num_hidden_layers}
 * @param numHeads {@code pretrained_config.num_attention_heads}
 * @param numKvHeads {@code pretrained_config.num_key_value_heads} (defaults to the heads)
 * @param headSize {@code pretrained_config.head_size} (defaults to hidden / heads)
 * @param intermediateSize {@code pretrained_config.intermediate_size}
 * @param maxBatchSize {@code build_config.max_batch_size}
 * @param maxLoraRank {@code build_config.lora_config.max_lora_rank}; 0 when built without LoRA
 * @param loraTargetModules {@code build_config.lora_config.lora_target_modules}, TensorRT-LLM names
 */
public record EngineConfig(String architecture, String dtype, int vocabSize, int hiddenSize, int numLayers, int numHeads,
                           int numKvHeads, int headSize, int intermediateSize, int maxBatchSize, int maxLoraRank,
                           List<String> loraTargetModules) {
    private static final ObjectMapper JSON = Json.mapper();

    /** Copies the list. */
    public EngineConfig {
        loraTargetModules = List.copyOf(loraTargetModules);
    }

    /**
     * Reads {@code config.json} of an engine directory.
     *
     * @throws KefuException NOT_FOUND when it is missing, INVALID_CHECKPOINT naming the key at fault
     */
    public static EngineConfig load(Path engineDir) {
        Path file = engineDir.resolve("config.json");
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new KefuException(ErrorCode.NOT_FOUND, file + " does not exist: " + engineDir
                    + " is not a TensorRT-LLM engine directory (build one with `kefu trtllm build-engine`)", e);
        } catch (IOException e) {
            throw new KefuException(ErrorCode.INVALID_CHECKPOINT, file + " cannot be read as JSON: " + e.getMessage(), e);
        }
        JsonNode model = section(root, "pretrained_config", file);
        JsonNode build = section(root, "build_config", file);
        int hidden = positive(model, "hidden_size", file);
        int heads = positive(model, "num_attention_heads", file);
        JsonNode lora = build.path("lora_config");
        List<String> targets = new ArrayList<>();
        lora.path("lora_target_modules").forEach(n -> targets.add(n.asText()));
        return new EngineConfig(
                text(model, "architecture", file),
                text(model, "dtype", file),
                positive(model, "vocab_size", file),
                hidden,
                positive(model, "num_hidden_layers", file),
                heads,
                model.hasNonNull("num_key_value_heads") ? positive(model, "num_key_value_heads", file) : heads,
                model.hasNonNull("head_size") ? positive(model, "head_size", file) : hidden / heads,
                positive(model, "intermediate_size", file),
                build.hasNonNull("max_batch_size") ? positive(build, "max_batch_size", file) : 0,
                lora.path("max_lora_rank").asInt(0),
                targets);
    }

    /** @return the input and output features of a Hugging Face projection ({@code q_proj} ...) */
    public int[] features(String module) {
        int q = numHeads * headSize;
        int kv = numKvHeads * headSize;
        return switch (module) {
            case "q_proj" -> new int[] {hiddenSize, q};
            case "k_proj", "v_proj" -> new int[] {hiddenSize, kv};
            case "o_proj" -> new int[] {q, hiddenSize};
            case "gate_proj", "up_proj" -> new int[] {hiddenSize, intermediateSize};
            case "down_proj" -> new int[] {intermediateSize, hiddenSize};
            default -> throw new KefuException(ErrorCode.UNSUPPORTED, "module '" + module + "' is not a projection of "
                    + architecture + " that TensorRT-LLM can adapt");
        };
    }

    private static JsonNode section(JsonNode root, String key, Path file) {
        JsonNode node = root.get(key);
        if (node == null || !node.isObject()) {
            throw new KefuException(ErrorCode.INVALID_CHECKPOINT, file + ": key '" + key
                    + "' is missing; this is not a config.json written by trtllm-build");
        }
        return node;
    }

    private static String text(JsonNode node, String key, Path file) {
        JsonNode v = node.get(key);
        if (v == null || !v.isTextual()) {
            throw new KefuException(ErrorCode.INVALID_CHECKPOINT, file + ": key '" + key + "' must be a string");
        }
        return v.asText();
    }

    private static int positive(JsonNode node, String key, Path file) {
        JsonNode v = node.get(key);
        if (v == null || !v.canConvertToInt() || v.asInt() <= 0) {
            throw new KefuException(ErrorCode.INVALID_CHECKPOINT, file + ": key '" + key + "' must be a positive integer, found "
                    + (v == null ? "nothing" : v.toString()));
        }
        return v.asInt();
    }
}
