package io.kefu.cli.common;

import io.kefu.model.Engine;
import io.kefu.model.Engines;
import picocli.CommandLine.Option;

/** The {@code --engine} option (a picocli mixin) of the commands that load, train, merge or write a model with one engine. */
public final class EngineOption {
    @Option(names = "--engine", defaultValue = "djl", paramLabel = "ID", description = "Engine (see kefu engines; default: ${DEFAULT-VALUE}).")
    String id;

    /** @return the engine id as given, {@code djl} by default */
    public String id() {
        return id;
    }

    /** @return the engine, or throws with the reason it cannot load */
    public Engine get() {
        return Engines.get(id);
    }
}
