package io.kefu.cli.shop;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.server.store.Database;
import io.kefu.server.store.ShopStore;
import io.kefu.shop.Product;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.util.Map;
import java.util.concurrent.Callable;

/** {@code kefu shop set-stock PRODUCT COLOUR SIZE UNITS}. */
@Command(name = "set-stock", mixinStandardHelpOptions = true,
        description = "Set the stock of one SKU (product, colour, size) in the store.",
        footer = {"", "Example:", "  kefu shop set-stock 1001 雾蓝 M 0"})
public final class SetStockCommand implements Callable<Integer> {
    private static final int MAX_UNITS = 1_000_000;

    @Parameters(index = "0", paramLabel = "PRODUCT", description = "The product id.")
    String productId;

    @Parameters(index = "1", paramLabel = "COLOUR", description = "One of the product's colours.")
    String color;

    @Parameters(index = "2", paramLabel = "SIZE", description = "One of the product's sizes.")
    String size;

    @Parameters(index = "3", paramLabel = "UNITS", description = "Units in stock, 0.." + MAX_UNITS + ".")
    int units;

    @Mixin
    StoreOptions storeOptions;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (units < 0 || units > MAX_UNITS) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "UNITS: must be 0.." + MAX_UNITS + ", got " + units);
        }
        try (Database db = storeOptions.open()) {
            Product product = new ShopStore(db).updateProduct(productId, null, Map.of(color, Map.of(size, units)));
            spec.commandLine().getOut().println(product.id() + " " + color + " " + size + ": " + product.stockOf(color, size) + " in stock");
        }
        return 0;
    }
}
