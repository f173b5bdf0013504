package io.kefu.eval.standard;

import io.kefu.shop.checks.CheckResult;
import io.kefu.eval.metrics.TextMetrics;

/**
 * A prediction with its per-answer scores.
 *
 * @param prediction the answer and its context
 * @param text the text metrics of the answer against the reference
 * @param checks the business checks of the answer
 */
public record ScoredPrediction(Prediction prediction, TextMetrics.PairScores text, CheckResult checks) {
}
