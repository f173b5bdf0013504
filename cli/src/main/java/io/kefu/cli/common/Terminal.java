package io.kefu.cli.common;

import picocli.CommandLine.Model.CommandSpec;

/** Whether a command draws progress as bars on an interactive terminal or prints it as plain lines. */
public final class Terminal {
    /** The root command, which knows whether its streams are an interactive terminal. */
    public interface Root {
        /** @return whether standard output and error are an interactive terminal (not a pipe, a file or a test's buffer) */
        boolean interactive();
    }

    private Terminal() {
    }

    /** @return whether {@code spec}'s command runs on an interactive terminal, as its root command was told */
    public static boolean isInteractive(CommandSpec spec) {
        return spec.root().userObject() instanceof Root root && root.interactive();
    }
}
