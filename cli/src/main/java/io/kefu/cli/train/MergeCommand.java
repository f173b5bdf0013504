package io.kefu.cli.train;

import io.kefu.cli.common.EngineOption;
import io.kefu.train.Adapter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code kefu merge}: fold a LoRA adapter into its base checkpoint. */
@Command(name = "merge",
        mixinStandardHelpOptions = true,
        description = {"Merge a LoRA adapter into its base model, written as a new Hugging Face checkpoint.",
                "W + scale * B * A in fp32, written tensor by tensor (each tensor in the base's dtype, sharded when",
                "large), with the tokenizer files and a generation_config.json whose EOS ids include the chat",
                "template's end of turn."},
        footer = {"", "Example:", "  kefu merge --model models/qwen2.5-0.5b --adapter out/shop/adapter --out models/shop-merged"})
public final class MergeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR", description = "Base checkpoint folder.")
    Path model;

    @Option(names = "--adapter", required = true, paramLabel = "DIR", description = "PEFT adapter folder.")
    Path adapter;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "New checkpoint folder (must not exist or be empty).")
    Path out;

    @Mixin
    EngineOption engine;

    @Override
    public Integer call() {
        engine.get().merge(model, Adapter.load(adapter), out);
        spec.commandLine().getOut().println("wrote " + out);
        return 0;
    }
}
