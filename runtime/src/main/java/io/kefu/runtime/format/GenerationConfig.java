package io.kefu.runtime.format;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * The token ids of a checkpoint's {@code generation_config.json} that decoding needs.
 *
 * @param bosTokenId {@code bos_token_id}, or empty
 * @param eosTokenIds {@code eos_token_id} as a list (a single id becomes a one-element list);
 *     generation stops on any of them
 * @param padTokenId {@code pad_token_id}, or empty
 */
public record GenerationConfig(OptionalInt bosTokenId, List<Integer> eosTokenIds, OptionalInt padTokenId) {
    private static final ObjectMapper JSON = Json.indented();

    /** Copies the list. */
    public GenerationConfig {
        eosTokenIds = List.copyOf(eosTokenIds);
    }

    /**
     * Reads {@code generation_config.json} from a checkpoint folder.
     *
     * @return the config, or empty when the folder has none
     * @throws KefuException with {@link ErrorCode#INVALID_CHECKPOINT} when it is malformed
     */
    public static Optional<GenerationConfig> load(Path directory) {
        Path file = directory.resolve("generation_config.json");
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file));
        } catch (JsonProcessingException e) {
            throw new KefuException(ErrorCode.INVALID_CHECKPOINT, file + ": not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, file + ": cannot read: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new KefuException(ErrorCode.INVALID_CHECKPOINT, file + ": not a JSON object");
        }
        return Optional.of(new GenerationConfig(optionalId(root, file, "bos_token_id"), ids(root, file, "eos_token_id"),
                optionalId(root, file, "pad_token_id")));
    }

    /** @return a copy whose EOS list also holds {@code extraIds} (kept in order, without duplicates) */
    public GenerationConfig withEos(List<Integer> extraIds) {
        LinkedHashSet<Integer> all = new LinkedHashSet<>(eosTokenIds);
        all.addAll(extraIds);
        return new GenerationConfig(bosTokenId, new ArrayList<>(all), padTokenId);
    }

    /** @return generation_config.json text as transformers writes it */
    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        bosTokenId.ifPresent(id -> root.put("bos_token_id", id));
        if (eosTokenIds.size() == 1) {
            root.put("eos_token_id", eosTokenIds.get(0));
        } else if (!eosTokenIds.isEmpty()) {
            eosTokenIds.forEach(root.putArray("eos_token_id")::add);
        }
        padTokenId.ifPresent(id -> root.put("pad_token_id", id));
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new KefuException(ErrorCode.INTERNAL, "cannot serialise generation_config.json", e);
        }
    }

    /** Writes {@code generation_config.json} into a folder, atomically. */
    public void save(Path directory) {
        AtomicFiles.writeString(directory.resolve("generation_config.json"), toJson());
    }

    private static OptionalInt optionalId(JsonNode root, Path file, String key) {
        JsonNode node = root.get(key);
        if (node == null || node.isNull()) {
            return OptionalInt.empty();
        }
        if (node.isArray()) {
            List<Integer> list = ids(root, file, key);
            return list.isEmpty() ? OptionalInt.empty() : OptionalInt.of(list.get(0));
        }
        if (!node.isIntegralNumber()) {
            throw new KefuException(ErrorCode.INVALID_CHECKPOINT, file + ": " + key + "=" + node + " is not a token id");
        }
        return OptionalInt.of(node.asInt());
    }

    private static List<Integer> ids(JsonNode root, Path file, String key) {
        JsonNode node = root.get(key);
        List<Integer> out = new ArrayList<>();
        if (node == null || node.isNull()) {
            return out;
        }
        if (node.isIntegralNumber()) {
            out.add(node.asInt());
            return out;
        }
        if (!node.isArray()) {
            throw new KefuException(ErrorCode.INVALID_CHECKPOINT, file + ": " + key + "=" + node + " is not a token id or a list");
        }
        for (int i = 0; i < node.size(); i++) {
            if (!node.get(i).isIntegralNumber()) {
                throw new KefuException(ErrorCode.INVALID_CHECKPOINT, file + ": " + key + "[" + i + "]=" + node.get(i)
                        + " is not a token id");
            }
            out.add(node.get(i).asInt());
        }
        return out;
    }
}
