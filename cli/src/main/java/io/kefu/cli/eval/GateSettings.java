package io.kefu.cli.eval;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.eval.gate.GateConfig;
import io.kefu.eval.gate.GateMetric;
import io.kefu.eval.gate.PairedBootstrap;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** How the regression gate judges (a picocli mixin of {@code kefu eval --gate} and {@code kefu retrain}). */
public final class GateSettings {
    @Option(names = "--gate-metric", paramLabel = "METRIC",
            description = {"A metric the gate judges; repeat for several (default: fact_accuracy, clean_rate, handoff_accuracy,",
                    "invented_promotion_rate, bleu4_sacrebleu, rougeL_char)."})
    List<String> metrics = new ArrayList<>();

    @Option(names = "--gate-margin", defaultValue = "0", paramLabel = "POINTS",
            description = {"How much worse the candidate may be before it is refused, in points: BLEU/ROUGE points, or percentage",
                    "points of a rate (default: ${DEFAULT-VALUE}: refuse any loss beyond noise)."})
    double margin;

    @Option(names = "--gate-resamples", defaultValue = "" + PairedBootstrap.DEFAULT_RESAMPLES, paramLabel = "N",
            description = "Bootstrap draws (default: ${DEFAULT-VALUE}).")
    int resamples;

    @Option(names = "--gate-seed", defaultValue = "0", paramLabel = "N", description = "Seed of the bootstrap draws (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--gate-confidence", defaultValue = "" + PairedBootstrap.DEFAULT_CONFIDENCE, paramLabel = "C",
            description = "Confidence of the intervals (default: ${DEFAULT-VALUE}).")
    double confidence;

    /** @return whether a metric was chosen (only meaningful when the gate runs) */
    boolean metricsChosen() {
        return !metrics.isEmpty();
    }

    /**
     * @return the gate's configuration
     * @throws KefuException {@link ErrorCode#INVALID_ARGUMENT} naming the option that is wrong
     */
    public GateConfig config() {
        if (resamples < 1) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--gate-resamples " + resamples + " must be at least 1");
        }
        if (!(confidence > 0 && confidence < 1)) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--gate-confidence " + confidence + " must be above 0 and below 1");
        }
        if (!(margin >= 0) || Double.isInfinite(margin)) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--gate-margin " + margin + " must be a number of points, at least 0");
        }
        return GateConfig.builder().metrics(metrics.isEmpty() ? GateMetric.DEFAULTS : metrics).marginPoints(margin)
                .resamples(resamples).seed(seed).confidence(confidence).build();
    }
}
