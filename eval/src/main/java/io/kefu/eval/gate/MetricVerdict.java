package io.kefu.eval.gate;

import java.util.Locale;

/**
 * The gate's judgement of one metric.
 *
 * @param metric the metric's name
 * @param higherIsBetter whether a larger value is better
 * @param baseline the baseline's value
 * @param candidate the candidate's value
 * @param difference candidate minus baseline
 * @param lower the interval's lower bound of candidate minus baseline
 * @param upper the interval's upper bound of candidate minus baseline
 * @param margin the margin in the metric's own units
 * @param verdict what the interval says
 * @param explanation the verdict in words, with the numbers that made it
 */
public record MetricVerdict(String metric, boolean higherIsBetter, double baseline, double candidate, double difference,
                            double lower, double upper, double margin, Verdict verdict, String explanation) {
    /** What an interval says about the candidate. */
    public enum Verdict {
        /** Worse than the baseline by more than the margin across the whole interval: the gate refuses. */
        WORSE,
        /** Better than the baseline across the whole interval. */
        BETTER,
        /** The interval reaches from one side of no change (or of the margin) to the other: noise. */
        NO_CLEAR_DIFFERENCE,
        /** Neither system has a value (a rate whose population is empty on this test set). */
        NOT_MEASURED
    }

    static MetricVerdict judge(GateMetric metric, double baseline, double candidate, PairedBootstrap.Interval interval,
                               double marginPoints) {
        double margin = marginPoints / metric.pointsPerUnit();
        String name = metric.name();
        if (Double.isNaN(baseline) || Double.isNaN(candidate) || Double.isNaN(interval.lower())) {
            return new MetricVerdict(name, metric.higherIsBetter(), baseline, candidate, Double.NaN, Double.NaN, Double.NaN,
                    margin, Verdict.NOT_MEASURED, name + ": not measured, no test example is in this rate's population");
        }
        // the change in the direction that is better: positive is an improvement
        double sign = metric.higherIsBetter() ? 1 : -1;
        double worstImprovement = Math.min(sign * interval.lower(), sign * interval.upper());
        double bestImprovement = Math.max(sign * interval.lower(), sign * interval.upper());
        Verdict verdict = bestImprovement < -margin ? Verdict.WORSE
                : worstImprovement > 0 ? Verdict.BETTER : Verdict.NO_CLEAR_DIFFERENCE;
        String digits = metric.pointsPerUnit() == 1 ? "%.2f" : "%.4f";
        String ci = String.format(Locale.ROOT, "%.0f%% CI of candidate - baseline [" + digits + ", " + digits + "]",
                100 * interval.confidence(), interval.lower(), interval.upper());
        String change = String.format(Locale.ROOT, digits + " -> " + digits + " (%s)", baseline, candidate,
                metric.higherIsBetter() ? "higher is better" : "lower is better");
        String explanation = switch (verdict) {
            case WORSE -> String.format(Locale.ROOT, "%s: worse beyond noise, %s; %s lies entirely %s " + digits, name, change, ci,
                    metric.higherIsBetter() ? "below" : "above", -sign * margin + 0.0);
            case BETTER -> String.format(Locale.ROOT, "%s: better beyond noise, %s; %s lies entirely %s " + digits, name, change, ci,
                    metric.higherIsBetter() ? "above" : "below", 0.0);
            case NO_CLEAR_DIFFERENCE -> String.format(Locale.ROOT, "%s: no difference beyond noise, %s; %s", name, change, ci);
            case NOT_MEASURED -> throw new IllegalStateException();
        };
        return new MetricVerdict(name, metric.higherIsBetter(), baseline, candidate, interval.observed(), interval.lower(),
                interval.upper(), margin, verdict, explanation);
    }
}
