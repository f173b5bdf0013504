package io.kefu.engine.onnx.export;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.runtime.format.GenerationConfig;
import io.kefu.runtime.format.HfModelConfig;
import io.kefu.runtime.format.Json;
import java.util.List;
import java.util.Optional;

/**
 * {@code genai_config.json} in ONNX Runtime GenAI's schema: the decoder file, its input and output
 * names, the model's dimensions, special tokens and default search settings (greedy).
 */
final class GenAiConfig {
    private static final ObjectMapper JSON = Json.indented();

    private GenAiConfig() {
    }

    /**
     * @param sharedKvCache whether past and present share one fixed-size buffer ({@code search.past_present_share_buffer});
     *     ONNX Runtime GenAI then allocates it {@code search.max_length} positions long
     */
    static String json(HfModelConfig config, Optional<GenerationConfig> generation, String modelFile, int contextLength,
                       boolean sharedKvCache) {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode model = root.putObject("model");
        generation.flatMap(gc -> gc.bosTokenId().isPresent() ? Optional.of(gc.bosTokenId().getAsInt()) : Optional.empty())
                .or(() -> config.bosTokenId().isPresent() ? Optional.of(config.bosTokenId().getAsInt()) : Optional.empty())
                .ifPresent(id -> model.put("bos_token_id", id));
        model.put("context_length", contextLength);
        ObjectNode decoder = model.putObject("decoder");
        ObjectNode sessionOptions = decoder.putObject("session_options");
        sessionOptions.put("log_id", "onnxruntime-genai");
        sessionOptions.putArray("provider_options");
        decoder.put("filename", modelFile);
        decoder.put("head_size", config.headDim());
        decoder.put("hidden_size", config.hiddenSize());
        ObjectNode inputs = decoder.putObject("inputs");
        inputs.put("input_ids", DecoderGraph.INPUT_IDS);
        inputs.put("attention_mask", DecoderGraph.ATTENTION_MASK);
        inputs.put("position_ids", DecoderGraph.POSITION_IDS);
        inputs.put("past_key_names", "past_key_values.%d.key");
        inputs.put("past_value_names", "past_key_values.%d.value");
        ObjectNode outputs = decoder.putObject("outputs");
        outputs.put("logits", DecoderGraph.LOGITS);
        outputs.put("present_key_names", "present.%d.key");
        outputs.put("present_value_names", "present.%d.value");
        decoder.put("num_attention_heads", config.numAttentionHeads());
        decoder.put("num_hidden_layers", config.numHiddenLayers());
        decoder.put("num_key_value_heads", config.numKeyValueHeads());
        List<Integer> eos = generation.map(GenerationConfig::eosTokenIds).filter(l -> !l.isEmpty()).orElse(config.eosTokenIds());
        if (eos.size() == 1) {
            model.put("eos_token_id", eos.get(0));
        } else {
            ArrayNode array = model.putArray("eos_token_id");
            eos.forEach(array::add);
        }
        int pad = generation.flatMap(gc -> gc.padTokenId().isPresent() ? Optional.of(gc.padTokenId().getAsInt()) : Optional.empty())
                .orElse(eos.isEmpty() ? 0 : eos.get(0));
        model.put("pad_token_id", pad);
        model.put("type", config.modelType());
        model.put("vocab_size", config.vocabSize());
        ObjectNode search = root.putObject("search");
        search.put("diversity_penalty", 0.0);
        search.put("do_sample", false);
        search.put("early_stopping", true);
        search.put("length_penalty", 1.0);
        search.put("max_length", contextLength);
        search.put("min_length", 0);
        search.put("no_repeat_ngram_size", 0);
        search.put("num_beams", 1);
        search.put("num_return_sequences", 1);
        search.put("past_present_share_buffer", sharedKvCache);
        search.put("repetition_penalty", 1.0);
        search.put("temperature", 1.0);
        search.put("top_k", 1);
        search.put("top_p", 1.0);
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new KefuException(ErrorCode.INTERNAL, "cannot write genai_config.json", e);
        }
    }
}
