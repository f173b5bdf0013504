package io.kefu.engine.remote;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackoffTest {
    private static final Duration INITIAL = Duration.ofMillis(500);
    private static final Duration MAX = Duration.ofSeconds(5);

    @Test
    void nominalDelayDoublesUpToTheCap() {
        Backoff backoff = new Backoff(INITIAL, MAX, 0.5, 0);

        assertThat(backoff.nominal(1)).isEqualTo(Duration.ofMillis(500));
        assertThat(backoff.nominal(2)).isEqualTo(Duration.ofMillis(1000));
        assertThat(backoff.nominal(3)).isEqualTo(Duration.ofMillis(2000));
        assertThat(backoff.nominal(4)).isEqualTo(Duration.ofMillis(4000));
        assertThat(backoff.nominal(5)).isEqualTo(MAX);
        assertThat(backoff.nominal(60)).isEqualTo(MAX);
    }

    @Test
    void jitteredDelayStaysWithinItsBand() {
        Backoff backoff = new Backoff(INITIAL, MAX, 0.5, 3);
        for (int retry = 1; retry <= 8; retry++) {
            for (int draw = 0; draw < 50; draw++) {
                Duration nominal = backoff.nominal(retry);
                assertThat(backoff.delay(retry)).isBetween(nominal.dividedBy(2), nominal);
            }
        }
    }

    @Test
    void theSameSeedGivesTheSameDelays() {
        assertThat(draws(new Backoff(INITIAL, MAX, 0.5, 42))).isEqualTo(draws(new Backoff(INITIAL, MAX, 0.5, 42)));
        assertThat(draws(new Backoff(INITIAL, MAX, 0.5, 42))).isNotEqualTo(draws(new Backoff(INITIAL, MAX, 0.5, 43)));
    }

    @Test
    void zeroJitterIsExactlyTheNominalDelay() {
        Backoff backoff = new Backoff(INITIAL, MAX, 0, 1);
        assertThat(backoff.delay(3)).isEqualTo(Duration.ofMillis(2000));
    }

    private static List<Duration> draws(Backoff backoff) {
        List<Duration> out = new ArrayList<>();
        for (int retry = 1; retry <= 6; retry++) {
            out.add(backoff.delay(retry));
        }
        return out;
    }
}
