package io.kefu.cli.data;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.runtime.format.AtomicFiles;
import io.kefu.shop.DialogGenerator;
import io.kefu.shop.DialogJsonl;
import io.kefu.shop.ShopCatalog;
import io.kefu.shop.ShopMonths;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code kefu data generate-months}: the sample shop's training dialogs as two months, the second with a new product. */
@Command(name = "generate-months",
        mixinStandardHelpOptions = true,
        description = {"Split a shop's training dialogs into two months for the monthly re-training example.",
                "month1.jsonl: the first --month1 dialogs of train.jsonl. month2.jsonl: the next --old-in-month2 dialogs and",
                "--new-product dialogs about a product the shop adds in the second month (a down jacket with a promotion",
                "of its own, 满399减60). test-new-product.jsonl: held-out questions about it. shop-month2/: the shop folder",
                "with the product and promotion added. The held-out questions about the earlier products stay test.jsonl."},
        footer = {"", "Example:", "  kefu data generate-months --shop examples/shop --out examples/shop/months"})
public final class GenerateMonthsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--shop", paramLabel = "DIR", required = true, description = "Shop folder with train.jsonl.")
    Path shop;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Where the months are written.")
    Path out;

    @Option(names = "--month1", paramLabel = "N", defaultValue = "400", description = "Dialogs of the first month (default: ${DEFAULT-VALUE}).")
    int month1;

    @Option(names = "--old-in-month2", paramLabel = "N", defaultValue = "100",
            description = "Further dialogs about the earlier products in the second month (default: ${DEFAULT-VALUE}).")
    int oldInMonth2;

    @Option(names = "--new-product", paramLabel = "N", defaultValue = "100",
            description = "Second-month dialogs about the new product (default: ${DEFAULT-VALUE}).")
    int newProduct;

    @Option(names = "--new-product-test", paramLabel = "N", defaultValue = "40",
            description = "Held-out questions about the new product (default: ${DEFAULT-VALUE}).")
    int newProductTest;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "Seed of the new product's dialogs (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws IOException {
        requirePositive("--month1", month1);
        requirePositive("--old-in-month2", oldInMonth2);
        requirePositive("--new-product", newProduct);
        requirePositive("--new-product-test", newProductTest);
        ShopCatalog catalog = ShopCatalog.load(shop);
        Path trainFile = shop.resolve("train.jsonl");
        List<String> lines = Files.readAllLines(trainFile, StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank()).toList();
        if (lines.size() < month1 + oldInMonth2) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, trainFile + " has " + lines.size() + " dialogs; --month1 " + month1
                    + " and --old-in-month2 " + oldInMonth2 + " need " + (month1 + oldInMonth2));
        }
        ShopCatalog second = ShopMonths.secondMonth(catalog);
        DialogGenerator.Generated fresh = ShopMonths.newProductDialogs(second, DialogGenerator.Config.builder().seed(seed)
                .trainCount(newProduct).testCount(newProductTest).build(), "month2-");
        List<String> month2 = new ArrayList<>(lines.subList(month1, month1 + oldInMonth2));
        fresh.train().forEach(d -> month2.add(DialogJsonl.toJson(d)));
        Files.createDirectories(out);
        AtomicFiles.writeString(out.resolve("month1.jsonl"), String.join("\n", lines.subList(0, month1)) + "\n");
        AtomicFiles.writeString(out.resolve("month2.jsonl"), String.join("\n", month2) + "\n");
        DialogJsonl.write(fresh.test(), out.resolve("test-new-product.jsonl"));
        second.write(out.resolve("shop-month2"));
        PrintWriter printer = spec.commandLine().getOut();
        printer.printf("wrote %s (%d dialogs), %s (%d: %d about earlier products, %d about %s %s), %s (%d) and %s%n",
                out.resolve("month1.jsonl"), month1, out.resolve("month2.jsonl"), month2.size(), oldInMonth2, newProduct,
                ShopMonths.NEW_PRODUCT.id(), ShopMonths.NEW_PRODUCT.name(), out.resolve("test-new-product.jsonl"),
                fresh.test().size(), out.resolve("shop-month2"));
        printer.flush();
        return 0;
    }

    private static void requirePositive(String option, int value) {
        if (value < 1) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, option + " " + value + " must be at least 1");
        }
    }
}
