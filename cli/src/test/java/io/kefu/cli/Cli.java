package io.kefu.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs the real {@code kefu} entry point in-process and captures what it prints. */
public final class Cli {
    private Cli() {
    }

    /**
     * @param exitCode the process exit code the command would return
     * @param out what it printed on standard output
     * @param err what it printed on standard error
     */
    public record Result(int exitCode, String out, String err) {
    }

    public static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = KefuCli.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }
}
