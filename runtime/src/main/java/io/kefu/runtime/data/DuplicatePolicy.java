package io.kefu.runtime.data;

/**
 * What to do with an example whose conversation repeats an earlier one, exactly or after
 * normalising whitespace.
 */
public enum DuplicatePolicy {
    /** Report it as a problem naming both lines: validation fails. */
    ERROR,
    /** Keep the first, leave out the repeat. Reported as a notice. */
    DROP,
    /** Keep both silently. */
    KEEP
}
