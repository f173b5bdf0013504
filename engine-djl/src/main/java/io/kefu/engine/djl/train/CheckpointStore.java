package io.kefu.engine.djl.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.runtime.format.AtomicFiles;
import io.kefu.runtime.format.Dtype;
import io.kefu.runtime.format.Json;
import io.kefu.runtime.format.SafetensorsFile;
import io.kefu.runtime.format.SafetensorsWriter;
import io.kefu.runtime.format.TensorSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Training checkpoints in {@code <dir>/checkpoint-<step>/}: {@code trainable.safetensors} (the
 * trained tensors, fp32), {@code optimizer.safetensors} (AdamW moments), {@code trainer_state.json}
 * (step, schedule position, data position, RNG position, loss sums). Each is built in a hidden temp
 * folder and renamed into place, so a crash leaves either the whole checkpoint or none. The two
 * newest are kept; folders are ordered by the step number in their name, and a newest checkpoint
 * that does not read back falls back to the one before it.
 */
final class CheckpointStore {
    static final String PREFIX = "checkpoint-";
    static final String TRAINABLE = "trainable.safetensors";
    static final String OPTIMIZER = "optimizer.safetensors";
    static final String STATE = "trainer_state.json";
    private static final int KEEP = 2;
    private static final Logger LOG = LoggerFactory.getLogger(CheckpointStore.class);
    private static final ObjectMapper JSON = Json.indented();

    private final Path root;

    CheckpointStore(Path root) {
        this.root = root;
    }

    /** A checkpoint read back. */
    record Loaded(TrainerState state, Map<String, float[]> trainable, Map<String, float[]> optimizer, Path directory) {
    }

    /** Writes a checkpoint atomically and returns its folder. */
    Path save(TrainerState state, Map<String, float[]> trainable, Map<String, long[]> shapes, Map<String, float[]> optimizer) {
        Path target = root.resolve(String.format("%s%06d", PREFIX, state.step()));
        Path temp = root.resolve("." + target.getFileName() + ".tmp");
        try {
            Files.createDirectories(root);
            AtomicFiles.deleteRecursively(temp);
            Files.createDirectories(temp);
            writeTensors(temp.resolve(TRAINABLE), trainable, shapes);
            Map<String, long[]> flat = new LinkedHashMap<>();
            optimizer.forEach((k, v) -> flat.put(k, new long[] {v.length}));
            writeTensors(temp.resolve(OPTIMIZER), optimizer, flat);
            AtomicFiles.writeString(temp.resolve(STATE), JSON.writeValueAsString(state));
            AtomicFiles.deleteRecursively(target);
            AtomicFiles.moveFolderIntoPlace(temp, target);
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, target + ": cannot write the checkpoint: " + e.getMessage(), e);
        }
        prune();
        return target;
    }

    private static void writeTensors(Path file, Map<String, float[]> values, Map<String, long[]> shapes) {
        List<TensorSpec> specs = new ArrayList<>();
        values.keySet().forEach(name -> specs.add(new TensorSpec(name, Dtype.F32, shapes.get(name))));
        SafetensorsWriter.write(file, Map.of("format", "pt"), specs, values);
    }

    /**
     * @return the newest checkpoint that reads back whole, if any; a newer one that does not (a
     *     truncated or damaged file) is skipped with a warning and left in place for inspection
     * @throws KefuException with {@link ErrorCode#INVALID_CHECKPOINT} when checkpoints exist but none reads back
     */
    Optional<Loaded> latest() {
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        List<Path> all = list();
        KefuException newestProblem = null;
        for (int i = all.size() - 1; i >= 0; i--) {
            Path dir = all.get(i);
            try {
                return Optional.of(load(dir));
            } catch (KefuException e) {
                LOG.warn("{}: cannot read this checkpoint ({}); trying the one before", dir, e.getMessage());
                if (newestProblem == null) {
                    newestProblem = e;
                }
            }
        }
        if (newestProblem != null) {
            throw new KefuException(ErrorCode.INVALID_CHECKPOINT, root + ": no checkpoint reads back; the newest failed with: "
                    + newestProblem.getMessage(), newestProblem);
        }
        return Optional.empty();
    }

    private static Loaded load(Path dir) {
        TrainerState state;
        try {
            state = JSON.readValue(Files.readString(dir.resolve(STATE)), TrainerState.class);
        } catch (IOException e) {
            throw new KefuException(ErrorCode.INVALID_CHECKPOINT, dir.resolve(STATE) + ": cannot read: " + e.getMessage(), e);
        }
        return new Loaded(state, readTensors(dir.resolve(TRAINABLE)), readTensors(dir.resolve(OPTIMIZER)), dir);
    }

    /** @return the step a checkpoint folder name holds, or -1 when the name is not a checkpoint's */
    static long stepOf(Path dir) {
        String name = dir.getFileName().toString();
        if (!name.matches(PREFIX + "\\d{1,18}")) {
            return -1;
        }
        return Long.parseLong(name.substring(PREFIX.length()));
    }

    private static Map<String, float[]> readTensors(Path file) {
        Map<String, float[]> out = new LinkedHashMap<>();
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            for (String name : f.names()) {
                out.put(name, f.readFloats(name));
            }
        }
        return out;
    }

    private List<Path> list() {
        try (Stream<Path> s = Files.list(root)) {
            return s.filter(p -> stepOf(p) >= 0 && Files.isRegularFile(p.resolve(STATE)))
                    .sorted(Comparator.comparingLong(CheckpointStore::stepOf))
                    .toList();
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, root + ": cannot list checkpoints: " + e.getMessage(), e);
        }
    }

    private void prune() {
        List<Path> all = list();
        for (int i = 0; i < all.size() - KEEP; i++) {
            try {
                AtomicFiles.deleteRecursively(all.get(i));
            } catch (IOException e) {
                throw new KefuException(ErrorCode.IO, all.get(i) + ": cannot delete an old checkpoint: " + e.getMessage(), e);
            }
        }
    }
}
