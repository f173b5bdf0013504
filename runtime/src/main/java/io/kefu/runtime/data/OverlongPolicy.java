package io.kefu.runtime.data;

/** What to do with an example whose rendered conversation has more tokens than the maximum length. */
public enum OverlongPolicy {
    /** Report it as a problem: validation fails. */
    ERROR,
    /** Keep it; training cuts it to the maximum length. Reported as a notice. */
    TRUNCATE,
    /** Leave it out. Reported as a notice. */
    DROP
}
