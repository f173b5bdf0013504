package io.kefu.cli.data;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.shop.augment.NegativeSampler;
import io.kefu.shop.augment.Repeats;
import io.kefu.shop.augment.SynonymLexicon;
import io.kefu.shop.augment.SynonymRewriter;
import io.kefu.shop.augment.TemplateFiller;
import io.kefu.shop.AnswerStyle;
import io.kefu.shop.DialogGenerator;
import io.kefu.shop.DialogJsonl;
import io.kefu.shop.ShopCatalog;
import io.kefu.shop.ShopDialog;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code kefu data augment}: template filling, synonym rewriting and negative samples. */
@Command(name = "augment",
        mixinStandardHelpOptions = true,
        description = {"Augment an Alpaca JSONL dataset with templated dialogs, rewrites and rejected answers.",
                "Adds dialogs filled from a shop catalog (--template N) and synonym rewrites of the questions",
                "(--synonyms), and pairs every answer with a rejected bad answer (--negatives). Every added record",
                "carries its provenance; repeats are dropped. The output is written atomically."},
        footer = {"", "Examples:",
                "  kefu data augment --in examples/shop/train.jsonl --out out/train-aug.jsonl --synonyms --seed 1",
                "  kefu data augment --in examples/shop/train.jsonl --shop examples/shop --template 300 --negatives --out out/pref.jsonl --seed 1"})
public final class AugmentCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--in", paramLabel = "FILE", required = true, description = "Alpaca JSONL input.")
    Path in;

    @Option(names = "--out", paramLabel = "FILE", required = true, description = "Alpaca JSONL output (input records first, then the added ones).")
    Path out;

    @Option(names = "--shop", paramLabel = "DIR", description = "Shop folder, needed by --template.")
    Path shop;

    @Option(names = "--template", paramLabel = "N", defaultValue = "0", description = "Add N dialogs filled from the shop catalog (default: 0).")
    int template;

    @Option(names = "--synonyms", description = "Add a synonym rewrite of every question a lexicon rule applies to.")
    boolean synonyms;

    @Option(names = "--lexicon", paramLabel = "FILE", description = "Synonym rules (PATTERN<TAB>A|B per line) instead of the shipped lexicon.")
    Path lexicon;

    @Option(names = "--negatives", description = "Keep a bad answer (evasive, pushy, absolute claim, refused hand-off, wrong stock, unfounded promise) as 'rejected' beside each answer.")
    boolean negatives;

    @Option(names = "--seed", paramLabel = "N", defaultValue = "42", description = "Random seed (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--as-of", paramLabel = "DATE", description = "Reference day for --template promotions (default: 2026-11-20).")
    String asOf;

    @Option(names = "--json", description = "Print a JSON summary instead of text.")
    boolean json;

    @Override
    public Integer call() {
        if (template < 0) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--template " + template + ": must not be negative");
        }
        if (template > 0 && shop == null) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--template needs --shop DIR (the catalog to fill templates from)");
        }
        if (template == 0 && !synonyms && !negatives) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "nothing to do: give --template N, --synonyms and/or --negatives");
        }
        LocalDate day = DialogGenerator.Config.Builder.DEFAULT_DAY;
        if (asOf != null) {
            try {
                day = LocalDate.parse(asOf);
            } catch (DateTimeParseException e) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--as-of " + asOf + ": expected a date like 2026-11-20");
            }
        }
        List<ShopDialog> input = DialogJsonl.read(in);
        List<ShopDialog> templated = template > 0
                ? new TemplateFiller(ShopCatalog.load(shop), day, AnswerStyle.WARM).fill(template, seed)
                : List.of();
        List<ShopDialog> all = new ArrayList<>(input);
        all.addAll(templated);
        List<ShopDialog> rewritten = List.of();
        if (synonyms) {
            SynonymLexicon rules = lexicon == null ? SynonymLexicon.standard() : SynonymLexicon.load(lexicon);
            rewritten = new SynonymRewriter(rules).rewrite(all, seed);
            all.addAll(rewritten);
        }
        int before = all.size();
        all = Repeats.drop(all);
        int repeats = before - all.size();
        if (negatives) {
            all = new NegativeSampler().sample(all, seed);
        }
        DialogJsonl.write(all, out);
        PrintWriter printer = spec.commandLine().getOut();
        if (json) {
            printer.printf("{\"input\":%d,\"template\":%d,\"synonym\":%d,\"repeats_dropped\":%d,\"negative\":%d,\"output\":%d}%n",
                    input.size(), templated.size(), rewritten.size(), repeats, negatives ? all.size() : 0, all.size());
        } else {
            printer.printf("read %d records from %s%n", input.size(), in);
            printer.printf("%-10s %6s%n", "METHOD", "ADDED");
            printer.printf("%-10s %6d%n", "template", templated.size());
            printer.printf("%-10s %6d%n", "synonym", rewritten.size());
            printer.printf("%-10s %6s%n", "negative", negatives ? all.size() + " (rejected answers)" : "0");
            printer.printf("dropped %d repeated records%n", repeats);
            printer.printf("wrote %d records to %s%n", all.size(), out);
        }
        printer.flush();
        return 0;
    }
}
