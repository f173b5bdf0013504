package io.kefu.cli.data;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.shop.AnswerStyle;
import io.kefu.shop.DialogGenerator;
import io.kefu.shop.Intent;
import io.kefu.shop.RandomShop;
import io.kefu.shop.ShopCatalog;
import io.kefu.shop.ShopDialog;
import io.kefu.shop.DialogJsonl;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code kefu data generate-shop}: regenerate a shop's dialogs, or a corpus of made-up shops. */
@Command(name = "generate-shop",
        mixinStandardHelpOptions = true,
        description = {"Generate training and held-out dialogs (Alpaca JSONL) from a shop folder or made-up shops.",
                "With made-up shops (chosen at random) it makes a broad multi-shop corpus."},
        footer = {"", "Examples:",
                "  kefu data generate-shop --shop examples/shop --out examples/shop --seed 42",
                "  kefu data generate-shop --random-shops 40 --train 150 --test 20 --out out/corpus --seed 7"})
public final class GenerateShopCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--shop", paramLabel = "DIR", description = "Shop folder (catalog.json, promotions.json, policies.json, size_chart.json).")
    Path shop;

    @Option(names = "--random-shops", paramLabel = "K", description = "Instead of --shop: make up K shops (their folders go to OUT/shops/).")
    Integer randomShops;

    @Option(names = "--out", paramLabel = "DIR", required = true, description = "Where train.jsonl and test.jsonl are written.")
    Path out;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--train", paramLabel = "N", description = "Training dialogs (per shop with --random-shops). Default: 600, or 150 per random shop.")
    Integer train;

    @Option(names = "--test", paramLabel = "N", description = "Held-out dialogs (per shop with --random-shops). Default: 130, or 20 per random shop.")
    Integer test;

    @Option(names = "--as-of", paramLabel = "DATE", description = "Day whose promotions are active (default: 2026-11-20).")
    String asOf;

    @Option(names = "--style", paramLabel = "warm|plain", description = "Answer tone. Default: warm for --shop, plain for --random-shops.")
    String style;

    @Option(names = "--json", description = "Print a JSON summary instead of text.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        if ((shop == null) == (randomShops == null)) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "give exactly one of --shop DIR or --random-shops K");
        }
        LocalDate day = DialogGenerator.Config.Builder.DEFAULT_DAY;
        if (asOf != null) {
            try {
                day = LocalDate.parse(asOf);
            } catch (DateTimeParseException e) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--as-of " + asOf + ": expected a date like 2026-11-20");
            }
        }
        AnswerStyle tone = style == null ? (shop != null ? AnswerStyle.WARM : AnswerStyle.PLAIN) : parseStyle(style);
        List<ShopDialog> trainDialogs = new ArrayList<>();
        List<ShopDialog> testDialogs = new ArrayList<>();
        if (shop != null) {
            ShopCatalog catalog = ShopCatalog.load(shop);
            DialogGenerator.Generated generated = new DialogGenerator(config(seed, day, tone, 600, 130)).generate(catalog);
            trainDialogs.addAll(generated.train());
            testDialogs.addAll(generated.test());
        } else {
            if (randomShops < 1) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--random-shops " + randomShops + ": must be at least 1");
            }
            for (int i = 0; i < randomShops; i++) {
                long shopSeed = seed * 1_000L + i;
                ShopCatalog catalog = RandomShop.generate(shopSeed, day);
                catalog.write(out.resolve("shops").resolve(catalog.shopId()));
                DialogGenerator.Generated generated = new DialogGenerator(config(shopSeed, day, tone, 150, 20))
                        .generate(catalog, catalog.shopId() + "-");
                trainDialogs.addAll(generated.train());
                testDialogs.addAll(generated.test());
            }
        }
        DialogJsonl.write(trainDialogs, out.resolve("train.jsonl"));
        DialogJsonl.write(testDialogs, out.resolve("test.jsonl"));
        report(trainDialogs, testDialogs);
        return 0;
    }

    private DialogGenerator.Config config(long seedValue, LocalDate day, AnswerStyle tone, int defaultTrain, int defaultTest) {
        return DialogGenerator.Config.builder().seed(seedValue).day(day).style(tone)
                .trainCount(train == null ? defaultTrain : train).testCount(test == null ? defaultTest : test).build();
    }

    private static AnswerStyle parseStyle(String name) {
        return switch (name) {
            case "warm" -> AnswerStyle.WARM;
            case "plain" -> AnswerStyle.PLAIN;
            default -> throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--style " + name + ": expected warm or plain");
        };
    }

    private void report(List<ShopDialog> trainDialogs, List<ShopDialog> testDialogs) {
        PrintWriter printer = spec.commandLine().getOut();
        Map<String, int[]> byIntent = new TreeMap<>();
        for (Intent intent : Intent.values()) {
            byIntent.put(intent.wireName(), new int[2]);
        }
        trainDialogs.forEach(d -> byIntent.get(d.intent())[0]++);
        testDialogs.forEach(d -> byIntent.get(d.intent())[1]++);
        if (json) {
            StringBuilder s = new StringBuilder("{\"train\":" + trainDialogs.size() + ",\"test\":" + testDialogs.size() + ",\"intents\":{");
            String sep = "";
            for (Map.Entry<String, int[]> e : byIntent.entrySet()) {
                s.append(sep).append('"').append(e.getKey()).append("\":{\"train\":").append(e.getValue()[0])
                        .append(",\"test\":").append(e.getValue()[1]).append('}');
                sep = ",";
            }
            printer.println(s.append("}}"));
        } else {
            printer.printf("wrote %d train and %d test dialogs to %s%n", trainDialogs.size(), testDialogs.size(), out);
            printer.printf("%-16s %6s %6s%n", "INTENT", "TRAIN", "TEST");
            byIntent.forEach((intent, n) -> printer.printf("%-16s %6d %6d%n", intent, n[0], n[1]));
        }
        printer.flush();
    }
}
