package io.kefu.cli.common;

/** The exit codes of every {@code kefu} command besides 0 (ok). */
public final class ExitCodes {
    /** A check failed (validation problems, a failed comparison) or the work failed. */
    public static final int FAILED = 1;
    /** The command line was wrong. */
    public static final int USAGE = 2;

    private ExitCodes() {
    }
}
