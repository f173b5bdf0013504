package io.kefu.eval.gate;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The paired bootstrap of two systems scored on the same examples (Koehn 2004, "Statistical
 * significance tests for machine translation evaluation"): draw the example indices with replacement,
 * recompute each system's metric on the same draw, and take percentile bounds of the difference
 * (candidate minus baseline) over the draws. A corpus metric such as corpus BLEU is recomputed on
 * each draw, not averaged per example.
 *
 * <p>A draw is handed to the metric as draw counts: {@code counts[i]} is how many times example
 * {@code i} was drawn. Draws are made with {@link SplittableRandom} seeded by {@link #seed()}, so the
 * same seed gives the same interval. The bounds are the {@code (1 - confidence) / 2} and
 * {@code (1 + confidence) / 2} quantiles of the differences, interpolated linearly between order
 * statistics (NumPy's default {@code percentile}). A draw on which either metric is undefined (NaN:
 * say, a rate over a population the draw left empty) is left out and counted.
 */
public final class PairedBootstrap {
    /** Draws unless told otherwise. */
    public static final int DEFAULT_RESAMPLES = 1000;
    /** Interval confidence unless told otherwise. */
    public static final double DEFAULT_CONFIDENCE = 0.95;

    private final int resamples;
    private final long seed;
    private final double confidence;

    /** A metric of one system on a draw of the examples; NaN where it is undefined. */
    @FunctionalInterface
    public interface Statistic {
        /** @param counts how many times each example was drawn, in example order */
        double of(int[] counts);
    }

    /**
     * The difference of two systems' metric, candidate minus baseline.
     *
     * @param observed the difference on the examples as they are (every count 1)
     * @param lower the lower bound of the interval
     * @param upper the upper bound of the interval
     * @param confidence the interval's confidence
     * @param resamples the draws that made the interval
     * @param undefined draws left out because a metric was undefined on them
     */
    public record Interval(double observed, double lower, double upper, double confidence, int resamples, int undefined) {
    }

    /**
     * @param resamples how many draws, at least 1
     * @param seed the seed of the draws
     * @param confidence the interval's confidence, above 0 and below 1
     * @throws KefuException {@link ErrorCode#INVALID_ARGUMENT} on a bad number
     */
    public PairedBootstrap(int resamples, long seed, double confidence) {
        if (resamples < 1) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "resamples " + resamples + " must be at least 1");
        }
        if (!(confidence > 0 && confidence < 1)) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "confidence " + confidence + " must be above 0 and below 1");
        }
        this.resamples = resamples;
        this.seed = seed;
        this.confidence = confidence;
    }

    /** @return the number of draws */
    public int resamples() {
        return resamples;
    }

    /** @return the seed of the draws */
    public long seed() {
        return seed;
    }

    /** @return the interval's confidence */
    public double confidence() {
        return confidence;
    }

    /**
     * @param examples how many examples both systems were scored on (at least 1)
     * @param baseline the baseline's metric
     * @param candidate the candidate's metric on the same examples
     * @return the observed difference and its interval; both bounds NaN when every draw was undefined
     */
    public Interval difference(int examples, Statistic baseline, Statistic candidate) {
        double[] differences = differences(examples, baseline, candidate);
        int defined = 0;
        for (double d : differences) {
            if (!Double.isNaN(d)) {
                differences[defined++] = d;
            }
        }
        double[] sorted = Arrays.copyOf(differences, defined);
        Arrays.sort(sorted);
        int[] all = new int[examples];
        Arrays.fill(all, 1);
        double observed = candidate.of(all) - baseline.of(all);
        double tail = (1 - confidence) / 2;
        return new Interval(observed, quantile(sorted, tail), quantile(sorted, 1 - tail), confidence, resamples,
                resamples - defined);
    }

    /** @return the difference on every draw, in draw order (NaN where a metric was undefined) */
    double[] differences(int examples, Statistic baseline, Statistic candidate) {
        if (examples < 1) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "a bootstrap needs at least one example");
        }
        SplittableRandom random = new SplittableRandom(seed);
        double[] differences = new double[resamples];
        int[] counts = new int[examples];
        for (int r = 0; r < resamples; r++) {
            Arrays.fill(counts, 0);
            for (int i = 0; i < examples; i++) {
                counts[random.nextInt(examples)]++;
            }
            differences[r] = candidate.of(counts) - baseline.of(counts);
        }
        return differences;
    }

    /** The {@code p} quantile of sorted values, interpolated linearly between order statistics; NaN for none. */
    static double quantile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        double position = p * (sorted.length - 1);
        int below = (int) Math.floor(position);
        int above = Math.min(below + 1, sorted.length - 1);
        return sorted[below] + (position - below) * (sorted[above] - sorted[below]);
    }
}
