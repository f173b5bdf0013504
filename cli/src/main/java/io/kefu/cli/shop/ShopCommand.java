package io.kefu.cli.shop;

import picocli.CommandLine.Command;

/** {@code kefu shop ...}: the shop held in Kefu's own store, which {@code kefu serve} answers from. */
@Command(name = "shop",
        description = {"Load, save and change the shop in Kefu's store (the one kefu serve answers from).",
                "A running server sees a change in its next answer; it has the same over HTTP: PUT /admin/products/{id} ..."},
        mixinStandardHelpOptions = true,
        subcommands = {ShopImportCommand.class, ShopExportCommand.class, SetStockCommand.class})
public final class ShopCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }
}
