package io.kefu.spi;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.eval.Evaluator;
import java.util.ServiceLoader;

/**
 * The implementation behind {@link Evaluator#standard()}. The {@code io.kefu:eval} module provides it;
 * an application that only serves or calls a model does not need that module and its libraries.
 */
public interface EvaluatorProvider {
    /** The default evaluator: BLEU-4, ROUGE and the shop's business checks. */
    Evaluator standardEvaluator();

    /**
     * @return the implementation on the class path
     * @throws KefuException with {@link ErrorCode#ENGINE_UNAVAILABLE} when io.kefu:eval is missing
     */
    static EvaluatorProvider get() {
        return Holder.INSTANCE;
    }

    /** Lazily finds the implementation once. */
    final class Holder {
        private static final EvaluatorProvider INSTANCE = find();

        private Holder() {
        }

        private static EvaluatorProvider find() {
            for (EvaluatorProvider provider
                    : ServiceLoader.load(EvaluatorProvider.class, EvaluatorProvider.class.getClassLoader())) {
                return provider;
            }
            throw new KefuException(ErrorCode.ENGINE_UNAVAILABLE,
                    "io.kefu:eval is not on the class path; add it as a dependency to use Evaluator.standard()");
        }
    }
}
