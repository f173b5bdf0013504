package io.kefu.cli.shop;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.server.store.Database;
import io.kefu.server.store.ShopStore;
import io.kefu.shop.ShopCatalog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code kefu shop import SOURCE}: a shop folder or shop file into the store. */
@Command(name = "import", mixinStandardHelpOptions = true,
        description = "Load a shop folder (catalog.json, promotions.json, policies.json, size_chart.json) or a one-document shop file into the store.",
        footer = {"", "Examples:", "  kefu shop import examples/shop", "  kefu shop import shop.json --replace --store jdbc:postgresql://127.0.0.1/kefu?user=kefu"})
public final class ShopImportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SOURCE", description = "A shop folder, or a shop file as kefu shop export --out FILE.json writes it.")
    Path source;

    @Option(names = "--replace", description = "Replace the shop the store holds (without it, a store that holds one is left alone).")
    boolean replace;

    @Mixin
    StoreOptions storeOptions;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        ShopCatalog catalog = ShopCatalog.load(source);
        try (Database db = storeOptions.open()) {
            ShopStore store = new ShopStore(db);
            if (store.isLoaded() && !replace) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, db.redacted() + " already holds the shop " + store.shopName()
                        + "; add --replace to replace it");
            }
            store.replace(catalog);
            spec.commandLine().getOut().println("imported " + catalog.shopName() + " (" + catalog.products().size() + " products, "
                    + catalog.promotions().size() + " promotions) from " + source + " into " + db.redacted());
        }
        return 0;
    }
}
