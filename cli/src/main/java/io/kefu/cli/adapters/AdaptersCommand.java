package io.kefu.cli.adapters;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code kefu adapters ...}: inspect trained LoRA adapters. */
@Command(name = "adapters",
        mixinStandardHelpOptions = true,
        description = "Inspect trained LoRA adapters.",
        subcommands = {AdapterShowCommand.class})
public final class AdaptersCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
