package io.kefu.eval.parity;

import java.util.List;
import java.util.Locale;

/**
 * The comparisons of one parity check.
 *
 * @param tolerance the largest log-probability difference that still matches
 * @param maxNewTokens the longest answer compared, in tokens
 * @param comparisons one per request, in order
 */
public record ParityReport(double tolerance, int maxNewTokens, List<DecodeComparison> comparisons) {
    /** Copies the comparisons. */
    public ParityReport {
        comparisons = List.copyOf(comparisons);
    }

    /** @return whether every request decoded alike */
    public boolean matches() {
        return comparisons.stream().allMatch(DecodeComparison::matches);
    }

    /** @return how many requests decoded differently */
    public long mismatches() {
        return comparisons.stream().filter(c -> !c.matches()).count();
    }

    /** @return the largest log-probability difference over every compared token */
    public double maxLogprobDifference() {
        return comparisons.stream().mapToDouble(DecodeComparison::maxLogprobDifference).max().orElse(0);
    }

    /** @return one line per request (with its problems below it) and the verdict */
    public String toText() {
        StringBuilder sb = new StringBuilder();
        comparisons.forEach(c -> sb.append(c.describe()).append('\n'));
        return sb.append(verdict()).append('\n').toString();
    }

    /** @return "OK: ..." or "FAILED: ..." with the counts and the tolerance */
    public String verdict() {
        if (matches()) {
            return String.format(Locale.ROOT, "OK: %d of %d requests decode alike (max |logprob diff| %.3e, tolerance %.1e)",
                    comparisons.size(), comparisons.size(), maxLogprobDifference(), tolerance);
        }
        return String.format(Locale.ROOT, "FAILED: %d of %d requests decode differently (tolerance %.1e)",
                mismatches(), comparisons.size(), tolerance);
    }
}
