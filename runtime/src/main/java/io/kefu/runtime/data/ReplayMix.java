package io.kefu.runtime.data;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.data.Dataset;
import io.kefu.data.Example;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Mixes a seeded sample of earlier training data into new data ("replay"), the usual guard against
 * forgetting old skills when an adapter is trained further on new data.
 *
 * <p>The ratio is the share of the mixed training set that comes from the earlier data: with
 * {@code n} new examples and ratio {@code r}, {@code round(n * r / (1 - r))} earlier examples are
 * added (0.2 with 100 new examples adds 25, a fifth of the 125). Earlier examples whose conversation
 * is also in the new data (exactly or after normalising whitespace, as {@link ListDataset#deduplicate()}
 * compares them) are never replayed. The sample is the head of a {@code new Random(seed)}
 * Fisher-Yates shuffle of the remaining earlier examples, kept in their file order; the same data,
 * ratio and seed give the same mix. When fewer earlier examples remain than the ratio asks for, all
 * of them are replayed and {@link Result#replayed()} says how many.
 */
public final class ReplayMix {
    private ReplayMix() {
    }

    /**
     * @param train the new training examples followed by the replayed ones
     * @param wanted how many earlier examples the ratio asks for
     * @param replayed how many were added ({@code wanted}, or fewer when the earlier data ran out)
     * @param duplicates earlier examples left out because the new data (or the earlier data before them) holds the same conversation
     */
    public record Result(Dataset train, int wanted, int replayed, int duplicates) {
    }

    /**
     * @param train new training examples
     * @param validation new validation examples (never replayed either), or null
     * @param earlier the earlier training data to sample from
     * @param ratio share of the mixed training set taken from {@code earlier}, in (0, 1)
     * @param seed sampling seed
     * @throws KefuException with {@link ErrorCode#INVALID_ARGUMENT} when the ratio is outside (0, 1)
     */
    public static Result mix(Dataset train, Dataset validation, Dataset earlier, double ratio, long seed) {
        if (!(ratio > 0 && ratio < 1)) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "replay ratio " + ratio
                    + " must be above 0 and below 1 (the share of the mixed training set taken from the replay data)");
        }
        DuplicateDetector detector = new DuplicateDetector();
        long position = 0;
        for (Dataset fresh : validation == null ? List.of(train) : List.of(train, validation)) {
            for (Example example : fresh) {
                detector.check(example.messages(), position++);
            }
        }
        List<Integer> candidates = new ArrayList<>();
        List<Example> old = earlier.examples();
        for (int i = 0; i < old.size(); i++) {
            if (detector.check(old.get(i).messages(), position++) == null) {
                candidates.add(i);
            }
        }
        int wanted = (int) Math.round(train.size() * ratio / (1 - ratio));
        int take = Math.min(wanted, candidates.size());
        Integer[] order = candidates.toArray(new Integer[0]);
        Random random = new Random(seed);
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            Integer swap = order[i];
            order[i] = order[j];
            order[j] = swap;
        }
        List<Integer> picked = new ArrayList<>(List.of(order).subList(0, take));
        picked.sort(null);
        List<Example> mixed = new ArrayList<>(train.examples());
        picked.forEach(i -> mixed.add(old.get(i)));
        return new Result(ListDataset.of(mixed), wanted, take, old.size() - candidates.size());
    }
}
