package io.kefu.eval.metrics;

import java.util.List;

/**
 * A corpus BLEU score with its sufficient statistics, on sacreBLEU's 0-100 scale.
 *
 * @param score BLEU, 0..100
 * @param precisions the (smoothed) n-gram precisions for n = 1..4, 0..100
 * @param brevityPenalty the brevity penalty, 0..1
 * @param correct clipped n-gram matches for n = 1..4
 * @param total hypothesis n-grams for n = 1..4
 * @param hypothesisLength tokens in all hypotheses
 * @param referenceLength tokens in all references
 */
public record BleuScore(double score, List<Double> precisions, double brevityPenalty, List<Integer> correct,
                        List<Integer> total, long hypothesisLength, long referenceLength) {
    /** Copies the lists. */
    public BleuScore {
        precisions = List.copyOf(precisions);
        correct = List.copyOf(correct);
        total = List.copyOf(total);
    }
}
