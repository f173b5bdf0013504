package io.kefu.model;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Names a base model: a local Hugging Face checkpoint folder, or a hub id such as
 * {@code Qwen/Qwen2.5-0.5B-Instruct} (optionally {@code @revision}).
 *
 * @param value the folder path or hub id as given
 */
public record ModelRef(String value) {
    /** Checks the value is not blank. */
    public ModelRef {
        Objects.requireNonNull(value, "value");
        if (value.isBlank()) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "model reference must not be blank");
        }
    }

    /** @return a reference to a folder or hub id; an existing folder wins over a hub id of the same spelling */
    public static ModelRef of(String value) {
        return new ModelRef(value);
    }

    /** @return a reference to a local folder */
    public static ModelRef of(Path folder) {
        return new ModelRef(folder.toString());
    }

    /** @return the folder when the value names an existing directory */
    public Optional<Path> localDirectory() {
        Path path = Path.of(value);
        return Files.isDirectory(path) ? Optional.of(path) : Optional.empty();
    }

    /** @return true when the value looks like {@code owner/name} and is not an existing folder */
    public boolean isHubId() {
        return localDirectory().isEmpty() && value.matches("[A-Za-z0-9][\\w.-]*/[\\w.-]+(@[\\w./-]+)?");
    }
}
