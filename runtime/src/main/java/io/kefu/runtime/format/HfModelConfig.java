package io.kefu.runtime.format;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A Hugging Face {@code config.json} of a supported decoder ({@link Architecture}), with the
 * defaults transformers applies when a key is absent.
 *
 * <p>Defaults, as in transformers' {@code LlamaConfig}, {@code Qwen2Config}, {@code Qwen3Config}:
 * {@code num_key_value_heads = num_attention_heads}; {@code head_dim = hidden_size /
 * num_attention_heads} (Qwen 3: 128); {@code rms_norm_eps = 1e-6}; {@code rope_theta = 10000};
 * {@code tie_word_embeddings = false}; {@code attention_bias = false} (Qwen 2: always true on q, k
 * and v, never on o); {@code mlp_bias = false}; {@code max_position_embeddings} 2048 (Llama) or
 * 32768 (Qwen); {@code hidden_act = silu}; no rope scaling. {@code hidden_size},
 * {@code intermediate_size}, {@code num_hidden_layers}, {@code num_attention_heads} and
 * {@code vocab_size} are required: a checkpoint without them is refused rather than guessed.
 *
 * @param architecture which decoder this is
 * @param modelType the {@code model_type} value
 * @param hiddenSize {@code hidden_size}
 * @param intermediateSize {@code intermediate_size} (the MLP width)
 * @param numHiddenLayers {@code num_hidden_layers}
 * @param numAttentionHeads {@code num_attention_heads}
 * @param numKeyValueHeads {@code num_key_value_heads}
 * @param headDim {@code head_dim}
 * @param vocabSize {@code vocab_size}
 * @param rmsNormEps {@code rms_norm_eps}
 * @param ropeTheta {@code rope_theta}
 * @param ropeScaling {@code rope_scaling} of type llama3, or empty
 * @param tieWordEmbeddings {@code tie_word_embeddings}: the output head reuses the embedding matrix
 * @param attentionBias whether q, k, v (and for Llama/Qwen 3 also o) projections have biases
 * @param mlpBias {@code mlp_bias} (Llama only)
 * @param maxPositionEmbeddings {@code max_position_embeddings}
 * @param hiddenAct {@code hidden_act}; only {@code silu} is supported
 * @param torchDtype {@code torch_dtype} (or {@code dtype}), or empty
 * @param bosTokenId {@code bos_token_id}, or empty
 * @param eosTokenIds {@code eos_token_id} as a list (a single id becomes a one-element list)
 */
