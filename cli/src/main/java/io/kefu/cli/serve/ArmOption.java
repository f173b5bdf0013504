package io.kefu.cli.serve;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.eval.ab.ExperimentSplit;
import io.kefu.server.ArmSystems;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * {@code kefu serve --arm NAME=SYSTEM:WEIGHT ... [--experiment NAME]}: the A/B split of {@code /chat}. SYSTEM is
 * {@code rules}, {@code base} or {@code adapter:NAME} (an {@code --adapter} of the same command); WEIGHT a positive integer.
 * Every mistake is reported with the {@code --arm} it is in, before any model is loaded.
 */
final class ArmOption {
    /** The experiment name when {@code --experiment} is not given. */
    static final String DEFAULT_EXPERIMENT = "default";

    private static final Pattern POSITIVE_INTEGER = Pattern.compile("[0-9]{1,9}");

    private ArmOption() {
    }

    /**
     * @param experiment {@code --experiment}, or null
     * @param specs the {@code --arm} values, control first
     * @param adapterNames the names of {@code --adapter}
     * @param rulesEngine whether {@code --engine rules} serves no model (so {@code base} has nothing to answer with)
     * @return the split, or null when no {@code --arm} is given
     * @throws KefuException {@link ErrorCode#INVALID_ARGUMENT} naming the {@code --arm} at fault
     */
    static ExperimentSplit split(String experiment, List<String> specs, Collection<String> adapterNames, boolean rulesEngine) {
        if (specs.isEmpty()) {
            if (experiment != null) {
                throw invalid("--experiment " + experiment + ": an experiment needs its arms, e.g. --arm control=rules:50 --arm tuned=adapter:shop:50");
            }
            return null;
        }
        List<ExperimentSplit.Arm> arms = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (String spec : specs) {
            ExperimentSplit.Arm arm = parse(spec, adapterNames, rulesEngine);
            if (!names.add(arm.name())) {
                throw invalid("--arm " + spec + ": the arm name '" + arm.name() + "' is used twice; each arm needs its own name");
            }
            arms.add(arm);
        }
        if (arms.size() < 2) {
            throw invalid("--arm " + specs.get(0) + ": an experiment needs at least two arms (give --arm once per arm, the control first)");
        }
        String name = experiment == null ? DEFAULT_EXPERIMENT : experiment;
        try {
            return new ExperimentSplit(name, arms);
        } catch (KefuException e) {
            throw invalid("--experiment " + name + ": " + e.getMessage());
        }
    }

    private static ExperimentSplit.Arm parse(String spec, Collection<String> adapterNames, boolean rulesEngine) {
        int eq = spec.indexOf('=');
        int colon = spec.lastIndexOf(':');
        if (eq <= 0 || colon < eq) {
            throw invalid("--arm " + spec + ": expected NAME=SYSTEM:WEIGHT, e.g. control=rules:50 or tuned=adapter:shop-lora:50");
        }
        String name = spec.substring(0, eq);
        String system = spec.substring(eq + 1, colon);
        String weight = spec.substring(colon + 1);
        if (!POSITIVE_INTEGER.matcher(weight).matches() || Integer.parseInt(weight) == 0) {
            throw invalid("--arm " + spec + ": the weight '" + weight + "' must be a positive integer"
                    + " (NAME=SYSTEM:WEIGHT, e.g. tuned=adapter:shop-lora:50)");
        }
        if (system.equals(ArmSystems.BASE) && rulesEngine) {
            throw invalid("--arm " + spec + ": --engine rules serves no base model; the keyword baseline is 'rules'");
        }
        if (system.startsWith(ArmSystems.ADAPTER_PREFIX)) {
            String adapter = system.substring(ArmSystems.ADAPTER_PREFIX.length());
            if (!adapterNames.contains(adapter)) {
                throw invalid("--arm " + spec + ": no adapter '" + adapter + "' is served; give it with --adapter " + adapter + "=DIR"
                        + (adapterNames.isEmpty() ? "" : " (served: " + String.join(", ", adapterNames) + ")"));
            }
        } else if (!system.equals(ArmSystems.RULES) && !system.equals(ArmSystems.BASE)) {
            throw invalid("--arm " + spec + ": '" + system + "' is not a system; use rules, base, or adapter:NAME");
        }
        try {
            return new ExperimentSplit.Arm(name, system, Integer.parseInt(weight));
        } catch (KefuException e) {
            throw invalid("--arm " + spec + ": " + e.getMessage());
        }
    }

    private static KefuException invalid(String message) {
        return new KefuException(ErrorCode.INVALID_ARGUMENT, message);
    }
}
