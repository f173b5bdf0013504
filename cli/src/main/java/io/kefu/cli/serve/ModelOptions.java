package io.kefu.cli.serve;

import io.kefu.cli.common.DeviceOption;
import io.kefu.cli.common.EngineOption;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The {@code --engine}, {@code --device}, {@code --model} and {@code --adapter} options of commands that run a model. */
final class ModelOptions {
    @Mixin
    EngineOption engine;

    @Mixin
    DeviceOption device;

    @Option(names = "--model", required = true, paramLabel = "DIR|HUBID", description = "Checkpoint folder or hub id owner/name[@revision].")
    String model;

    @Option(names = "--adapter", paramLabel = "DIR", description = "PEFT adapter folder to answer with.")
    Path adapter;

    /** Loads the model (downloading a hub id first, with progress on {@code err}). */
    LoadedChatModel load(PrintWriter err) {
        return LoadedChatModel.load(device.open(engine.id()), model, adapter, err);
    }
}
