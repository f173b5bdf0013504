package io.kefu.runtime.format;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Writes a copy of a Hugging Face checkpoint with its floating-point weights in another dtype
 * (for example fp32 to bf16, rounding to nearest even), {@code torch_dtype} in config.json set to
 * match, and every other file (tokenizer, generation config) copied unchanged. Tensor by tensor,
 * into a new folder that appears only when complete.
 */
public final class CheckpointCast {
    private CheckpointCast() {
    }

    /**
     * @param source a checkpoint folder
     * @param dtype F32, F16 or BF16
     * @param out a new or empty folder
     */
    public static void cast(Path source, Dtype dtype, Path out) {
        if (dtype != Dtype.F32 && dtype != Dtype.F16 && dtype != Dtype.BF16) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "cannot store weights as " + dtype + "; use F32, F16 or BF16");
        }
        try (Checkpoint checkpoint = Checkpoint.open(source)) {
            List<TensorSpec> specs = new ArrayList<>();
            for (TensorSpec spec : checkpoint.tensorSpecs()) {
                specs.add(spec.dtype().isFloatingPoint() ? new TensorSpec(spec.name(), dtype, spec.shape()) : spec);
            }
            StagedFolder.publish(out, dir -> {
                copyOtherFiles(source, dir);
                writeConfig(source, dtype, dir);
                try (CheckpointWriter writer = CheckpointWriter.create(dir, specs, CheckpointWriter.DEFAULT_MAX_SHARD_BYTES,
                        Map.of("format", "pt"))) {
                    for (TensorSpec spec : specs) {
                        if (spec.dtype().isFloatingPoint()) {
                            writer.write(spec.name(), checkpoint.readFloats(spec.name()));
                        } else {
                            writer.copyTensor(checkpoint.fileOf(spec.name()), spec.name());
                        }
                    }
                    writer.finish();
                }
            });
        }
    }

    private static void copyOtherFiles(Path source, Path dir) {
        try (Stream<Path> files = Files.list(source)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String name = file.getFileName().toString();
                if (!name.endsWith(".safetensors") && !name.equals(Checkpoint.INDEX_FILE) && !name.equals("config.json")) {
                    Files.copy(file, dir.resolve(name), StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, source + ": cannot copy: " + e.getMessage(), e);
        }
    }

    private static void writeConfig(Path source, Dtype dtype, Path dir) {
        Path file = source.resolve("config.json");
        try {
            ObjectMapper json = Json.indented();
            ObjectNode config = (ObjectNode) json.readTree(Files.readString(file));
            config.put("torch_dtype", dtype.torchName());
            Files.writeString(dir.resolve("config.json"), json.writeValueAsString(config) + "\n");
        } catch (IOException | ClassCastException e) {
            throw new KefuException(ErrorCode.INVALID_CHECKPOINT, file + ": cannot read: " + e.getMessage(), e);
        }
    }
}
