package io.kefu.cli.eval;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.eval.gate.GateConfig;
import java.util.Set;
import picocli.CommandLine.Mixin;
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

    @Mixin
    GateSettings settings;

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
            if (baseline != null || candidate != null || settings.metricsChosen()) {
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
        return settings.config();
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
