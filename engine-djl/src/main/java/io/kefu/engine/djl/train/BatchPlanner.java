package io.kefu.engine.djl.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/**
 * Orders an epoch's examples into micro-batches of similar length, so that dynamic padding wastes
 * little: shuffle with a per-epoch seed, cut into groups of {@link #GROUP_BATCHES} batches, sort each
 * group by length (longest first), cut into batches, then shuffle the batches. Deterministic in
 * (seed, epoch), so a resumed run replays the same order.
 */
final class BatchPlanner {
    /** Batches per length-sorted group (transformers' group_by_length uses 50). */
    static final int GROUP_BATCHES = 50;

    private final int[] lengths;
    private final int batchSize;
    private final long seed;

    BatchPlanner(int[] lengths, int batchSize, long seed) {
        this.lengths = lengths.clone();
        this.batchSize = batchSize;
        this.seed = seed;
    }

    /** @return the number of micro-batches in every epoch */
    int batchesPerEpoch() {
        return (lengths.length + batchSize - 1) / batchSize;
    }

    /** @return the micro-batches of a 1-based epoch, each a list of example indices */
    List<int[]> plan(int epoch) {
        Random random = new Random(seed * 1_000_003L + epoch);
        List<Integer> order = new ArrayList<>(lengths.length);
        for (int i = 0; i < lengths.length; i++) {
            order.add(i);
        }
        Collections.shuffle(order, random);
        List<int[]> batches = new ArrayList<>();
        int group = batchSize * GROUP_BATCHES;
        for (int from = 0; from < order.size(); from += group) {
            List<Integer> part = new ArrayList<>(order.subList(from, Math.min(order.size(), from + group)));
            part.sort(Comparator.comparingInt((Integer i) -> lengths[i]).reversed());
            for (int b = 0; b < part.size(); b += batchSize) {
                List<Integer> batch = part.subList(b, Math.min(part.size(), b + batchSize));
                batches.add(batch.stream().mapToInt(Integer::intValue).toArray());
            }
        }
        Collections.shuffle(batches, random);
        return batches;
    }
}
