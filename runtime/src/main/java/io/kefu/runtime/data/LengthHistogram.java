package io.kefu.runtime.data;

import java.util.List;
import java.util.Locale;

/**
 * How long examples are: summary figures and equal-width buckets with round bounds.
 *
 * @param unit {@code "characters"} (Unicode code points of all message texts) or {@code "tokens"}
 *     (the rendered conversation as trained)
 * @param count how many lengths were measured
 * @param min the shortest
 * @param max the longest
 * @param mean the average
 * @param p50 the median (nearest rank)
 * @param p95 the 95th percentile (nearest rank)
 * @param buckets consecutive ranges covering {@code min..max}
 */
public record LengthHistogram(String unit, long count, int min, int max, double mean, int p50, int p95,
                              List<Bucket> buckets) {
    /**
     * One range of lengths.
     *
     * @param from the smallest length in the range
     * @param to the largest length in the range (inclusive)
     * @param count how many examples fall in it
     */
    public record Bucket(int from, int to, long count) {
    }

    /** Copies the buckets. */
    public LengthHistogram {
        buckets = List.copyOf(buckets);
    }

    /** @return one line per bucket: range, a bar scaled to the largest bucket, and the count */
    public String toText(int barWidth) {
        if (count == 0) {
            return "  (no examples)\n";
        }
        long largest = buckets.stream().mapToLong(Bucket::count).max().orElse(1);
        int rangeWidth = String.valueOf(max).length() * 2 + 1;
        StringBuilder text = new StringBuilder();
        for (Bucket bucket : buckets) {
            int bar = (int) Math.round((double) bucket.count() * barWidth / largest);
            if (bar == 0 && bucket.count() > 0) {
                bar = 1;
            }
            String range = bucket.from() + "-" + bucket.to();
            text.append(String.format(Locale.ROOT, "  %" + rangeWidth + "s | %-" + barWidth + "s %d%n",
                    range, "#".repeat(bar), bucket.count()));
        }
        text.append(String.format(Locale.ROOT, "  %s: min %d, median %d, mean %.1f, p95 %d, max %d%n",
                unit, min, p50, mean, p95, max));
        return text.toString();
    }
}
