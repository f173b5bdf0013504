package io.kefu.runtime.hub;

import com.fasterxml.jackson.databind.JsonNode;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.runtime.format.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which files of a model repository make a checkpoint Kefu can load: config.json,
 * generation_config.json (when present), tokenizer.json, tokenizer_config.json and the safetensors
 * weights (the shards listed by model.safetensors.index.json, or model.safetensors). Pickle
 * {@code *.bin} weights are never fetched: loading them can execute code.
 */
final class CheckpointFiles {
    static final String CONFIG = "config.json";
    static final String GENERATION_CONFIG = "generation_config.json";
    static final String INDEX = "model.safetensors.index.json";
    static final String SINGLE_WEIGHTS = "model.safetensors";
    static final List<String> REQUIRED = List.of(CONFIG, "tokenizer.json", "tokenizer_config.json");
    private static final List<String> SMALL_FILES = List.of(CONFIG, GENERATION_CONFIG, "tokenizer.json", "tokenizer_config.json", INDEX);

    private CheckpointFiles() {
    }

    /**
     * @param repoFiles every file of the repository at the revision
     * @return the small files to fetch first (configs, tokenizer, weight index), in a fixed order
     * @throws KefuException with {@link ErrorCode#INVALID_CHECKPOINT} when a required file is missing
     *     or the weights are only in pickle format
     */
    static List<String> smallFiles(HubModelId id, Set<String> repoFiles) {
        for (String required : REQUIRED) {
            if (!repoFiles.contains(required)) {
                throw new KefuException(ErrorCode.INVALID_CHECKPOINT, "hub model " + id + " has no " + required
                        + "; Kefu needs config.json, tokenizer.json and tokenizer_config.json beside the weights");
            }
        }
        if (repoFiles.stream().noneMatch(CheckpointFiles::isTopLevelSafetensors)) {
            boolean pickle = repoFiles.stream().anyMatch(f -> f.endsWith(".bin") || f.endsWith(".pt") || f.endsWith(".pth"));
            throw new KefuException(ErrorCode.INVALID_CHECKPOINT, "hub model " + id + " has no *.safetensors weights"
                    + (pickle ? "; its pickle weights (*.bin) are refused because loading them can execute code" : ""));
        }
        return SMALL_FILES.stream().filter(repoFiles::contains).toList();
    }

    /**
     * @param snapshot the folder holding the small files already fetched
     * @param repoFiles every file of the repository, or null when offline (then the index alone decides)
     * @return the weight files: the index's shards, else model.safetensors, else every top-level *.safetensors
     */
    static List<String> weightFiles(HubModelId id, Path snapshot, Set<String> repoFiles) {
        Path index = snapshot.resolve(INDEX);
        if (Files.exists(index)) {
            List<String> shards = shardsOf(index);
            if (repoFiles != null) {
                for (String shard : shards) {
                    if (!repoFiles.contains(shard)) {
                        throw new KefuException(ErrorCode.INVALID_CHECKPOINT, "hub model " + id + ": " + INDEX
                                + " names shard '" + shard + "', which the repository does not have");
                    }
                }
            }
            return shards;
        }
        if (repoFiles == null || repoFiles.contains(SINGLE_WEIGHTS)) {
            return List.of(SINGLE_WEIGHTS);
        }
        return repoFiles.stream().filter(CheckpointFiles::isTopLevelSafetensors).sorted().toList();
    }

    /** @return the files a complete checkpoint in {@code snapshot} still lacks (empty when complete) */
    static List<String> missingFrom(Path snapshot) {
        List<String> missing = new ArrayList<>();
        for (String required : REQUIRED) {
            if (!Files.exists(snapshot.resolve(required))) {
                missing.add(required);
            }
        }
        if (Files.exists(snapshot.resolve(INDEX))) {
            for (String shard : shardsOf(snapshot.resolve(INDEX))) {
                if (!Files.exists(snapshot.resolve(shard))) {
                    missing.add(shard);
                }
            }
        } else if (!Files.exists(snapshot.resolve(SINGLE_WEIGHTS)) && !hasSafetensors(snapshot)) {
            missing.add(SINGLE_WEIGHTS);
        }
        return missing;
    }

    private static boolean hasSafetensors(Path dir) {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (var files = Files.list(dir)) {
            return files.anyMatch(f -> f.getFileName().toString().endsWith(".safetensors") && Files.exists(f));
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean isTopLevelSafetensors(String file) {
        return file.endsWith(".safetensors") && !file.contains("/");
    }

    private static List<String> shardsOf(Path index) {
        JsonNode map;
        try {
            map = Json.mapper().readTree(index.toFile()).path("weight_map");
        } catch (IOException e) {
            throw new KefuException(ErrorCode.INVALID_CHECKPOINT, index + ": not valid JSON: " + e.getMessage(), e);
        }
        if (!map.isObject() || map.isEmpty()) {
            throw new KefuException(ErrorCode.INVALID_CHECKPOINT, index + ": weight_map is missing or empty");
        }
        Set<String> shards = new TreeSet<>();
        for (Iterator<JsonNode> it = map.elements(); it.hasNext(); ) {
            String shard = it.next().asText();
            if (shard.isEmpty() || shard.contains("..") || shard.startsWith("/") || !shard.endsWith(".safetensors")) {
                throw new KefuException(ErrorCode.INVALID_CHECKPOINT, index + ": weight_map names '" + shard
                        + "', which is not a safetensors file inside the repository");
            }
            shards.add(shard);
        }
        return List.copyOf(shards);
    }
}
