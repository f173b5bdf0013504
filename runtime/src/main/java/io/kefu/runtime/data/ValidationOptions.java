package io.kefu.runtime.data;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.data.Example;
import java.util.Objects;
import java.util.Optional;
import java.util.function.ToIntFunction;

/**
 * How a dataset file is read and checked. Defaults ({@link #defaults()}):
 * <ul>
 *   <li>{@link #mapping()}: {@link FieldMapping#defaults()};</li>
 *   <li>{@link #minExamples()}: 10 &mdash; fewer examples is a problem (0 turns the check off);</li>
 *   <li>{@link #duplicates()}: {@link DuplicatePolicy#ERROR};</li>
 *   <li>{@link #tokenCounter()}: none, so no length check; with one, {@link #maxLength()} must be
 *       set (no default) and {@link #overlong()} defaults to {@link OverlongPolicy#ERROR};</li>
 *   <li>{@link #maxStoredProblems()}: 1000 &mdash; problems beyond this are counted, not kept.</li>
 * </ul>
 */
public final class ValidationOptions {
    private static final ValidationOptions DEFAULTS = builder().build();

    private final FieldMapping mapping;
    private final int minExamples;
    private final DuplicatePolicy duplicates;
    private final ToIntFunction<Example> tokenCounter;
    private final int maxLength;
    private final OverlongPolicy overlong;
    private final int maxStoredProblems;

    private ValidationOptions(Builder b) {
        mapping = b.mapping;
        minExamples = b.minExamples;
        duplicates = b.duplicates;
        tokenCounter = b.tokenCounter;
        maxLength = b.maxLength;
        overlong = b.overlong;
        maxStoredProblems = b.maxStoredProblems;
    }

    /** @return the defaults listed in the class comment */
    public static ValidationOptions defaults() {
        return DEFAULTS;
    }

    /** @return a builder starting from the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding these options */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.mapping = mapping;
        b.minExamples = minExamples;
        b.duplicates = duplicates;
        b.tokenCounter = tokenCounter;
        b.maxLength = maxLength;
        b.overlong = overlong;
        b.maxStoredProblems = maxStoredProblems;
        return b;
    }

    /** @return which fields hold what */
    public FieldMapping mapping() {
        return mapping;
    }

    /** @return the fewest examples a file must hold; 0 means no minimum */
    public int minExamples() {
        return minExamples;
    }

    /** @return what to do with repeated conversations */
    public DuplicatePolicy duplicates() {
        return duplicates;
    }

    /** @return counts the tokens of a rendered example, if lengths are checked */
    public Optional<ToIntFunction<Example>> tokenCounter() {
        return Optional.ofNullable(tokenCounter);
    }

    /** @return the most tokens an example may have; 0 when lengths are not checked */
    public int maxLength() {
        return maxLength;
    }

    /** @return what to do with an example longer than {@link #maxLength()} */
    public OverlongPolicy overlong() {
        return overlong;
    }

    /** @return how many problems (and, separately, notices) a report keeps */
    public int maxStoredProblems() {
        return maxStoredProblems;
    }

    /** Builds {@link ValidationOptions}; unset values keep the defaults named in the class comment. */
    public static final class Builder {
        private FieldMapping mapping = FieldMapping.defaults();
        private int minExamples = 10;
        private DuplicatePolicy duplicates = DuplicatePolicy.ERROR;
        private ToIntFunction<Example> tokenCounter;
        private int maxLength;
        private OverlongPolicy overlong = OverlongPolicy.ERROR;
        private int maxStoredProblems = 1000;

        private Builder() {
        }

        /** @param mapping which fields hold what; default {@link FieldMapping#defaults()} */
        public Builder mapping(FieldMapping mapping) {
            this.mapping = Objects.requireNonNull(mapping, "mapping");
            return this;
        }

        /** @param minExamples the fewest examples a file must hold, 0 for no minimum; default 10 */
        public Builder minExamples(int minExamples) {
            this.minExamples = minExamples;
            return this;
        }

        /** @param duplicates what to do with repeated conversations; default {@link DuplicatePolicy#ERROR} */
        public Builder duplicates(DuplicatePolicy duplicates) {
            this.duplicates = Objects.requireNonNull(duplicates, "duplicates");
            return this;
        }

        /**
         * Checks the length of each example in tokens.
         *
         * @param tokenCounter the number of tokens of an example as it is trained (rendered with the
         *     chat template, then tokenized); e.g. built from {@code io.kefu.runtime.tokenize.ChatFeaturizer}
         * @param maxLength the most tokens allowed, at least 1
         * @param overlong what to do with longer examples; default {@link OverlongPolicy#ERROR}
         */
        public Builder maxLength(ToIntFunction<Example> tokenCounter, int maxLength, OverlongPolicy overlong) {
            this.tokenCounter = Objects.requireNonNull(tokenCounter, "tokenCounter");
            this.maxLength = maxLength;
            this.overlong = Objects.requireNonNull(overlong, "overlong");
            return this;
        }

        /** @param maxStoredProblems how many problems a report keeps, at least 1; default 1000 */
        public Builder maxStoredProblems(int maxStoredProblems) {
            this.maxStoredProblems = maxStoredProblems;
            return this;
        }

        /**
         * @return the options
         * @throws KefuException {@link ErrorCode#INVALID_ARGUMENT} for a negative minimum, a
         *     maximum length below 1 or a problem limit below 1
         */
        public ValidationOptions build() {
            if (minExamples < 0) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "minExamples must be >= 0, got " + minExamples);
            }
            if (tokenCounter != null && maxLength < 1) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "maxLength must be >= 1 token, got " + maxLength);
            }
            if (maxStoredProblems < 1) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "maxStoredProblems must be >= 1, got " + maxStoredProblems);
            }
            return new ValidationOptions(this);
        }
    }
}
