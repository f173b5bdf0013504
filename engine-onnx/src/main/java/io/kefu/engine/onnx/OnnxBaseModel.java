package io.kefu.engine.onnx;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatTemplate;
import io.kefu.runtime.format.AtomicFiles;
import io.kefu.runtime.format.DecoderLayout;
import io.kefu.runtime.format.HfModelConfig;
import io.kefu.runtime.format.Json;
import io.kefu.runtime.template.HfChatTemplate;
import io.kefu.model.BaseModel;
import io.kefu.model.ModelRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A model folder the ONNX engine serves: an exported ONNX decoder ({@code model.onnx} with the
 * tokenizer files beside it). When the reference named a Hugging Face checkpoint instead, this is
 * a temporary export of it, deleted on {@link #close()}; the checkpoint is kept so adapters can be
 * merged into a fresh export.
 */
final class OnnxBaseModel implements BaseModel {
    private final ModelRef ref;
    private final Path directory;
    private final Optional<Path> checkpoint;
    private final boolean temporary;
    private final AtomicBoolean closed = new AtomicBoolean();

    OnnxBaseModel(ModelRef ref, Path directory, Optional<Path> checkpoint, boolean temporary) {
        this.ref = ref;
        this.directory = directory;
        this.checkpoint = checkpoint;
        this.temporary = temporary;
    }

    @Override
    public ModelRef ref() {
        return ref;
    }

    @Override
    public Path directory() {
        checkOpen();
        return directory;
    }

    /** @return the Hugging Face checkpoint this was exported from, when known */
    Optional<Path> checkpoint() {
        return checkpoint;
    }

    @Override
    public String architecture() {
        checkOpen();
        Path config = directory.resolve("config.json");
        if (Files.isRegularFile(config)) {
            return HfModelConfig.load(config).architecture().className();
        }
        Path genai = directory.resolve("genai_config.json");
        if (Files.isRegularFile(genai)) {
            try {
                return Json.mapper().readTree(Files.readString(genai)).path("model").path("type").asText("unknown");
            } catch (IOException e) {
                throw new KefuException(ErrorCode.INVALID_CHECKPOINT, genai + ": cannot read: " + e.getMessage(), e);
            }
        }
        return "unknown";
    }

    @Override
    public long parameterCount() {
        checkOpen();
        Path config = directory.resolve("config.json");
        if (!Files.isRegularFile(config)) {
            throw new KefuException(ErrorCode.UNSUPPORTED, directory + ": the parameter count needs config.json beside model.onnx");
        }
        return DecoderLayout.of(HfModelConfig.load(config)).parameterCount();
    }

    @Override
    public ChatTemplate template() {
        checkOpen();
        return HfChatTemplate.fromModelDir(directory);
    }

    @Override
    public void save(Path target) {
        throw new KefuException(ErrorCode.UNSUPPORTED, "the ONNX engine does not change weights, so there is nothing new to save;"
                + " copy " + (checkpoint.isPresent() ? checkpoint.get() : directory) + " instead");
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new KefuException(ErrorCode.CLOSED, ref.value() + ": the ONNX base model was closed");
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true) && temporary) {
            AtomicFiles.deleteRecursivelyQuietly(directory);
        }
    }
}
