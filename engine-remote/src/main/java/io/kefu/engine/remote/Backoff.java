package io.kefu.engine.remote;

import java.time.Duration;
import java.util.Random;

/**
 * Exponential backoff with seeded jitter: before retry {@code n} (1-based) the nominal delay is
 * {@code min(maxBackoff, initialBackoff * 2^(n-1))}, and the delay drawn is uniform in
 * {@code [(1 - jitter) * nominal, nominal]}. The same seed gives the same sequence of delays.
 */
final class Backoff {
    private final Duration initial;
    private final Duration max;
    private final double jitter;
    private final Random random;

    Backoff(Duration initial, Duration max, double jitter, long seed) {
        this.initial = initial;
        this.max = max;
        this.jitter = jitter;
        this.random = new Random(seed);
    }

    static Backoff of(RemoteConfig config) {
        return new Backoff(config.initialBackoff(), config.maxBackoff(), config.jitter(), config.retrySeed());
    }

    /** @return the nominal (largest possible) delay before retry {@code retry} (1-based) */
    Duration nominal(int retry) {
        long maxNanos = max.toNanos();
        long nanos = initial.toNanos();
        for (int i = 1; i < retry && nanos < maxNanos; i++) {
            nanos = nanos > maxNanos / 2 ? maxNanos : nanos * 2;
        }
        return Duration.ofNanos(Math.min(nanos, maxNanos));
    }

    /** @return the delay to wait before retry {@code retry} (1-based) */
    Duration delay(int retry) {
        long nominal = nominal(retry).toNanos();
        double u;
        synchronized (random) {
            u = random.nextDouble();
        }
        return Duration.ofNanos(Math.round(nominal * (1 - jitter * u)));
    }
}
