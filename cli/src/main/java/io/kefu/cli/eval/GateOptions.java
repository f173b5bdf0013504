package io.kefu.cli.eval;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.eval.gate.GateConfig;
import io.kefu.eval.gate.GateMetric;
import io.kefu.eval.gate.PairedBootstrap;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Option;

/** The regression-gate options of {@code kefu eval} (a picocli mixin). */
public final class GateOptions {
    @Option(names = "--gate", description = {"Judge --candidate-system against --baseline-system after scoring: print per-metric",
            "paired bootstrap intervals and 'ship' or 'do not ship', write gate.json, and exit 1 when the",
            "candidate is worse beyond noise on any --gate-metric."})
    boolean enabled;

    @Option(names = "--baseline-system", paramLabel = "NAME", description = "The system in production (a --system NAME, or rules).")
    String baseline;

    @Option(names = "--candidate-system", paramLabel = "NAME", description = "The system that would replace it.")
    String candidate;

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

    /** @return whether the gate was asked for */
    boolean enabled() {
        return enabled;
    }

    /**
     * Checks the options against the systems being evaluated, before any model is loaded.
     *
     * @param systems the names of the systems evaluated
     * @return the gate's configuration, or null when the gate was not asked for
     * @throws KefuException {@link ErrorCode#INVALID_ARGUMENT} naming the option that is missing or wrong
     */
    GateConfig config(Set<String> systems) {
        if (!enabled) {
            if (baseline != null || candidate != null || !metrics.isEmpty()) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--baseline-system, --candidate-system and --gate-metric need --gate");
            }
            return null;
        }
        if (baseline == null || candidate == null) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--gate needs --baseline-system NAME and --candidate-system NAME"
                    + " (systems evaluated: " + String.join(", ", systems) + ")");
        }
        for (String[] option : new String[][] {{"--baseline-system", baseline}, {"--candidate-system", candidate}}) {
            if (!systems.contains(option[1])) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, option[0] + " " + option[1] + " is not a system of this run;"
                        + " the systems are: " + String.join(", ", systems));
            }
        }
        if (baseline.equals(candidate)) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--baseline-system and --candidate-system are both '" + baseline + "'");
        }
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

    /** @return the baseline system's name */
    String baseline() {
        return baseline;
    }

    /** @return the candidate system's name */
    String candidate() {
        return candidate;
    }
}
