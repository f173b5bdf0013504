package io.kefu.cli.shop;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.runtime.format.AtomicFiles;
import io.kefu.server.store.Database;
import io.kefu.server.store.ShopStore;
import io.kefu.shop.ShopCatalog;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code kefu shop export --out PATH}: the store's shop as it is now, as a folder or one file. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Write the store's shop as it is now (stock, prices, promotions): a shop folder, or one file when --out ends in .json.",
        footer = {"", "Examples:", "  kefu shop export --out backup/shop", "  kefu shop export --out shop.json"})
public final class ShopExportCommand implements Callable<Integer> {
    @Option(names = "--out", required = true, paramLabel = "DIR_OR_FILE", description = "A folder (four JSON files), or FILE.json (one document).")
    Path out;

    @Mixin
    StoreOptions storeOptions;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        ShopCatalog catalog;
        try (Database db = storeOptions.open()) {
            catalog = new ShopStore(db).catalog();
        }
        boolean oneFile = out.getFileName() != null && out.getFileName().toString().endsWith(".json");
        Path folder = oneFile ? out.toAbsolutePath().getParent() : out;
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, "--out " + out + ": cannot create " + folder + ": " + e.getMessage(), e);
        }
        if (oneFile) {
            AtomicFiles.writeString(out, catalog.toDocument());
        } else {
            catalog.write(out);
        }
        spec.commandLine().getOut().println("exported " + catalog.shopName() + " (" + catalog.products().size() + " products, "
                + catalog.promotions().size() + " promotions) to " + out);
        return 0;
    }
}
