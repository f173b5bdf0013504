package io.kefu.eval.ab;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * How an experiment splits sessions: its name (which seeds the {@link ArmAssigner}'s hash) and its arms in order, the
 * first being the control. Each arm names the system that answers it and an integer weight; an arm's share of the
 * sessions is its weight over the sum of the weights.
 *
 * @param experiment the experiment name, 1-100 characters
 * @param arms the arms, control first; at least two, names distinct
 */
public record ExperimentSplit(String experiment, List<Arm> arms) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");
    private static final int MAX_EXPERIMENT_CHARS = 100;

    /**
     * One arm.
     *
     * @param name the arm's name: 1-64 letters, digits, {@code _ . : -}
     * @param system what answers the arm's sessions, e.g. {@code rules} or {@code adapter:shop-lora}
     * @param weight a positive integer
     */
    public record Arm(String name, String system, int weight) {
        /** @throws KefuException {@link ErrorCode#INVALID_ARGUMENT} naming the arm and what is wrong */
        public Arm {
            if (name == null || !NAME.matcher(name).matches()) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "arm name '" + name + "' must be 1-64 letters, digits, '_', '.', ':', '-'");
            }
            if (system == null || system.isBlank()) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "arm '" + name + "': the system that answers it is missing");
            }
            if (weight < 1) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "arm '" + name + "': the weight must be a positive integer, got " + weight);
            }
        }

        /** @return {@code name=system:weight}, as {@code kefu serve --arm} takes it */
        @Override
        public String toString() {
            return name + "=" + system + ":" + weight;
        }
    }

    /** @throws KefuException {@link ErrorCode#INVALID_ARGUMENT} on a bad name, fewer than two arms or an arm named twice */
    public ExperimentSplit {
        if (experiment == null || experiment.isBlank() || experiment.length() > MAX_EXPERIMENT_CHARS) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "experiment name must be 1-" + MAX_EXPERIMENT_CHARS + " characters, got '"
                    + experiment + "'");
        }
        arms = List.copyOf(arms);
        if (arms.size() < 2) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "experiment '" + experiment + "' needs at least two arms, got " + arms);
        }
        Set<String> names = new HashSet<>();
        for (Arm arm : arms) {
            if (!names.add(arm.name())) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "experiment '" + experiment + "': the arm name '" + arm.name()
                        + "' is used twice");
            }
        }
    }

    /** @return arm name to weight, in order, as {@link ArmAssigner} takes it */
    public Map<String, Double> weights() {
        Map<String, Double> out = new LinkedHashMap<>();
        arms.forEach(arm -> out.put(arm.name(), (double) arm.weight()));
        return out;
    }

    /** @return the arm's planned share of the sessions: its weight over the sum of the weights */
    public double share(Arm arm) {
        return (double) arm.weight() / arms.stream().mapToLong(Arm::weight).sum();
    }

    /** @return the arm of that name, or null */
    public Arm arm(String name) {
        return arms.stream().filter(a -> a.name().equals(name)).findFirst().orElse(null);
    }

    /** @return the assigner that puts sessions into these arms */
    public ArmAssigner assigner() {
        return new ArmAssigner(experiment, weights());
    }

    /** @return the arms as {@code control=rules:50,tuned=adapter:shop-lora:50} */
    public String describe() {
        return arms.stream().map(Arm::toString).collect(Collectors.joining(","));
    }
}
