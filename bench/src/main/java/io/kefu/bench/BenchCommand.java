package io.kefu.bench;

import io.kefu.KefuException;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * {@code kefu bench}: benchmarks that print a table with the baseline beside ours, measured in the same run.
 * The {@code kefu} command registers it as a subcommand; {@link #main} runs it alone, as {@code kefu bench
 * train} does in the JVMs it forks for each measured case.
 */
@Command(name = "bench",
        mixinStandardHelpOptions = true,
        description = "Benchmarks: each prints a table with the baseline beside ours, measured in the same run.",
        subcommands = {BenchDataCommand.class, BenchDecodeCommand.class, EvalBenchCommand.class, BenchTrainCommand.class, BenchServeCommand.class,
                BenchQuantizationCommand.class})
public final class BenchCommand implements Runnable {
    @Spec
    CommandSpec spec;

    /** Runs {@code bench ARGS...} without the rest of the {@code kefu} command. */
    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8), true),
                new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true)));
    }

    /** Runs {@code bench ARGS...} with the given streams and returns the exit code: 0 ok, 1 failed, 2 usage error. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cli = new CommandLine(new BenchCommand());
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            commandLine.getErr().println("kefu bench: " + (e instanceof KefuException ? e.getMessage()
                    : e.getClass().getSimpleName() + ": " + e.getMessage()));
            return 1;
        });
        return cli.execute(args);
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
