package io.kefu.runtime.tokenize;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.runtime.format.AtomicFiles;
import io.kefu.runtime.format.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Writes a trained byte-level BPE as a Hugging Face tokenizer folder: {@code tokenizer.json} with
 * Qwen 2/3's normaliser, post-processor and decoder, a split that isolates each Chinese
 * character, then Llama 3's pre-tokenizer split, and
 * {@code tokenizer_config.json} with ChatML special tokens and chat template. The folder then
 * loads in transformers, in the Rust tokenizers library and in Kefu alike.
 */
public final class BpeTokenizerFiles {
    /** End of text: padding, and the end of a document. */
    public static final String END_OF_TEXT = "<|endoftext|>";
    /** Opens a ChatML turn. */
    public static final String TURN_START = "<|im_start|>";
    /** Closes a ChatML turn; the end-of-sequence token of chat models. */
    public static final String TURN_END = "<|im_end|>";

    /** ChatML without tools: each message as {@code <|im_start|>role\ncontent<|im_end|>\n}. */
    public static final String CHATML_TEMPLATE = "{%- for message in messages %}"
            + "{{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}"
            + "{%- endfor %}"
            + "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}";

    private static final List<String> SPECIAL_TOKENS = List.of(END_OF_TEXT, TURN_START, TURN_END);

    private BpeTokenizerFiles() {
    }

    /**
     * Writes {@code tokenizer.json} and {@code tokenizer_config.json} into {@code dir} (created
     * when missing); each file appears whole or not at all.
     *
     * @param maxLength the model's context length, written as {@code model_max_length}
     */
    public static void write(BpeTrainer.Result bpe, int maxLength, Path dir) {
        ObjectMapper json = Json.indented();
        try {
            Files.createDirectories(dir);
            AtomicFiles.writeString(dir.resolve("tokenizer.json"), json.writeValueAsString(tokenizerJson(json, bpe)) + "\n");
            AtomicFiles.writeString(dir.resolve("tokenizer_config.json"),
                    json.writeValueAsString(tokenizerConfig(json, bpe.vocab().size(), maxLength)) + "\n");
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, dir + ": cannot write the tokenizer: " + e.getMessage(), e);
        }
    }

    private static ObjectNode tokenizerJson(ObjectMapper json, BpeTrainer.Result bpe) {
        ObjectNode root = json.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode added = root.putArray("added_tokens");
        int id = bpe.vocab().size();
        for (String token : SPECIAL_TOKENS) {
            ObjectNode t = added.addObject();
            t.put("id", id++);
            t.put("content", token);
            t.put("single_word", false);
            t.put("lstrip", false);
            t.put("rstrip", false);
            t.put("normalized", false);
            t.put("special", true);
        }
        root.putObject("normalizer").put("type", "NFC");
        ObjectNode pre = root.putObject("pre_tokenizer");
        pre.put("type", "Sequence");
        ArrayNode steps = pre.putArray("pretokenizers");
        ObjectNode han = steps.addObject();
        han.put("type", "Split");
        han.putObject("pattern").put("Regex", BpeTrainer.HAN_PATTERN);
        han.put("behavior", "Isolated");
        han.put("invert", false);
        ObjectNode split = steps.addObject();
        split.put("type", "Split");
        split.putObject("pattern").put("Regex", BpeTrainer.PRE_TOKENIZER_PATTERN);
        split.put("behavior", "Isolated");
        split.put("invert", false);
        steps.add(byteLevel(json));
        root.set("post_processor", byteLevel(json));
        root.set("decoder", byteLevel(json));
        ObjectNode model = root.putObject("model");
        model.put("type", "BPE");
        model.putNull("dropout");
        model.putNull("unk_token");
        model.put("continuing_subword_prefix", "");
        model.put("end_of_word_suffix", "");
        model.put("fuse_unk", false);
        model.put("byte_fallback", false);
        model.put("ignore_merges", false);
        ObjectNode vocab = model.putObject("vocab");
        for (Map.Entry<String, Integer> e : bpe.vocab().entrySet()) {
            vocab.put(e.getKey(), e.getValue());
        }
        ArrayNode merges = model.putArray("merges");
        for (String[] merge : bpe.merges()) {
            merges.addArray().add(merge[0]).add(merge[1]);
        }
        return root;
    }

    private static ObjectNode byteLevel(ObjectMapper json) {
        ObjectNode node = json.createObjectNode();
        node.put("type", "ByteLevel");
        node.put("add_prefix_space", false);
        node.put("trim_offsets", false);
        node.put("use_regex", false);
        return node;
    }

    private static ObjectNode tokenizerConfig(ObjectMapper json, int firstSpecialId, int maxLength) {
        ObjectNode root = json.createObjectNode();
        root.put("add_bos_token", false);
        root.put("add_prefix_space", false);
        ObjectNode decoder = root.putObject("added_tokens_decoder");
        int id = firstSpecialId;
        for (String token : SPECIAL_TOKENS) {
            ObjectNode t = decoder.putObject(String.valueOf(id++));
            t.put("content", token);
            t.put("lstrip", false);
            t.put("normalized", false);
            t.put("rstrip", false);
            t.put("single_word", false);
            t.put("special", true);
        }
        root.putArray("additional_special_tokens").add(TURN_START).add(TURN_END);
        root.putNull("bos_token");
        root.put("chat_template", CHATML_TEMPLATE);
        root.put("clean_up_tokenization_spaces", false);
        root.put("eos_token", TURN_END);
        root.put("errors", "replace");
        root.put("model_max_length", maxLength);
        root.put("pad_token", END_OF_TEXT);
        root.put("split_special_tokens", false);
        root.put("tokenizer_class", "Qwen2Tokenizer");
        root.putNull("unk_token");
        return root;
    }
}
