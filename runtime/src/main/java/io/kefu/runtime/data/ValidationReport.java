package io.kefu.runtime.data;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.util.List;
import java.util.Map;

/**
 * What validating one data file found.
 *
 * @param file the file, as named by the caller
 * @param records how many records were read (good or bad)
 * @param examples how many valid examples were kept (after dropping duplicates or over-long
 *     examples when the options say so)
 * @param shapes kept examples per record shape, in the order of {@link RecordShape}
 * @param intents kept examples per intent, sorted by name; examples without one count under {@link #NO_INTENT}
 * @param problems the problems found, in file order, at most {@link ValidationOptions#maxStoredProblems()}
 * @param problemCount how many problems were found in all
 * @param notices what was changed without failing: dropped duplicates, dropped or truncated
 *     over-long examples; at most {@link ValidationOptions#maxStoredProblems()}
 * @param noticeCount how many notices there were in all
 * @param dropped how many valid examples were left out by the duplicate or length policy
 * @param truncated how many examples training will cut to the maximum length
 */
public record ValidationReport(String file, long records, long examples, Map<RecordShape, Long> shapes,
                               Map<String, Long> intents, List<Problem> problems, long problemCount,
                               List<Problem> notices, long noticeCount, long dropped, long truncated) {
    /** The key under which {@link #intents()} counts examples without an intent. */
    public static final String NO_INTENT = "(none)";

    /** Copies the collections. */
    public ValidationReport {
        Map<RecordShape, Long> byShape = new java.util.EnumMap<>(RecordShape.class);
        byShape.putAll(shapes);
        shapes = java.util.Collections.unmodifiableMap(byShape);
        intents = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(intents));
        problems = List.copyOf(problems);
        notices = List.copyOf(notices);
    }

    /** @return true when no problem was found */
    public boolean ok() {
        return problemCount == 0;
    }

    /**
     * @param maxListed how many problems to list; the rest are counted
     * @return {@code file: N problems in M records:} followed by one {@code file:line: field: reason}
     *     line per problem, or a one-line summary when the file is clean
     */
    public String describe(int maxListed) {
        if (ok()) {
            return file + ": ok, " + examples + " examples in " + records + " records";
        }
        StringBuilder text = new StringBuilder()
                .append(file).append(": ").append(problemCount).append(problemCount == 1 ? " problem" : " problems")
                .append(" in ").append(records).append(records == 1 ? " record:" : " records:");
        int listed = Math.min(maxListed, problems.size());
        for (int i = 0; i < listed; i++) {
            text.append("\n  ").append(problems.get(i).format());
        }
        if (problemCount > listed) {
            text.append("\n  ... and ").append(problemCount - listed).append(" more");
        }
        return text.toString();
    }

    /**
     * @param maxListed how many problems the message lists
     * @return the exception {@code Dataset.load} throws for this report
     */
    public KefuException toException(int maxListed) {
        return new KefuException(ErrorCode.INVALID_DATA, describe(maxListed));
    }
}
