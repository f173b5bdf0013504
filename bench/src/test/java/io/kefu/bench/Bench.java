package io.kefu.bench;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs {@code kefu bench} in-process through its own entry point and captures what it prints. */
final class Bench {
    private Bench() {
    }

    /**
     * @param exitCode the process exit code the command would return
     * @param out what it printed on standard output
     * @param err what it printed on standard error
     */
    record Result(int exitCode, String out, String err) {
    }

    /** @param args the arguments after {@code kefu bench} */
    static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = BenchCommand.run(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Result(code, out.toString(), err.toString());
    }
}
