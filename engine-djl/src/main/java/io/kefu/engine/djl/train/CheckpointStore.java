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

/**
 * Training checkpoints in {@code <dir>/checkpoint-<step>/}: {@code trainable.safetensors} (the
 * trained tensors, fp32), {@code optimizer.safetensors} (AdamW moments), {@code trainer_state.json}
 * (step, schedule position, data position, RNG position, loss sums). Each is built in a hidden temp
 * folder and renamed into place, so a crash leaves either the whole checkpoint or none. The two
 * newest are kept.
 */
final class CheckpointStore {
    static final String PREFIX = "checkpoint-";
    static final String TRAINABLE = "trainable.safetensors";
    static final String OPTIMIZER = "optimizer.safetensors";
    static final String STATE = "trainer_state.json";
    private static final int KEEP = 2;
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

    /** @return the newest complete checkpoint, if any */
    Optional<Loaded> latest() {
        if (!Files.isDirectory(root)) {
            return Optional.empty();
        }
        List<Path> all = list();
        if (all.isEmpty()) {
            return Optional.empty();
        }
        Path dir = all.get(all.size() - 1);
        try {
            TrainerState state = JSON.readValue(Files.readString(dir.resolve(STATE)), TrainerState.class);
            return Optional.of(new Loaded(state, readTensors(dir.resolve(TRAINABLE)), readTensors(dir.resolve(OPTIMIZER)), dir));
        } catch (IOException e) {
            throw new KefuException(ErrorCode.INVALID_CHECKPOINT, dir.resolve(STATE) + ": cannot read: " + e.getMessage(), e);
        }
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
            return s.filter(p -> p.getFileName().toString().matches(PREFIX + "\\d+") && Files.isRegularFile(p.resolve(STATE)))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString()))
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
