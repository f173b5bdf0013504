package io.kefu.eval.gate;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * How the regression gate judges. Immutable; build with {@link #builder()}.
 *
 * <p>Defaults: the metrics of {@link GateMetric#DEFAULTS}; margin 0 points; {@link PairedBootstrap#DEFAULT_RESAMPLES}
 * (1000) draws; seed 0; confidence {@link PairedBootstrap#DEFAULT_CONFIDENCE} (0.95).
 */
public final class GateConfig {
    private final List<GateMetric> metrics;
    private final double marginPoints;
    private final PairedBootstrap bootstrap;

    private GateConfig(List<GateMetric> metrics, double marginPoints, PairedBootstrap bootstrap) {
        this.metrics = List.copyOf(metrics);
        this.marginPoints = marginPoints;
        this.bootstrap = bootstrap;
    }

    /** @return the defaults listed on the class */
    public static GateConfig defaults() {
        return builder().build();
    }

    /** @return a builder with the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the metrics judged, in report order */
    public List<GateMetric> metrics() {
        return metrics;
    }

    /**
     * @return how far the candidate may be worse, in points (BLEU/ROUGE points; percentage points of a
     *     rate), before the gate refuses it; the interval must lie entirely beyond it
     */
    public double marginPoints() {
        return marginPoints;
    }

    /** @return the bootstrap that makes the intervals */
    public PairedBootstrap bootstrap() {
        return bootstrap;
    }

    /** Builds a {@link GateConfig}. */
    public static final class Builder {
        private List<String> metrics = GateMetric.DEFAULTS;
        private double marginPoints;
        private int resamples = PairedBootstrap.DEFAULT_RESAMPLES;
        private long seed;
        private double confidence = PairedBootstrap.DEFAULT_CONFIDENCE;

        private Builder() {
        }

        /** @param names metric names of {@link GateMetric#names()}, at least one (default {@link GateMetric#DEFAULTS}) */
        public Builder metrics(List<String> names) { this.metrics = List.copyOf(names); return this; }

        /** @param points margin in points, at least 0 (default 0) */
        public Builder marginPoints(double points) { this.marginPoints = points; return this; }

        /** @param value bootstrap draws, at least 1 (default 1000) */
        public Builder resamples(int value) { this.resamples = value; return this; }

        /** @param value seed of the draws (default 0) */
        public Builder seed(long value) { this.seed = value; return this; }

        /** @param value interval confidence, above 0 and below 1 (default 0.95) */
        public Builder confidence(double value) { this.confidence = value; return this; }

        /** @throws KefuException {@link ErrorCode#INVALID_ARGUMENT} naming the setting that is wrong */
        public GateConfig build() {
            if (metrics.isEmpty()) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "the gate needs at least one metric; choose from "
                        + String.join(", ", GateMetric.names()));
            }
            if (!(marginPoints >= 0) || Double.isInfinite(marginPoints)) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "gate margin " + marginPoints + " must be a number of points, at least 0");
            }
            List<GateMetric> chosen = new ArrayList<>();
            for (String name : new LinkedHashSet<>(metrics)) {
                chosen.add(GateMetric.named(name));
            }
            return new GateConfig(chosen, marginPoints, new PairedBootstrap(resamples, seed, confidence));
        }
    }
}
