package io.kefu.cli.data;

import io.kefu.runtime.data.FieldMapping;
import io.kefu.runtime.data.ValidationOptions;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --mapping} option (a picocli mixin) of the commands that read datasets with other field names. */
final class FieldMappingOption {
    @Option(names = "--mapping", paramLabel = "FILE",
            description = "Field mapping for other field names: {\"columns\": {...}, \"tags\": {...}} or a LLaMA-Factory dataset_info entry.")
    Path file;

    /** Sets the mapping on {@code options} when {@code --mapping} was given. */
    void applyTo(ValidationOptions.Builder options) {
        if (file != null) {
            options.mapping(FieldMapping.fromJson(file));
        }
    }
}
