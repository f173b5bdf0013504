package io.kefu.runtime.data;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a dataset holds.
 *
 * @param examples how many examples
 * @param intents examples per intent, sorted by name; those without one count under {@link ValidationReport#NO_INTENT}
 * @param strategies examples per strategy, sorted by name; those without one count under {@link ValidationReport#NO_INTENT}
 * @param turns examples per number of user turns, sorted
 * @param lengths the length histogram
 */
public record DatasetStats(long examples, Map<String, Long> intents, Map<String, Long> strategies,
                           Map<Integer, Long> turns, LengthHistogram lengths) {
    /** Copies the maps, sorted. */
    public DatasetStats {
        intents = Collections.unmodifiableMap(new TreeMap<>(intents));
        strategies = Collections.unmodifiableMap(new TreeMap<>(strategies));
        turns = Collections.unmodifiableMap(new TreeMap<>(turns));
    }
}
