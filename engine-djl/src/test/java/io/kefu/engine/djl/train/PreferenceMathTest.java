package io.kefu.engine.djl.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.kefu.train.PreferenceLoss;
import org.junit.jupiter.api.Test;

/** Each loss's derivatives equal central finite differences of its value, also where ORPO's odds are steep. */
class PreferenceMathTest {
    private static final double[][] POINTS = {
            // chosen, rejected, chosen tokens, rejected tokens, reference chosen, reference rejected
            {-12.0, -15.0, 6, 4, -13.0, -14.0},
            {-0.3, -9.0, 3, 5, -0.5, -8.0},   // the chosen answer almost certain: exp(ac) near 1
            {-30.0, -2.0, 10, 2, -25.0, -3.0},
    };

    @Test
    void derivativesMatchFiniteDifferences() {
        for (PreferenceLoss loss : PreferenceLoss.values()) {
            PreferenceMath math = new PreferenceMath(loss, 0.3, loss == PreferenceLoss.SIGMOID ? 0.15 : 0, 0.4, 0.5);
            for (double[] p : POINTS) {
                PreferenceMath.Outcome out = math.pair(p[0], p[1], (int) p[2], (int) p[3], p[4], p[5]);
                double h = 1e-6;
                double dc = (math.pair(p[0] + h, p[1], (int) p[2], (int) p[3], p[4], p[5]).loss()
                        - math.pair(p[0] - h, p[1], (int) p[2], (int) p[3], p[4], p[5]).loss()) / (2 * h);
                double dr = (math.pair(p[0], p[1] + h, (int) p[2], (int) p[3], p[4], p[5]).loss()
                        - math.pair(p[0], p[1] - h, (int) p[2], (int) p[3], p[4], p[5]).loss()) / (2 * h);
                assertThat(out.dChosen()).as("%s d/dchosen at %s", loss, java.util.Arrays.toString(p)).isCloseTo(dc, within(1e-6));
                assertThat(out.dRejected()).as("%s d/drejected", loss).isCloseTo(dr, within(1e-6));
                assertThat(Double.isFinite(out.loss())).isTrue();
            }
        }
    }

    @Test
    void dpoWithoutSmoothingIsLogSigmoidOfTheScaledMargin() {
        PreferenceMath math = new PreferenceMath(PreferenceLoss.SIGMOID, 0.1, 0, 0, 0.5);
        // d = (pc - pr) - (rc - rr) = 3 - 1 = 2
        assertThat(math.pair(-10, -13, 5, 5, -11, -12).loss()).isCloseTo(Math.log1p(Math.exp(-0.2)), within(1e-12));
        assertThat(math.pair(-10, -10, 5, 5, -10, -10).loss()).isCloseTo(Math.log(2), within(1e-12));
    }
}
