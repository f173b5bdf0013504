package io.kefu.spi;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.data.Dataset;
import io.kefu.data.Example;
import io.kefu.train.Adapter;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;

/**
 * The engine-free implementations behind the static factories of the API ({@link Dataset#load},
 * {@link Dataset#of}, {@link Adapter#load}). The {@code io.kefu:runtime} module provides the one
 * implementation; there is no need to implement it elsewhere.
 */
public interface CoreServices {
    /** Loads and validates a dataset file. */
    Dataset loadDataset(Path file);

    /** Wraps examples as a dataset. */
    Dataset dataset(List<Example> examples);

    /** Loads a PEFT adapter folder. */
    Adapter loadAdapter(Path directory);

    /**
     * @return the implementation on the class path
     * @throws KefuException with {@link ErrorCode#ENGINE_UNAVAILABLE} when io.kefu:runtime is missing
     */
    static CoreServices get() {
        return Holder.INSTANCE;
    }

    /** Lazily finds the implementation once. */
    final class Holder {
        private static final CoreServices INSTANCE = find();

        private Holder() {
        }

        private static CoreServices find() {
            for (CoreServices services : ServiceLoader.load(CoreServices.class, CoreServices.class.getClassLoader())) {
                return services;
            }
            throw new KefuException(ErrorCode.ENGINE_UNAVAILABLE,
                    "io.kefu:runtime is not on the class path; add it as a dependency");
        }
    }
}
