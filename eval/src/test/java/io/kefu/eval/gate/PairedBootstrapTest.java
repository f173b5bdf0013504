package io.kefu.eval.gate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.kefu.KefuException;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PairedBootstrapTest {
    /** The weighted mean of per-example values: the statistic of a per-answer metric. */
    private static PairedBootstrap.Statistic mean(double[] values) {
        return counts -> {
            double sum = 0;
            int n = 0;
            for (int i = 0; i < counts.length; i++) {
                sum += counts[i] * values[i];
                n += counts[i];
            }
            return sum / n;
        };
    }

    @Test
    void quantilesInterpolateBetweenOrderStatisticsAsNumpyDoes() {
        double[] sorted = {1, 2, 3, 4};
        // numpy.percentile([1, 2, 3, 4], [0, 25, 50, 97.5, 100]) = [1, 1.75, 2.5, 3.925, 4]
        assertThat(PairedBootstrap.quantile(sorted, 0)).isEqualTo(1);
        assertThat(PairedBootstrap.quantile(sorted, 0.25)).isCloseTo(1.75, within(1e-12));
        assertThat(PairedBootstrap.quantile(sorted, 0.5)).isCloseTo(2.5, within(1e-12));
        assertThat(PairedBootstrap.quantile(sorted, 0.975)).isCloseTo(3.925, within(1e-12));
        assertThat(PairedBootstrap.quantile(sorted, 1)).isEqualTo(4);
        assertThat(PairedBootstrap.quantile(new double[0], 0.5)).isNaN();
    }

    @Test
    void twoExamplesGiveTheHandComputedDistribution() {
        // candidate beats baseline on one example of two: a draw's mean difference is 0, 1/2 or 1 with
        // probabilities 1/4, 1/2, 1/4 (two draws of two examples), so the 95% interval is [0, 1]
        PairedBootstrap bootstrap = new PairedBootstrap(4000, 7, 0.95);
        PairedBootstrap.Statistic baseline = mean(new double[] {0, 0});
        PairedBootstrap.Statistic candidate = mean(new double[] {0, 1});
        double[] differences = bootstrap.differences(2, baseline, candidate);
        assertThat(Arrays.stream(differences).filter(d -> d == 0).count() / 4000.0).isCloseTo(0.25, within(0.03));
        assertThat(Arrays.stream(differences).filter(d -> d == 0.5).count() / 4000.0).isCloseTo(0.5, within(0.03));
        assertThat(Arrays.stream(differences).filter(d -> d == 1).count() / 4000.0).isCloseTo(0.25, within(0.03));
        PairedBootstrap.Interval interval = bootstrap.difference(2, baseline, candidate);
        assertThat(interval.observed()).isEqualTo(0.5);
        assertThat(interval.lower()).isZero();
        assertThat(interval.upper()).isEqualTo(1);
        assertThat(interval.undefined()).isZero();
    }

    @Test
    void pairingCancelsWhatBothSystemsShare() {
        // the examples differ wildly, the systems by exactly 1 on each: every draw's difference is -1
        SplittableRandom random = new SplittableRandom(3);
        double[] base = new double[50];
        double[] cand = new double[50];
        for (int i = 0; i < base.length; i++) {
            base[i] = random.nextDouble(0, 100);
            cand[i] = base[i] - 1;
        }
        PairedBootstrap.Interval interval = new PairedBootstrap(1000, 0, 0.95).difference(50, mean(base), mean(cand));
        assertThat(interval.observed()).isCloseTo(-1, within(1e-9));
        assertThat(interval.lower()).isCloseTo(-1, within(1e-9));
        assertThat(interval.upper()).isCloseTo(-1, within(1e-9));
    }

    @Test
    void theIntervalOfAMeanMatchesTheNormalApproximation() {
        // differences of 0 or 1 with p = 0.3 over 400 examples: the mean's standard error is
        // sqrt(0.3 * 0.7 / 400) = 0.0229, so a 95% interval is about 0.3 +- 1.96 * 0.0229 = [0.255, 0.345]
        double[] base = new double[400];
        double[] cand = new double[400];
        for (int i = 0; i < 120; i++) {
            cand[i] = 1;
        }
        PairedBootstrap.Interval interval = new PairedBootstrap(2000, 11, 0.95).difference(400, mean(base), mean(cand));
        assertThat(interval.observed()).isCloseTo(0.3, within(1e-12));
        assertThat(interval.lower()).isCloseTo(0.3 - 1.96 * Math.sqrt(0.3 * 0.7 / 400), within(0.006));
        assertThat(interval.upper()).isCloseTo(0.3 + 1.96 * Math.sqrt(0.3 * 0.7 / 400), within(0.006));
    }

    @Test
    void theSeedFixesTheDraws() {
        double[] base = {1, 5, 2, 8, 3, 9, 4};
        double[] cand = {2, 4, 2, 9, 1, 9, 6};
        PairedBootstrap.Interval a = new PairedBootstrap(500, 1, 0.9).difference(7, mean(base), mean(cand));
        PairedBootstrap.Interval b = new PairedBootstrap(500, 1, 0.9).difference(7, mean(base), mean(cand));
        PairedBootstrap.Interval c = new PairedBootstrap(500, 2, 0.9).difference(7, mean(base), mean(cand));
        assertThat(b).isEqualTo(a);
        assertThat(c.lower() != a.lower() || c.upper() != a.upper()).as("another seed, other draws").isTrue();
    }

    @Test
    void drawsWhereAMetricIsUndefinedAreLeftOutAndCounted() {
        // a rate over the first example only: undefined when a draw of 4 misses it, (3/4)^4 = 31.6% of draws
        PairedBootstrap.Statistic rate = counts -> counts[0] == 0 ? Double.NaN : 1.0;
        PairedBootstrap.Interval interval = new PairedBootstrap(4000, 5, 0.95).difference(4, rate, rate);
        assertThat(interval.undefined() / 4000.0).isCloseTo(Math.pow(0.75, 4), within(0.03));
        assertThat(interval.lower()).isZero();
        assertThat(interval.upper()).isZero();
    }

    @Test
    void badSettingsAreRefused() {
        assertThatThrownBy(() -> new PairedBootstrap(0, 1, 0.95)).isInstanceOf(KefuException.class).hasMessageContaining("resamples 0");
        assertThatThrownBy(() -> new PairedBootstrap(10, 1, 1.0)).isInstanceOf(KefuException.class).hasMessageContaining("confidence 1.0");
    }
}
