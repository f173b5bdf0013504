package io.kefu.runtime.provenance;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.runtime.format.AtomicFiles;
import io.kefu.runtime.format.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where an adapter came from, kept beside it as {@value #FILE_NAME}: the base model, the adapter the
 * run started from (its folder and {@link Sha256#ofAdapter content hash}; none for a run from
 * scratch), each data file with its SHA-256 and example count, how earlier data was replayed, and
 * the training settings under the config-file keys of {@link io.kefu.runtime.config.TrainingConfigFile}.
 * The file holds nothing that changes between two runs of the same command (no clock time), so
 * identical runs leave identical folders.
 *
 * @param baseModel the base model as the run named it (hub id or folder)
 * @param parent the adapter the run started from, if any
 * @param data the data files, in the order train, validation, replay
 * @param replay how earlier data was mixed in, if it was
 * @param config the training settings by config-file key, in a stable order
 * @param preference the preference training that followed the supervised run, if one did
 */
public record AdapterProvenance(String baseModel, Optional<Parent> parent, List<DataFile> data, Optional<Replay> replay,
                                Map<String, Object> config, Optional<Preference> preference) {
    /** The file's name in the adapter folder. */
    public static final String FILE_NAME = "kefu_provenance.json";
    /** The format version written as {@code kefu_provenance}. */
    public static final int VERSION = 1;
    private static final ObjectMapper JSON = Json.indented();

    public AdapterProvenance {
        Objects.requireNonNull(baseModel, "baseModel");
        Objects.requireNonNull(parent, "parent");
        data = List.copyOf(data);
        Objects.requireNonNull(replay, "replay");
        config = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(config));
        Objects.requireNonNull(preference, "preference");
    }

    /** A record of a run with no preference training after it. */
    public AdapterProvenance(String baseModel, Optional<Parent> parent, List<DataFile> data, Optional<Replay> replay,
                             Map<String, Object> config) {
        this(baseModel, parent, data, replay, config, Optional.empty());
    }

    /** @return this record with the preference training that followed the supervised run */
    public AdapterProvenance withPreference(Preference step) {
        return new AdapterProvenance(baseModel, parent, data, replay, config, Optional.of(step));
    }

    /**
     * @param path the folder as the run named it
     * @param sha256 its {@link Sha256#ofAdapter content hash}
     */
    public record Parent(String path, String sha256) {
    }

    /**
     * @param role {@code train}, {@code validation} or {@code replay}
     * @param path the file as the run named it
     * @param sha256 the SHA-256 of its bytes
     * @param examples how many examples it holds
     */
    public record DataFile(String role, String path, String sha256, int examples) {
        /** @return the record of a file, hashed now */
        public static DataFile of(String role, Path file, int examples) {
            return new DataFile(role, file.toString(), Sha256.ofFile(file), examples);
        }
    }

    /**
     * @param ratio the share of the mixed training set asked to come from the replay file
     * @param seed the sampling seed
     * @param newExamples new training examples
     * @param replayed earlier examples mixed in
     * @param duplicates earlier examples left out because the new data holds the same conversation
     */
    public record Replay(double ratio, long seed, int newExamples, int replayed, int duplicates) {
    }

    /**
     * Preference training run on the supervised adapter (e.g. DPO on the month's records with a rejected
     * answer, the supervised adapter frozen as the reference).
     *
     * @param pairs chosen/rejected pairs trained on
     * @param config that run's settings by config-file key ({@code stage}, {@code pref_beta}, ...), in a stable order
     */
    public record Preference(int pairs, Map<String, Object> config) {
        public Preference {
            config = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(config));
        }
    }

    /** Writes {@value #FILE_NAME} into the folder durably (temp file, fsync, rename). */
    public void writeTo(Path directory) {
        AtomicFiles.writeString(directory.resolve(FILE_NAME), toJson());
    }

    /** @return the record as indented JSON */
    public String toJson() {
        ObjectNode root = JSON.createObjectNode();
        root.put("kefu_provenance", VERSION);
        root.put("base_model", baseModel);
        if (parent.isPresent()) {
            ObjectNode p = root.putObject("parent_adapter");
            p.put("path", parent.get().path());
            p.put("sha256", parent.get().sha256());
        } else {
            root.putNull("parent_adapter");
        }
        for (DataFile file : data) {
            ObjectNode d = root.withArray("data").addObject();
            d.put("role", file.role());
            d.put("path", file.path());
            d.put("sha256", file.sha256());
            d.put("examples", file.examples());
        }
        if (replay.isPresent()) {
            Replay r = replay.get();
            ObjectNode node = root.putObject("replay");
            node.put("ratio", r.ratio());
            node.put("seed", r.seed());
            node.put("new_examples", r.newExamples());
            node.put("replayed", r.replayed());
            node.put("duplicates_skipped", r.duplicates());
        } else {
            root.putNull("replay");
        }
        root.set("config", JSON.valueToTree(config));
        if (preference.isPresent()) {
            ObjectNode node = root.putObject("preference");
            node.put("pairs", preference.get().pairs());
            node.set("config", JSON.valueToTree(preference.get().config()));
        }
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("provenance JSON cannot be written", e);
        }
    }

    /**
     * Reads {@value #FILE_NAME} from an adapter folder.
     *
     * @return the record, or empty when the folder has none (an adapter trained elsewhere or before Kefu wrote one)
     * @throws KefuException {@link ErrorCode#INVALID_CHECKPOINT} naming the file and key when it does not read back
     */
    public static Optional<AdapterProvenance> read(Path directory) {
        Path file = directory.resolve(FILE_NAME);
        JsonNode root;
        try {
            root = JSON.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (JsonProcessingException e) {
            throw new KefuException(ErrorCode.INVALID_CHECKPOINT, file + ": not valid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, file + ": cannot read: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject() || root.path("kefu_provenance").asInt() != VERSION) {
            throw new KefuException(ErrorCode.INVALID_CHECKPOINT, file + ": not a provenance record of version " + VERSION
                    + " (kefu_provenance: " + VERSION + ")");
        }
        JsonNode p = root.path("parent_adapter");
        Optional<Parent> parent = p.isObject() ? Optional.of(new Parent(text(file, p, "path"), text(file, p, "sha256")))
                : Optional.empty();
        List<DataFile> data = new ArrayList<>();
        for (JsonNode d : root.path("data")) {
            data.add(new DataFile(text(file, d, "role"), text(file, d, "path"), text(file, d, "sha256"), d.path("examples").asInt()));
        }
        JsonNode r = root.path("replay");
        Optional<Replay> replay = r.isObject() ? Optional.of(new Replay(r.path("ratio").asDouble(), r.path("seed").asLong(),
                r.path("new_examples").asInt(), r.path("replayed").asInt(), r.path("duplicates_skipped").asInt()))
                : Optional.empty();
        @SuppressWarnings("unchecked")
        Map<String, Object> config = root.path("config").isObject() ? JSON.convertValue(root.get("config"), LinkedHashMap.class)
                : Map.of();
        JsonNode pref = root.path("preference");
        @SuppressWarnings("unchecked")
        Optional<Preference> preference = pref.isObject() ? Optional.of(new Preference(pref.path("pairs").asInt(),
                pref.path("config").isObject() ? JSON.convertValue(pref.get("config"), LinkedHashMap.class) : Map.of()))
                : Optional.empty();
        return Optional.of(new AdapterProvenance(text(file, root, "base_model"), parent, data, replay, config, preference));
    }

    private static String text(Path file, JsonNode node, String key) {
        JsonNode value = node.get(key);
        if (value == null || !value.isTextual()) {
            throw new KefuException(ErrorCode.INVALID_CHECKPOINT, file + ": key '" + key + "' must be text, found " + value);
        }
        return value.asText();
    }
}