public record HfModelConfig(Architecture architecture, String modelType, int hiddenSize, int intermediateSize,
                            int numHiddenLayers, int numAttentionHeads, int numKeyValueHeads, int headDim,
                            int vocabSize, double rmsNormEps, double ropeTheta, Optional<RopeScaling> ropeScaling,
                            boolean tieWordEmbeddings, boolean attentionBias, boolean mlpBias,
                            int maxPositionEmbeddings, String hiddenAct, Optional<Dtype> torchDtype,
                            OptionalInt bosTokenId, List<Integer> eosTokenIds) {
    private static final ObjectMapper JSON = Json.indented();

    /** Validates the numbers and copies the list. */
    public HfModelConfig {
        eosTokenIds = List.copyOf(eosTokenIds);
        String where = "config";
        positive(where, "hidden_size", hiddenSize);
        positive(where, "intermediate_size", intermediateSize);
        positive(where, "num_hidden_layers", numHiddenLayers);
        positive(where, "num_attention_heads", numAttentionHeads);
        positive(where, "num_key_value_heads", numKeyValueHeads);
        positive(where, "head_dim", headDim);
        positive(where, "vocab_size", vocabSize);
        positive(where, "max_position_embeddings", maxPositionEmbeddings);
        if (numAttentionHeads % numKeyValueHeads != 0) {
            throw invalid(where, "num_attention_heads=" + numAttentionHeads + " is not a multiple of num_key_value_heads="
                    + numKeyValueHeads + " (grouped-query attention shares each key/value head among a whole group)");
        }
        if (headDim % 2 != 0) {
            throw invalid(where, "head_dim=" + headDim + " must be even for rotary embeddings");
        }
        if (!(rmsNormEps > 0)) {
            throw invalid(where, "rms_norm_eps=" + rmsNormEps + " must be positive");
        }
        if (!(ropeTheta > 0)) {
            throw invalid(where, "rope_theta=" + ropeTheta + " must be positive");
        }
        if (!"silu".equals(hiddenAct)) {
            throw invalid(where, "hidden_act='" + hiddenAct + "' is not supported; Llama and Qwen use silu");
        }
    }

    /**
     * Reads {@code config.json} from a checkpoint folder (or the file itself).
     *
     * @throws KefuException {@link ErrorCode#NOT_FOUND} when absent, {@link ErrorCode#INVALID_CHECKPOINT}
     *     naming the file and key when malformed or of an unsupported architecture
     */
    public static HfModelConfig load(Path dirOrFile) {
        Path file = Files.isDirectory(dirOrFile) ? dirOrFile.resolve("config.json") : dirOrFile;
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new KefuException(ErrorCode.NOT_FOUND, file + ": config.json not found (a Hugging Face model folder needs one)", e);
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, file + ": cannot read: " + e.getMessage(), e);
        }
        return parse(text, file.toString());
    }

    /**
     * Parses config.json text.
     *
     * @param source the file name used in error messages
     */
    public static HfModelConfig parse(String json, String source) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw invalid(source, "not valid JSON: " + e.getOriginalMessage() + " at line "
                    + e.getLocation().getLineNr());
        }
        if (root == null || !root.isObject()) {
            throw invalid(source, "not a JSON object");
        }
        Architecture arch = architecture(root, source);
        String modelType = root.path("model_type").asText(arch.modelType());
        int hidden = requiredInt(root, source, "hidden_size");
        int heads = requiredInt(root, source, "num_attention_heads");
        int defaultHeadDim = arch == Architecture.QWEN3 ? 128 : (heads > 0 && hidden % heads == 0 ? hidden / heads : -1);
        if (!root.hasNonNull("head_dim") && defaultHeadDim < 0) {
            throw invalid(source, "hidden_size=" + hidden + " is not a multiple of num_attention_heads=" + heads
                    + " and head_dim is not given");
        }
        boolean attentionBias = arch == Architecture.QWEN2 || optionalBool(root, source, "attention_bias", false);
        Optional<Dtype> dtype = Optional.empty();
        String dtypeName = root.hasNonNull("torch_dtype") ? root.get("torch_dtype").asText()
                : root.hasNonNull("dtype") ? root.get("dtype").asText() : null;
        if (dtypeName != null) {
            dtype = Optional.of(Dtype.fromTorchName(dtypeName).orElseThrow(() -> invalid(source,
                    "torch_dtype='" + dtypeName + "' is not one of float32, bfloat16, float16")));
        }
        try {
            return new HfModelConfig(arch, modelType, hidden,
                    requiredInt(root, source, "intermediate_size"),
                    requiredInt(root, source, "num_hidden_layers"),
                    heads,
                    optionalInt(root, source, "num_key_value_heads", heads),
                    optionalInt(root, source, "head_dim", defaultHeadDim),
                    requiredInt(root, source, "vocab_size"),
                    optionalDouble(root, source, "rms_norm_eps", 1e-6),
                    optionalDouble(root, source, "rope_theta", 10000.0),
                    ropeScaling(root, source),
                    optionalBool(root, source, "tie_word_embeddings", false),
                    attentionBias,
                    arch == Architecture.LLAMA && optionalBool(root, source, "mlp_bias", false),
                    optionalInt(root, source, "max_position_embeddings", arch == Architecture.LLAMA ? 2048 : 32768),
                    root.path("hidden_act").asText("silu"),
                    dtype,
                    root.hasNonNull("bos_token_id") ? OptionalInt.of(requiredInt(root, source, "bos_token_id")) : OptionalInt.empty(),
                    tokenIds(root, source, "eos_token_id"));
        } catch (KefuException e) {
            if (e.getMessage().startsWith("config: ")) {
                throw invalid(source, e.getMessage().substring("config: ".length()));
            }
            throw e;
        }
    }

    /** @return the number of query heads per key/value head */
    public int groupSize() {
        return numAttentionHeads / numKeyValueHeads;
    }

    /** @return the width of the query projection's output, {@code num_attention_heads * head_dim} */
    public int qDim() {
        return numAttentionHeads * headDim;
    }

    /** @return the width of the key and value projections' output, {@code num_key_value_heads * head_dim} */
    public int kvDim() {
        return numKeyValueHeads * headDim;
    }

    /** @return whether the o_proj has a bias (Llama and Qwen 3 with attention_bias; never Qwen 2) */
    public boolean outputProjectionBias() {
        return attentionBias && architecture != Architecture.QWEN2;
    }

    /**
     * @return config.json text as transformers writes it for this architecture (for model init and
     *     merged checkpoints)
     */
    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.putArray("architectures").add(architecture.className());
        root.put("model_type", modelType);
        root.put("hidden_size", hiddenSize);
        root.put("intermediate_size", intermediateSize);
        root.put("num_hidden_layers", numHiddenLayers);
        root.put("num_attention_heads", numAttentionHeads);
        root.put("num_key_value_heads", numKeyValueHeads);
        root.put("head_dim", headDim);
        root.put("vocab_size", vocabSize);
        root.put("rms_norm_eps", rmsNormEps);
        root.put("rope_theta", ropeTheta);
        if (ropeScaling.isPresent()) {
            RopeScaling r = ropeScaling.get();
            ObjectNode rs = root.putObject("rope_scaling");
            rs.put("rope_type", r.type());
            rs.put("factor", r.factor());
            rs.put("low_freq_factor", r.lowFreqFactor());
            rs.put("high_freq_factor", r.highFreqFactor());
            rs.put("original_max_position_embeddings", r.originalMaxPositionEmbeddings());
        } else {
            root.putNull("rope_scaling");
        }
        root.put("tie_word_embeddings", tieWordEmbeddings);
        if (architecture != Architecture.QWEN2) {
            root.put("attention_bias", attentionBias);
        }
        if (architecture == Architecture.LLAMA) {
            root.put("mlp_bias", mlpBias);
        }
        root.put("max_position_embeddings", maxPositionEmbeddings);
        root.put("hidden_act", hiddenAct);
        torchDtype.ifPresent(d -> root.put("torch_dtype", d.torchName()));
        bosTokenId.ifPresent(id -> root.put("bos_token_id", id));
        if (eosTokenIds.size() == 1) {
            root.put("eos_token_id", eosTokenIds.get(0));
        } else if (!eosTokenIds.isEmpty()) {
            eosTokenIds.forEach(root.putArray("eos_token_id")::add);
        }
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new KefuException(ErrorCode.INTERNAL, "cannot serialise config.json", e);
        }
    }

    private static Architecture architecture(JsonNode root, String source) {
        JsonNode archs = root.get("architectures");
        if (archs != null && archs.isArray() && archs.size() > 0) {
            String name = archs.get(0).asText();
            return Architecture.find(name).orElseThrow(() -> new KefuException(ErrorCode.INVALID_CHECKPOINT,
                    source + ": architectures[0]='" + name + "' is not supported; Kefu reads "
                            + Architecture.supportedNames()));
        }
        JsonNode type = root.get("model_type");
        if (type != null && type.isTextual()) {
            return Architecture.find(type.asText()).orElseThrow(() -> new KefuException(ErrorCode.INVALID_CHECKPOINT,
                    source + ": model_type='" + type.asText() + "' is not supported; Kefu reads "
                            + Architecture.supportedNames()));
        }
        throw invalid(source, "neither architectures nor model_type says which model this is");
    }

    private static Optional<RopeScaling> ropeScaling(JsonNode root, String source) {
        JsonNode rs = root.get("rope_scaling");
        if (rs == null || rs.isNull()) {
            return Optional.empty();
        }
        if (!rs.isObject()) {
            throw invalid(source, "rope_scaling must be an object or null");
        }
        String type = rs.hasNonNull("rope_type") ? rs.get("rope_type").asText() : rs.path("type").asText("");
        if (type.equals("default")) {
            return Optional.empty();
        }
        if (!type.equals(RopeScaling.LLAMA3)) {
            throw new KefuException(ErrorCode.INVALID_CHECKPOINT, source + ": rope_scaling.rope_type='" + type
                    + "' is not supported; Kefu supports llama3 (or no rope_scaling)");
        }
        return Optional.of(new RopeScaling(type,
                requiredDouble(rs, source, "rope_scaling.", "factor"),
                requiredDouble(rs, source, "rope_scaling.", "low_freq_factor"),
                requiredDouble(rs, source, "rope_scaling.", "high_freq_factor"),
                (int) requiredDouble(rs, source, "rope_scaling.", "original_max_position_embeddings")));
    }

    private static List<Integer> tokenIds(JsonNode root, String source, String key) {
        JsonNode node = root.get(key);
        List<Integer> out = new ArrayList<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                if (!node.get(i).canConvertToInt() || !node.get(i).isIntegralNumber()) {
                    throw invalid(source, key + "[" + i + "]=" + node.get(i) + " is not a token id");
                }
                out.add(node.get(i).asInt());
            }
        } else if (node.isIntegralNumber()) {
            out.add(node.asInt());
        } else {
            throw invalid(source, key + "=" + node + " is not a token id or a list of them");
        }
        return out;
    }

    static int requiredInt(JsonNode root, String source, String key) {
        JsonNode node = root.get(key);
        if (node == null || node.isNull()) {
            throw invalid(source, "missing required key " + key);
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt()) {
            throw invalid(source, key + "=" + node + " is not an integer");
        }
        return node.asInt();
    }

    private static int optionalInt(JsonNode root, String source, String key, int fallback) {
        return root.hasNonNull(key) ? requiredInt(root, source, key) : fallback;
    }

    private static double optionalDouble(JsonNode root, String source, String key, double fallback) {
        return root.hasNonNull(key) ? requiredDouble(root, source, "", key) : fallback;
    }

    private static double requiredDouble(JsonNode obj, String source, String prefix, String key) {
        JsonNode node = obj.get(key);
        if (node == null || !node.isNumber()) {
            throw invalid(source, prefix + key + (node == null ? " is missing" : "=" + node + " is not a number"));
        }
        return node.asDouble();
    }

    private static boolean optionalBool(JsonNode root, String source, String key, boolean fallback) {
        JsonNode node = root.get(key);
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isBoolean()) {
            throw invalid(source, key + "=" + node + " is not true or false");
        }
        return node.asBoolean();
    }

    private static void positive(String source, String key, int value) {
        if (value < 1) {
            throw invalid(source, key + "=" + value + " must be positive");
        }
    }

    private static KefuException invalid(String source, String message) {
        return new KefuException(ErrorCode.INVALID_CHECKPOINT, source + ": " + message);
    }
}
