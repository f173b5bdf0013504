package io.kefu.engine.djl;

import io.kefu.runtime.format.StagedFolder;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.runtime.format.AtomicFiles;
import io.kefu.runtime.format.CheckpointWriter;
import io.kefu.runtime.format.DecoderLayout;
import io.kefu.runtime.format.Dtype;
import io.kefu.runtime.format.HfModelConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Writes a Hugging Face checkpoint folder: config.json, safetensors (sharded above
 * {@link CheckpointWriter#DEFAULT_MAX_SHARD_BYTES}), the tokenizer files of a source folder and
 * generation_config.json. Tensors are fetched one at a time, so only one is in the heap at once.
 */
final class CheckpointExport {
    /** Files copied unchanged from the source model folder when present. */
    static final List<String> TOKENIZER_FILES = List.of("tokenizer.json", "tokenizer_config.json",
            "special_tokens_map.json", "chat_template.jinja", "tokenizer.model", "vocab.json", "merges.txt",
            "generation_config.json");

    private CheckpointExport() {
    }

    /**
     * Saves a loaded model's current weights in fp32, with the tokenizer files and
     * generation_config.json of its folder, into a new folder (built aside, then renamed into place).
     */
    static void save(DjlBaseModel model, Path target) {
        StagedFolder.publish(target, dir -> write(dir, model.config(), Dtype.F32, model.weights()::floats, model.directory()));
    }

    /**
     * Writes a checkpoint.
     *
     * @param tensor the fp32 values of a tensor by name, called once per tensor in module order
     * @param tokenizerSource folder whose tokenizer files are copied, or null
     */
    static void write(Path target, HfModelConfig config, Dtype dtype, Function<String, float[]> tensor, Path tokenizerSource) {
        try {
            Files.createDirectories(target);
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, target + ": cannot create: " + e.getMessage(), e);
        }
        DecoderLayout layout = DecoderLayout.of(config);
        try (CheckpointWriter writer = CheckpointWriter.create(target, layout.specs(dtype),
                CheckpointWriter.DEFAULT_MAX_SHARD_BYTES, Map.of("format", "pt"))) {
            for (String name : layout.names()) {
                writer.write(name, tensor.apply(name));
            }
            writer.finish();
        }
        AtomicFiles.writeString(target.resolve("config.json"), config.toJson());
        if (tokenizerSource != null && !tokenizerSource.toAbsolutePath().normalize().equals(target.toAbsolutePath().normalize())) {
            copyTokenizerFiles(tokenizerSource, target);
        }
    }

    /** Copies the tokenizer files that exist in {@code source}, each atomically. */
    static void copyTokenizerFiles(Path source, Path target) {
        for (String name : TOKENIZER_FILES) {
            Path from = source.resolve(name);
            if (Files.isRegularFile(from)) {
                Path temp = AtomicFiles.tempSibling(target.resolve(name));
                try {
                    Files.copy(from, temp, StandardCopyOption.REPLACE_EXISTING);
                } catch (IOException e) {
                    AtomicFiles.deleteQuietly(temp);
                    throw new KefuException(ErrorCode.IO, from + ": cannot copy to " + target + ": " + e.getMessage(), e);
                }
                AtomicFiles.moveIntoPlace(temp, target.resolve(name));
            }
        }
    }
}
