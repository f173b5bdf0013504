package io.kefu.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code kefu bench}: benchmarks that print a table with the baseline beside ours, measured in the same run. */
@Command(name = "bench",
        mixinStandardHelpOptions = true,
        description = "Benchmarks: each prints a table with the baseline beside ours, measured in the same run.",
        subcommands = {BenchDataCommand.class, BenchDecodeCommand.class, EvalBenchCommand.class, BenchTrainCommand.class, BenchServeCommand.class})
public final class BenchCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
