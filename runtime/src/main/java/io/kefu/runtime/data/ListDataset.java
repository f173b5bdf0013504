package io.kefu.runtime.data;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.data.Dataset;
import io.kefu.data.Example;
import io.kefu.data.Split;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.ToIntFunction;

/**
 * The {@link Dataset} implementation: an immutable list of examples.
 *
 * <p>Shuffling is reproducible across JDKs and runs: {@code new java.util.Random(seed)} drives a
 * Fisher-Yates shuffle that walks {@code i} from {@code size - 1} down to 1 and swaps element
 * {@code i} with element {@code random.nextInt(i + 1)} (the same order as
 * {@code Collections.shuffle(list, new Random(seed))}).
 */
public final class ListDataset implements Dataset {
    private final List<Example> examples;

    private ListDataset(List<Example> examples) {
        this.examples = examples;
    }

    /** @return a dataset of a copy of {@code examples} */
    public static ListDataset of(List<Example> examples) {
        return new ListDataset(List.copyOf(examples));
    }

    @Override
    public List<Example> examples() {
        return examples;
    }

    @Override
    public ListDataset shuffle(long seed) {
        return new ListDataset(List.copyOf(shuffled(seed)));
    }

    private List<Example> shuffled(long seed) {
        Example[] order = examples.toArray(new Example[0]);
        Random random = new Random(seed);
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            Example swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        return Arrays.asList(order);
    }

    /**
     * Shuffles with {@code seed} (see the class comment), then puts {@code round(size * trainFraction)}
     * examples in the training part, kept between 1 and {@code size - 1}, and the rest in the test
     * part. Without intents the test part is the head of the shuffled order (as in scikit-learn's
     * {@code ShuffleSplit}). When any example has an intent the split is stratified: each intent
     * (and the group without one) gives the test part its share of the test size, rounded by
     * largest remainder (ties go to the group met first in shuffled order), taking the group's
     * first examples in shuffled order, so the test part has the same mix as the whole. Both parts
     * keep the shuffled order.
     *
     * @throws KefuException {@link ErrorCode#INVALID_ARGUMENT} if {@code trainFraction} is not in
     *     (0, 1) or there are fewer than 2 examples
     */
    @Override
    public Split split(double trainFraction, long seed) {
        if (!(trainFraction > 0 && trainFraction < 1)) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "trainFraction must be in (0, 1), got " + trainFraction);
        }
        int n = examples.size();
        if (n < 2) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "cannot split " + n + " example(s): at least 2 are needed");
        }
        int train = (int) Math.max(1, Math.min(n - 1, Math.round(n * trainFraction)));
        int test = n - train;
        List<Example> order = shuffled(seed);
        boolean stratified = examples.stream().anyMatch(e -> e.intent() != null);
        Map<String, Integer> quota = stratified ? testQuota(order, test) : Map.of("", test);
        Map<String, Integer> taken = new LinkedHashMap<>();
        List<Example> trainPart = new ArrayList<>(train);
        List<Example> testPart = new ArrayList<>(test);
        for (Example example : order) {
            String group = stratified ? groupOf(example) : "";
            int used = taken.getOrDefault(group, 0);
            if (used < quota.getOrDefault(group, 0)) {
                testPart.add(example);
                taken.put(group, used + 1);
            } else {
                trainPart.add(example);
            }
        }
        return new Split(new ListDataset(List.copyOf(trainPart)), new ListDataset(List.copyOf(testPart)));
    }

    /** Largest-remainder apportionment of {@code test} places over the intent groups. */
    private static Map<String, Integer> testQuota(List<Example> order, int test) {
        Map<String, Integer> sizes = new LinkedHashMap<>();
        for (Example example : order) {
            sizes.merge(groupOf(example), 1, Integer::sum);
        }
        int n = order.size();
        Map<String, Integer> quota = new LinkedHashMap<>();
        List<String> groups = new ArrayList<>(sizes.keySet());
        int given = 0;
        for (String group : groups) {
            int share = (int) ((long) sizes.get(group) * test / n);
            quota.put(group, share);
            given += share;
        }
        List<String> byRemainder = new ArrayList<>(groups);
        byRemainder.sort(Comparator.comparingLong((String g) -> (long) sizes.get(g) * test % n).reversed());
        for (int i = 0; given < test; i++) {
            String group = byRemainder.get(i % byRemainder.size());
            if (quota.get(group) < sizes.get(group)) {
                quota.merge(group, 1, Integer::sum);
                given++;
            }
        }
        return quota;
    }

    private static String groupOf(Example example) {
        // "\0" cannot collide with a real intent name read from JSON text
        return example.intent() == null ? "\0" : example.intent();
    }

    /**
     * @return the examples without repeats: of conversations equal exactly or after normalising
     *     whitespace, the first is kept
     */
    public ListDataset deduplicate() {
        DuplicateDetector detector = new DuplicateDetector();
        List<Example> kept = new ArrayList<>(examples.size());
        for (int i = 0; i < examples.size(); i++) {
            if (detector.check(examples.get(i).messages(), i) == null) {
                kept.add(examples.get(i));
            }
        }
        return kept.size() == examples.size() ? this : new ListDataset(List.copyOf(kept));
    }

    /** @return counts per intent and strategy and a histogram of lengths in characters */
    public DatasetStats stats() {
        StatsCollector collector = StatsCollector.inCharacters();
        examples.forEach(collector::add);
        return collector.result();
    }

    /**
     * @param tokenCounter the number of tokens of an example (rendered with a chat template, then tokenized)
     * @return counts per intent and strategy and a histogram of lengths in tokens
     */
    public DatasetStats stats(ToIntFunction<Example> tokenCounter) {
        StatsCollector collector = StatsCollector.inTokens(tokenCounter);
        examples.forEach(collector::add);
        return collector.result();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ListDataset other && examples.equals(other.examples);
    }

    @Override
    public int hashCode() {
        return examples.hashCode();
    }

    @Override
    public String toString() {
        return "Dataset[" + examples.size() + " examples]";
    }
}
