package io.kefu.eval;

import io.kefu.chat.ChatModel;
import io.kefu.data.Dataset;
import io.kefu.spi.EvaluatorProvider;

/**
 * Runs a {@link ChatModel} over a held-out set and scores its answers against the references.
 */
public interface Evaluator {
    /**
     * Asks the model every example's prompt and scores the answers.
     *
     * @param model the system under test
     * @param test held-out examples with reference answers
     * @return metrics overall and per intent/strategy, plus the predictions
     */
    EvaluationReport evaluate(ChatModel model, Dataset test);

    /** @return BLEU-4, ROUGE-1/2/L and the shop's business checks, greedy decoding, batch 8 */
    static Evaluator standard() {
        return EvaluatorProvider.get().standardEvaluator();
    }
}
