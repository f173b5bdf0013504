package io.kefu.runtime.data;

import io.kefu.KefuException;
import io.kefu.data.Example;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;

/**
 * Reads a data file once, streaming, and checks every record: JSON syntax, UTF-8, field types,
 * role order, empty answers, duplicates, length in tokens and the number of examples. Memory is
 * bounded by one record plus about 100 bytes per example for duplicate detection.
 *
 * <p>A byte order mark and CRLF line ends are accepted silently.
 */
public final class DatasetValidator {
    private final ValidationOptions options;

    /** @param options what to check and how */
    public DatasetValidator(ValidationOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    /** Validates with {@link ValidationOptions#defaults()}. */
    public DatasetValidator() {
        this(ValidationOptions.defaults());
    }

    /** @return the report for {@code file}; the examples are not kept */
    public ValidationReport validate(Path file) {
        return validate(file, example -> { });
    }

    /**
     * Validates {@code file}, handing each example that passes to {@code sink} as soon as it is
     * read. The sink sees examples before the whole file is checked: a caller that must not act on
     * a bad file keeps them aside (a list, a temp file) until {@link ValidationReport#ok()}.
     *
     * @throws KefuException {@link io.kefu.ErrorCode#NOT_FOUND} if the file does not exist,
     *     {@link io.kefu.ErrorCode#IO} if it cannot be read; problems with the content are reported, not thrown
     */
    public ValidationReport validate(Path file, Consumer<Example> sink) {
        String name = file.toString();
        RecordNormalizer normalizer = new RecordNormalizer(options.mapping(), name);
        DuplicateDetector duplicates = options.duplicates() == DuplicatePolicy.KEEP ? null : new DuplicateDetector();
        ToIntFunction<Example> tokenCounter = options.tokenCounter().orElse(null);
        Tally tally = new Tally(options.maxStoredProblems());
        try (RecordSource source = RecordSource.open(file, name)) {
            SourceRecord record;
            while ((record = source.next()) != null) {
                if (record.problem() != null) {
                    if (!record.problem().field().equals(Problem.FILE)) {
                        tally.records++;
                    }
                    tally.problem(record.problem());
                    if (record.fatal()) {
                        break;
                    }
                    continue;
                }
                tally.records++;
                RecordNormalizer.Result result = normalizer.normalize(record.json(), record.line());
                if (!result.ok()) {
                    result.problems().forEach(tally::problem);
                    continue;
                }
                Example example = result.example();
                if (duplicates != null && isRepeat(duplicates, example, record.line(), name, tally)) {
                    continue;
                }
                if (tokenCounter != null && isDroppedForLength(tokenCounter, example, record.line(), name, tally)) {
                    continue;
                }
                tally.keep(example, result.shape());
                sink.accept(example);
            }
        }
        checkCount(name, tally);
        return tally.report(name);
    }

    private boolean isRepeat(DuplicateDetector duplicates, Example example, long line, String name, Tally tally) {
        DuplicateDetector.Match match = duplicates.check(example.messages(), line);
        if (match == null) {
            return false;
        }
        String what = "duplicate of line " + match.first()
                + (match.exact() ? " (the same conversation)" : " (the same conversation after normalising whitespace)");
        if (options.duplicates() == DuplicatePolicy.DROP) {
            tally.notice(new Problem(name, line, Problem.RECORD, "dropped: " + what));
            tally.dropped++;
        } else {
            tally.problem(new Problem(name, line, Problem.RECORD, what + "; remove one, or drop repeats (duplicate policy DROP)"));
        }
        return true;
    }

    private boolean isDroppedForLength(ToIntFunction<Example> counter, Example example, long line, String name, Tally tally) {
        int tokens;
        try {
            tokens = counter.applyAsInt(example);
        } catch (KefuException e) {
            String reason = e.getMessage();
            String location = example.provenance().location() + ": ";
            if (reason.startsWith(location)) {
                reason = reason.substring(location.length()); // the problem names the place already
            }
            tally.problem(new Problem(name, line, Problem.RECORD, "cannot be rendered and tokenized: " + reason));
            return true;
        }
        int max = options.maxLength();
        if (tokens <= max) {
            return false;
        }
        String what = tokens + " tokens after rendering with the chat template, more than the maximum length " + max;
        switch (options.overlong()) {
            case ERROR -> {
                tally.problem(new Problem(name, line, Problem.RECORD,
                        what + "; shorten it, or choose the overlong policy truncate or drop"));
                return true;
            }
            case DROP -> {
                tally.notice(new Problem(name, line, Problem.RECORD, "dropped: " + what));
                tally.dropped++;
                return true;
            }
            default -> {
                tally.notice(new Problem(name, line, Problem.RECORD, what + ": training keeps the first " + max));
                tally.truncated++;
                return false;
            }
        }
    }

    private void checkCount(String name, Tally tally) {
        long count = tally.problemCount > 0 ? tally.records : tally.examples;
        if (count < options.minExamples()) {
            String have = count == 0 ? "no examples" : "only " + count + (count == 1 ? " example" : " examples");
            if (tally.dropped > 0) {
                have += " after dropping " + tally.dropped;
            }
            tally.problem(new Problem(name, 0, Problem.FILE, have + "; at least " + options.minExamples()
                    + " are needed (lower the minimum number of examples if this is intended)"));
        }
    }

    /** Running counts for one file. */
    private static final class Tally {
        private final int maxStored;
        private long records;
        private long examples;
        private long dropped;
        private long truncated;
        private final Map<RecordShape, Long> shapes = new EnumMap<>(RecordShape.class);
        private final Map<String, Long> intents = new HashMap<>();
        private final List<Problem> problems = new ArrayList<>();
        private long problemCount;
        private final List<Problem> notices = new ArrayList<>();
        private long noticeCount;

        Tally(int maxStored) {
            this.maxStored = maxStored;
        }

        void problem(Problem problem) {
            problemCount++;
            if (problems.size() < maxStored) {
                problems.add(problem);
            }
        }

        void notice(Problem notice) {
            noticeCount++;
            if (notices.size() < maxStored) {
                notices.add(notice);
            }
        }

        void keep(Example example, RecordShape shape) {
            examples++;
            shapes.merge(shape, 1L, Long::sum);
            intents.merge(example.intent() == null ? ValidationReport.NO_INTENT : example.intent(), 1L, Long::sum);
        }

        ValidationReport report(String name) {
            return new ValidationReport(name, records, examples, shapes, intents, problems, problemCount,
                    notices, noticeCount, dropped, truncated);
        }
    }
}
