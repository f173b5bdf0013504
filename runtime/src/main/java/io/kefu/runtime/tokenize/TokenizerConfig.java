package io.kefu.runtime.tokenize;

import com.fasterxml.jackson.databind.JsonNode;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.runtime.format.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a model folder's {@code tokenizer_config.json} says about templates and special tokens.
 *
 * @param file the file it was read from (for messages)
 * @param chatTemplate the default {@code chat_template} (or {@code chat_template.jinja} beside it), or null
 * @param specialTokens the named special tokens that are set ({@code bos_token}, {@code eos_token},
 *     {@code pad_token}, {@code unk_token} ...), as transformers passes them to the template
 * @param addedSpecialTokens the text of every added token marked {@code special}
 */
public record TokenizerConfig(Path file, String chatTemplate, Map<String, String> specialTokens,
                              List<String> addedSpecialTokens) {
    /** Copies the collections. */
    public TokenizerConfig {
        specialTokens = Map.copyOf(specialTokens);
        addedSpecialTokens = List.copyOf(addedSpecialTokens);
    }

    private static final List<String> TOKEN_NAMES = List.of("bos_token", "eos_token", "unk_token", "sep_token",
            "pad_token", "cls_token", "mask_token");

    /**
     * Reads {@code tokenizer_config.json} (and {@code chat_template.jinja} when present) from a model folder.
     *
     * @throws KefuException {@link ErrorCode#NOT_FOUND} when the file is missing,
     *     {@link ErrorCode#INVALID_CHECKPOINT} when it is not valid JSON
     */
    public static TokenizerConfig read(Path modelDir) {
        Path file = modelDir.resolve("tokenizer_config.json");
        JsonNode root;
        try {
            root = Json.mapper().readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new KefuException(ErrorCode.NOT_FOUND, file + ": not found; a model folder needs tokenizer_config.json", e);
        } catch (IOException e) {
            throw new KefuException(ErrorCode.INVALID_CHECKPOINT, file + ": cannot read: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new KefuException(ErrorCode.INVALID_CHECKPOINT, file + ": expected a JSON object");
        }
        Map<String, String> tokens = new LinkedHashMap<>();
        for (String name : TOKEN_NAMES) {
            tokenText(root.get(name)).ifPresent(text -> tokens.put(name, text));
        }
        List<String> added = new ArrayList<>();
        JsonNode decoder = root.path("added_tokens_decoder");
        for (Iterator<JsonNode> it = decoder.elements(); it.hasNext(); ) {
            JsonNode token = it.next();
            if (token.path("special").asBoolean(false) && token.path("content").isTextual()) {
                added.add(token.get("content").asText());
            }
        }
        return new TokenizerConfig(file, chatTemplate(modelDir, root, file), tokens, added);
    }

    private static String chatTemplate(Path modelDir, JsonNode root, Path file) {
        Path jinja = modelDir.resolve("chat_template.jinja");
        if (Files.isRegularFile(jinja)) {
            try {
                return Files.readString(jinja);
            } catch (IOException e) {
                throw new KefuException(ErrorCode.INVALID_CHECKPOINT, jinja + ": cannot read: " + e.getMessage(), e);
            }
        }
        JsonNode template = root.get("chat_template");
        if (template == null || template.isNull()) {
            return null;
        }
        if (template.isTextual()) {
            return template.asText();
        }
        if (template.isArray()) {
            // named templates: [{"name": "default", "template": "..."}, {"name": "tool_use", ...}]
            for (JsonNode named : template) {
                if ("default".equals(named.path("name").asText()) && named.path("template").isTextual()) {
                    return named.get("template").asText();
                }
            }
            throw new KefuException(ErrorCode.INVALID_CHECKPOINT,
                    file + ": field chat_template: a list of named templates without one named \"default\"");
        }
        throw new KefuException(ErrorCode.INVALID_CHECKPOINT,
                file + ": field chat_template: expected a string or a list of named templates, got " + template.getNodeType());
    }

    private static Optional<String> tokenText(JsonNode node) {
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (node.isTextual()) {
            return Optional.of(node.asText());
        }
        if (node.isObject() && node.path("content").isTextual()) {
            return Optional.of(node.get("content").asText());
        }
        return Optional.empty();
    }

    /** @return the {@code bos_token}, if set */
    public Optional<String> bosToken() {
        return Optional.ofNullable(specialTokens.get("bos_token"));
    }

    /** @return the {@code eos_token}, if set */
    public Optional<String> eosToken() {
        return Optional.ofNullable(specialTokens.get("eos_token"));
    }
}
