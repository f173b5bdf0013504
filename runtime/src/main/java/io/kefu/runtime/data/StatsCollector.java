package io.kefu.runtime.data;

import io.kefu.chat.ChatMessage;
import io.kefu.chat.Role;
import io.kefu.data.Example;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.ToIntFunction;

/**
 * Gathers {@link DatasetStats} from examples one at a time, so that a file can be measured while
 * it streams by. Keeps one {@code int} per example (for exact percentiles) and the counts.
 */
public final class StatsCollector {
    private static final int TARGET_BUCKETS = 10;

    private final ToIntFunction<Example> length;
    private final String unit;
    private final Map<String, Long> intents = new HashMap<>();
    private final Map<String, Long> strategies = new HashMap<>();
    private final Map<Integer, Long> turns = new HashMap<>();
    private int[] lengths = new int[1024];
    private int count;

    private StatsCollector(ToIntFunction<Example> length, String unit) {
        this.length = length;
        this.unit = unit;
    }

    /** @return a collector measuring lengths in Unicode code points of all message texts */
    public static StatsCollector inCharacters() {
        return new StatsCollector(StatsCollector::characters, "characters");
    }

    /** @param tokenCounter the number of tokens of an example as trained */
    public static StatsCollector inTokens(ToIntFunction<Example> tokenCounter) {
        return new StatsCollector(Objects.requireNonNull(tokenCounter, "tokenCounter"), "tokens");
    }

    /** Counts one example. */
    public void add(Example example) {
        intents.merge(example.intent() == null ? ValidationReport.NO_INTENT : example.intent(), 1L, Long::sum);
        strategies.merge(example.strategy() == null ? ValidationReport.NO_INTENT : example.strategy(), 1L, Long::sum);
        int userTurns = (int) example.messages().stream().filter(m -> m.role() == Role.USER).count();
        turns.merge(userTurns, 1L, Long::sum);
        if (count == lengths.length) {
            lengths = Arrays.copyOf(lengths, count * 2);
        }
        lengths[count++] = length.applyAsInt(example);
    }

    /** @return the statistics of the examples added so far */
    public DatasetStats result() {
        return new DatasetStats(count, intents, strategies, turns, histogram());
    }

    private LengthHistogram histogram() {
        if (count == 0) {
            return new LengthHistogram(unit, 0, 0, 0, 0, 0, 0, List.of());
        }
        int[] sorted = Arrays.copyOf(lengths, count);
        Arrays.sort(sorted);
        int min = sorted[0];
        int max = sorted[count - 1];
        double sum = 0;
        for (int value : sorted) {
            sum += value;
        }
        int width = niceWidth(max - min + 1);
        int start = min / width * width;
        List<LengthHistogram.Bucket> buckets = new ArrayList<>();
        int at = 0;
        for (int from = start; from <= max; from += width) {
            int to = from + width - 1;
            int n = 0;
            while (at < count && sorted[at] <= to) {
                at++;
                n++;
            }
            buckets.add(new LengthHistogram.Bucket(from, to, n));
        }
        return new LengthHistogram(unit, count, min, max, sum / count, rank(sorted, 0.50), rank(sorted, 0.95), buckets);
    }

    /** The nearest-rank percentile. */
    private static int rank(int[] sorted, double p) {
        int index = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    /** @return the smallest of 1, 2, 5, 10, 20, 50 ... that covers {@code span} in about ten buckets */
    static int niceWidth(int span) {
        long raw = Math.max(1, (long) Math.ceil(span / (double) TARGET_BUCKETS));
        long magnitude = 1;
        while (true) {
            for (long step : new long[] {1, 2, 5}) {
                if (step * magnitude >= raw) {
                    return (int) (step * magnitude);
                }
            }
            magnitude *= 10;
        }
    }

    private static int characters(Example example) {
        int total = 0;
        for (ChatMessage message : example.messages()) {
            total += message.content().codePointCount(0, message.content().length());
        }
        return total;
    }
}
