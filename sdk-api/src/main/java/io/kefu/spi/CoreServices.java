package io.kefu.spi;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.data.Dataset;
import io.kefu.data.Example;
import io.kefu.eval.Evaluator;
import io.kefu.train.Adapter;
import java.nio.file.Path;
import java.util.List;
import java.util.ServiceLoader;

/**
 * The engine-free implementations behind the static factories of the API ({@link Dataset#load},
 * {@link Adapter#load}, {@link Evaluator#standard}). sdk-core provides the one implementation;
 * there is no need to implement it elsewhere.
 */
public interface CoreServices {
    /** Loads and validates a dataset file. */
    Dataset loadDataset(Path file);

    /** Wraps examples as a dataset. */
    Dataset dataset(List<Example> examples);

    /** Loads a PEFT adapter folder. */
    Adapter loadAdapter(Path directory);

    /** The default evaluator: BLEU-4, ROUGE and the shop's business checks. */
    Evaluator standardEvaluator();

    /**
     * @return the implementation on the class path
     * @throws KefuException with {@link ErrorCode#ENGINE_UNAVAILABLE} when sdk-core is missing
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
                    "io.kefu:sdk-core is not on the class path; add it as a dependency");
        }
    }
}
