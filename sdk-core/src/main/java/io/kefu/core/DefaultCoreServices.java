package io.kefu.core;

import io.kefu.core.data.DatasetLoader;
import io.kefu.core.data.ListDataset;
import io.kefu.core.format.PeftAdapter;
import io.kefu.data.Dataset;
import io.kefu.data.Example;
import io.kefu.eval.Evaluator;
import io.kefu.spi.CoreServices;
import io.kefu.train.Adapter;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * sdk-core's implementation of {@link CoreServices}, found through {@code META-INF/services}:
 * it backs {@link Dataset#load}, {@link Dataset#of}, {@link Adapter#load} and {@link Evaluator#standard}.
 */
public final class DefaultCoreServices implements CoreServices {
    /** Used by {@link java.util.ServiceLoader}. */
    public DefaultCoreServices() {
    }

    /** Loads with {@link io.kefu.core.data.ValidationOptions#defaults()}; see {@link DatasetLoader#load(Path)}. */
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

    @Override
    public Evaluator standardEvaluator() {
        return io.kefu.core.eval.StandardEvaluator.withDefaults();
    }
}
