package io.kefu.eval.gate;

import java.util.List;
import java.util.Locale;

/**
 * The regression gate's answer: ship the candidate, or not and why.
 *
 * @param baseline the baseline system's name
 * @param candidate the candidate system's name
 * @param examples test examples both answered
 * @param resamples bootstrap draws
 * @param seed the draws' seed
 * @param confidence the intervals' confidence
 * @param marginPoints the margin in points
 * @param metrics one verdict per chosen metric, in order
 */
public record GateReport(String baseline, String candidate, int examples, int resamples, long seed, double confidence,
                         double marginPoints, List<MetricVerdict> metrics) {
    /** Copies the verdicts. */
    public GateReport {
        metrics = List.copyOf(metrics);
    }

    /** @return whether no metric is worse beyond noise */
    public boolean ship() {
        return worse().isEmpty();
    }

    /** @return the metrics on which the candidate is worse beyond noise */
    public List<MetricVerdict> worse() {
        return metrics.stream().filter(m -> m.verdict() == MetricVerdict.Verdict.WORSE).toList();
    }

    /** @return "ship" or "do not ship" */
    public String decision() {
        return ship() ? "ship" : "do not ship";
    }

    /** @return a table of the verdicts, each explanation, and the decision with its reason */
    public String toText() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "regression gate: candidate '%s' against baseline '%s' on %d examples%n", candidate,
                baseline, examples));
        sb.append(String.format(Locale.ROOT, "paired bootstrap: %d resamples, seed %d, %.0f%% percentile intervals, margin %s points%n",
                resamples, seed, 100 * confidence, stripped(marginPoints)));
        sb.append(String.format(Locale.ROOT, "%-24s %10s %10s %10s  %-24s %s%n", "METRIC", "BASELINE", "CANDIDATE", "DIFF",
                "CI (CANDIDATE-BASELINE)", "VERDICT"));
        for (MetricVerdict m : metrics) {
            sb.append(String.format(Locale.ROOT, "%-24s %10s %10s %10s  %-24s %s%n", m.metric(), number(m.baseline()),
                    number(m.candidate()), number(m.difference()),
                    Double.isNaN(m.lower()) ? "-" : "[" + number(m.lower()) + ", " + number(m.upper()) + "]",
                    m.verdict().name().toLowerCase(Locale.ROOT).replace('_', ' ')));
        }
        metrics.forEach(m -> sb.append("  ").append(m.explanation()).append('\n'));
        if (ship()) {
            List<String> better = metrics.stream().filter(m -> m.verdict() == MetricVerdict.Verdict.BETTER).map(MetricVerdict::metric).toList();
            sb.append("ship: '").append(candidate).append("' is not worse than '").append(baseline)
                    .append("' beyond noise on any chosen metric")
                    .append(better.isEmpty() ? "" : "; better on " + String.join(", ", better)).append('\n');
        } else {
            sb.append("do not ship: '").append(candidate).append("' is worse than '").append(baseline).append("' beyond noise on ")
                    .append(String.join(", ", worse().stream().map(MetricVerdict::metric).toList())).append('\n');
        }
        return sb.toString();
    }

    private static String number(double v) {
        return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.4f", v);
    }

    private static String stripped(double v) {
        return v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v) : String.valueOf(v);
    }
}
