package io.kefu.eval.standard;

import io.kefu.eval.Evaluator;
import io.kefu.spi.EvaluatorProvider;

/** Backs {@link Evaluator#standard()} with {@link StandardEvaluator#withDefaults()}; found through {@code META-INF/services}. */
public final class StandardEvaluatorProvider implements EvaluatorProvider {
    /** Used by {@link java.util.ServiceLoader}. */
    public StandardEvaluatorProvider() {
    }

    @Override
    public Evaluator standardEvaluator() {
        return StandardEvaluator.withDefaults();
    }
}
