package io.kefu.apicheck;

import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * How the current signatures differ from a baseline: {@code removed} are in the baseline but no
 * longer in the classes (each one breaks code compiled against the baseline); {@code added} are new.
 * A signature that changed shows up in both.
 */
record ApiDiff(SortedSet<String> removed, SortedSet<String> added) {

    static ApiDiff between(Set<String> baseline, Set<String> current) {
        SortedSet<String> removed = new TreeSet<>(baseline);
        removed.removeAll(current);
        SortedSet<String> added = new TreeSet<>(current);
        added.removeAll(baseline);
        return new ApiDiff(removed, added);
    }

    boolean breaks() {
        return !removed.isEmpty();
    }

    /** @return a message that names every removed signature, one a line */
    String describeBreaks(String baselineName, String updateCommand) {
        StringBuilder s = new StringBuilder(removed.size() + " signature(s) of " + baselineName
                + " are missing from the classes, which breaks code built against them:\n");
        removed.forEach(line -> s.append("  - ").append(line).append('\n'));
        s.append("Restore them; or, if the change is intended (or compatible, such as a method that gained a"
                + " default body), regenerate the baseline with: ").append(updateCommand);
        return s.toString();
    }
}
