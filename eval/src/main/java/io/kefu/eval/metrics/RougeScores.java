package io.kefu.eval.metrics;

/**
 * ROUGE F1 scores of one prediction, on a 0..100 scale.
 *
 * @param rouge1 unigram F1
 * @param rouge2 bigram F1
 * @param rougeL longest-common-subsequence F1
 */
public record RougeScores(double rouge1, double rouge2, double rougeL) {
    /** All zero: what an empty prediction or reference scores. */
    public static final RougeScores ZERO = new RougeScores(0, 0, 0);
}
