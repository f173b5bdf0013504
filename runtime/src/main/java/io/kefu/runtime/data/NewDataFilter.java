package io.kefu.runtime.data;

import io.kefu.data.Dataset;
import io.kefu.data.Example;
import java.util.ArrayList;
import java.util.List;

/**
 * Keeps only the conversations of a month's new data that training has not seen: a record whose
 * conversation (exactly, or after normalising whitespace as {@link ListDataset#deduplicate()} compares
 * them) is in the earlier data, or earlier in the new data, is left out. The kept records stay in file order.
 */
public final class NewDataFilter {
    private NewDataFilter() {
    }

    /**
     * @param kept the new records, without those seen before
     * @param alreadyTrained records left out because the earlier data holds the same conversation
     * @param repeated records left out because the new data held the same conversation before them
     */
    public record Result(Dataset kept, int alreadyTrained, int repeated) {
    }

    /**
     * @param fresh the new data
     * @param earlier the data earlier adapters were trained on
     */
    public static Result filter(Dataset fresh, Dataset earlier) {
        DuplicateDetector detector = new DuplicateDetector();
        long position = 0;
        for (Example example : earlier) {
            detector.check(example.messages(), position++);
        }
        long firstFresh = position;
        List<Example> kept = new ArrayList<>();
        int alreadyTrained = 0;
        int repeated = 0;
        for (Example example : fresh) {
            DuplicateDetector.Match match = detector.check(example.messages(), position++);
            if (match == null) {
                kept.add(example);
            } else if (match.first() < firstFresh) {
                alreadyTrained++;
            } else {
                repeated++;
            }
        }
        return new Result(ListDataset.of(kept), alreadyTrained, repeated);
    }
}
