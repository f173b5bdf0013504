package io.kefu.runtime;

import io.kefu.runtime.data.DatasetLoader;
import io.kefu.runtime.data.ListDataset;
import io.kefu.runtime.format.PeftAdapter;
import io.kefu.data.Dataset;
import io.kefu.data.Example;
import io.kefu.spi.CoreServices;
import io.kefu.train.Adapter;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * The runtime's implementation of {@link CoreServices}, found through {@code META-INF/services}:
 * it backs {@link Dataset#load}, {@link Dataset#of} and {@link Adapter#load}.
 */
public final class DefaultCoreServices implements CoreServices {
    /** Used by {@link java.util.ServiceLoader}. */
    public DefaultCoreServices() {
    }

    /** Loads with {@link io.kefu.runtime.data.ValidationOptions#defaults()}; see {@link DatasetLoader#load(Path)}. */
    @Override
    public Dataset loadDataset(Path file) {
        return DatasetLoader.load(Objects.requireNonNull(file, "file"));
    }

    @Override
    public Dataset dataset(List<Example> examples) {
        return ListDataset.of(Objects.requireNonNull(examples, "examples"));
    }

    @Override
    public Adapter loadAdapter(Path directory) {
        return PeftAdapter.load(Objects.requireNonNull(directory, "directory"));
    }

}
