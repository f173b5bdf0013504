package io.kefu.eval.ab;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report of one recorded experiment: per arm its planned and actual share of the sessions, conversions and
 * rate; each treatment against the control (difference with its confidence interval, two-proportion z-test); the
 * guardrails per arm (hand-off rate, compliance blocks, latency p95); and, for a planned effect, the sessions per arm
 * the test needs ({@link SampleSize}) and how many each arm still lacks.
 *
 * @param experiment the experiment name
 * @param split the split as recorded, e.g. {@code control=rules:50,tuned=adapter:shop-lora:50}
 * @param arms per arm, in the split's order (control first); arms found only in the log come last
 * @param comparisons each treatment with sessions against the control
 * @param guardrails per arm, in the order of {@code arms}
 * @param plan the sample size for the planned effect, or null when none was asked for
 */
public record ExperimentReport(String experiment, String split, List<ArmResult> arms, List<ProportionComparison> comparisons,
                               List<Guardrails> guardrails, Plan plan) {
    /** The system of an arm found in the log but not in the recorded split. */
    public static final String NOT_IN_SPLIT = "(not in the split)";

    /** Copies the lists. */
    public ExperimentReport {
        arms = List.copyOf(arms);
        comparisons = List.copyOf(comparisons);
        guardrails = List.copyOf(guardrails);
    }

    /**
     * What the log holds for one arm.
     *
     * @param arm the arm
     * @param sessions distinct sessions with any event
     * @param conversions distinct sessions with a conversion ({@code conversion}, {@code order}, {@code purchase})
     * @param turns answered turns with guardrail data
     * @param handoffs those turns that were handed off
     * @param complianceBlocks those turns whose answer held a banned claim the compliance guard stopped
     * @param latenciesMs each of those turns' latency in milliseconds, any order
     */
    public record ArmTally(String arm, long sessions, long conversions, long turns, long handoffs, long complianceBlocks,
                           long[] latenciesMs) {
    }

    /**
     * @param arm the arm
     * @param system what answered it
     * @param weight its weight in the split (0 when it is not in the split)
     * @param plannedShare weight over the sum of the weights
     * @param sessions distinct sessions
     * @param share sessions over all sessions of the experiment
     * @param conversions distinct converted sessions
     * @param rate conversions over sessions (0 without sessions)
     */
    public record ArmResult(String arm, String system, int weight, double plannedShare, long sessions, double share, long conversions,
                            double rate) {
    }

    /**
     * @param arm the arm
     * @param turns answered turns
     * @param handoffs turns handed off to a person
     * @param handoffRate handoffs over turns (0 without turns)
     * @param complianceBlocks turns whose answer held a banned claim the compliance guard stopped
     * @param latencyP95Ms the 95th percentile of the turns' latency (nearest rank), null without turns
     */
    public record Guardrails(String arm, long turns, long handoffs, double handoffRate, long complianceBlocks, Long latencyP95Ms) {
    }

    /**
     * The effect the test is planned to detect and what it takes.
     *
     * @param p1 the baseline rate
     * @param p2 the rate to detect
     * @param alpha two-sided significance level
     * @param power the power
     * @param perArm sessions each arm needs ({@link SampleSize#perArm()})
     * @param exact the unrounded figure
     * @param stillNeeded per arm, the sessions it still lacks (0 once it has enough)
     */
    public record Plan(double p1, double p2, double alpha, double power, long perArm, double exact, Map<String, Long> stillNeeded) {
        /** Copies the map. */
        public Plan {
            stillNeeded = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(stillNeeded));
        }
    }

    /**
     * The planned effect: from {@code p1} (null: the control's observed rate) to {@code p2}.
     *
     * @param p1 the baseline rate, or null for the control arm's observed rate
     * @param p2 the rate to detect
     * @param alpha two-sided significance level
     * @param power the power
     */
    public record PlannedEffect(Double p1, double p2, double alpha, double power) {
    }

    /**
     * @param split the recorded split
     * @param tallies what the log holds per arm (arms of the split without a tally have nothing yet)
     * @param confidence the intervals' confidence, e.g. 0.95
     * @param planned the planned effect, or null for no sample size
     * @throws KefuException {@link ErrorCode#INVALID_ARGUMENT} for a confidence or planned effect out of range
     */
    public static ExperimentReport of(ExperimentSplit split, List<ArmTally> tallies, double confidence, PlannedEffect planned) {
        if (!(confidence > 0 && confidence < 1)) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--confidence=" + confidence + " must be in (0, 1)");
        }
        Map<String, ArmTally> byArm = new LinkedHashMap<>();
        split.arms().forEach(arm -> byArm.put(arm.name(), new ArmTally(arm.name(), 0, 0, 0, 0, 0, new long[0])));
        tallies.forEach(t -> byArm.put(t.arm(), t));
        long allSessions = byArm.values().stream().mapToLong(ArmTally::sessions).sum();
        List<ArmResult> arms = new ArrayList<>();
        List<Guardrails> guardrails = new ArrayList<>();
        for (ArmTally t : byArm.values()) {
            ExperimentSplit.Arm inSplit = split.arm(t.arm());
            arms.add(new ArmResult(t.arm(), inSplit == null ? NOT_IN_SPLIT : inSplit.system(), inSplit == null ? 0 : inSplit.weight(),
                    inSplit == null ? 0 : split.share(inSplit), t.sessions(), allSessions == 0 ? 0 : (double) t.sessions() / allSessions,
                    t.conversions(), t.sessions() == 0 ? 0 : (double) t.conversions() / t.sessions()));
            guardrails.add(new Guardrails(t.arm(), t.turns(), t.handoffs(), t.turns() == 0 ? 0 : (double) t.handoffs() / t.turns(),
                    t.complianceBlocks(), t.latenciesMs().length == 0 ? null : nearestRank(t.latenciesMs(), 0.95)));
        }
        ArmResult control = arms.get(0);
        List<ProportionComparison> comparisons = new ArrayList<>();
        if (control.sessions() > 0) {
            for (ArmResult treatment : arms.subList(1, arms.size())) {
                if (treatment.sessions() > 0) {
                    comparisons.add(ProportionComparison.of(control.arm(), control.conversions(), control.sessions(), treatment.arm(),
                            treatment.conversions(), treatment.sessions(), confidence));
                }
            }
        }
        return new ExperimentReport(split.experiment(), split.describe(), arms, comparisons, guardrails,
                planned == null ? null : plan(planned, arms));
    }

    private static Plan plan(PlannedEffect planned, List<ArmResult> arms) {
        double p1 = planned.p1() != null ? planned.p1() : arms.get(0).rate();
        if (planned.p1() == null && !(p1 > 0 && p1 < 1)) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "the control arm's observed rate is " + p1
                    + ", which cannot be the baseline of a plan; give --p1");
        }
        SampleSize size = SampleSize.perArm(p1, planned.p2(), planned.alpha(), planned.power());
        Map<String, Long> stillNeeded = new LinkedHashMap<>();
        arms.stream().filter(a -> a.weight() > 0).forEach(a -> stillNeeded.put(a.arm(), Math.max(0, size.perArm() - a.sessions())));
        return new Plan(p1, planned.p2(), planned.alpha(), planned.power(), size.perArm(), size.exact(), stillNeeded);
    }

    /** @return the smallest value with at least {@code q} of the values at or below it (the nearest-rank percentile) */
    public static long nearestRank(long[] values, double q) {
        if (values.length == 0) {
            throw new IllegalArgumentException("no values");
        }
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(rank, 1) - 1];
    }

    /** @return the number as written, e.g. 0.125, not 0.1250 (rounded to 6 significant digits) */
    private static String plain(double value) {
        return new java.math.BigDecimal(value, new java.math.MathContext(6)).stripTrailingZeros().toPlainString();
    }

    /** @return plain-text tables */
    public String toText() {
        StringBuilder sb = new StringBuilder();
        sb.append("experiment ").append(experiment).append(": ").append(split).append('\n').append('\n');
        sb.append(String.format(Locale.ROOT, "%-12s %-24s %7s %9s %8s %12s %9s%n", "ARM", "SYSTEM", "PLANNED", "SESSIONS", "SHARE",
                "CONVERSIONS", "RATE"));
        for (ArmResult a : arms) {
            sb.append(String.format(Locale.ROOT, "%-12s %-24s %6.1f%% %9d %7.1f%% %12d %8.3f%%%n", a.arm(), a.system(), 100 * a.plannedShare(),
                    a.sessions(), 100 * a.share(), a.conversions(), 100 * a.rate()));
        }
        for (ProportionComparison c : comparisons) {
            sb.append(String.format(Locale.ROOT, "%n%s vs %s: difference %+.3f pp, %.0f%% CI [%+.3f, %+.3f] pp, z = %.3f, p = %.4g%n",
                    c.treatment(), c.control(), 100 * c.absoluteLift(), 100 * c.confidence(), 100 * c.ciLow(), 100 * c.ciHigh(), c.z(),
                    c.pValue()));
        }
        sb.append(String.format(Locale.ROOT, "%nGuardrails%n%-12s %7s %14s %18s %15s%n", "ARM", "TURNS", "HAND-OFF RATE",
                "COMPLIANCE BLOCKS", "LATENCY P95 MS"));
        for (Guardrails g : guardrails) {
            sb.append(String.format(Locale.ROOT, "%-12s %7d %13.2f%% %18d %15s%n", g.arm(), g.turns(), 100 * g.handoffRate(),
                    g.complianceBlocks(), g.latencyP95Ms() == null ? "-" : g.latencyP95Ms().toString()));
        }
        if (plan != null) {
            sb.append(String.format(Locale.ROOT, "%nPlan: %s -> %s at alpha %s with power %s needs %d sessions per arm (exact n = %.2f)%n",
                    plain(plan.p1()), plain(plan.p2()), plain(plan.alpha()), plain(plan.power()), plan.perArm(), plan.exact()));
            plan.stillNeeded().forEach((arm, n) -> sb.append(String.format(Locale.ROOT, "  %-12s still needs %d%n", arm, n)));
        }
        return sb.toString();
    }
}
