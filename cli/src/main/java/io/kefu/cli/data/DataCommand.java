package io.kefu.cli.data;

import picocli.CommandLine.Command;

/** {@code kefu data ...}: validate, inspect, render and augment datasets. */
@Command(name = "data",
        description = "Validate, inspect, render and augment datasets.",
        mixinStandardHelpOptions = true,
        subcommands = {ValidateCommand.class, StatsCommand.class, AugmentCommand.class, GenerateShopCommand.class, GenerateMonthsCommand.class, RenderCommand.class, TrainTokenizerCommand.class})
public final class DataCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
