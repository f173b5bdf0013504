package io.kefu.cli.eval;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.data.Dataset;
import io.kefu.data.Example;
import io.kefu.eval.rating.RatingItem;
import io.kefu.eval.rating.RatingResults;
import io.kefu.eval.rating.RatingSheet;
import io.kefu.eval.standard.AnswerFile;
import io.kefu.runtime.format.Json;
import io.kefu.shop.checks.FactsText;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code kefu rating ...}: blind human rating of several systems' answers. */
@Command(name = "rating",
        mixinStandardHelpOptions = true,
        description = "Export a blind 1-5 rating sheet, and import filled sheets with means and inter-rater agreement.",
        subcommands = {RatingCommand.Export.class, RatingCommand.Import.class})
public final class RatingCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** {@code kefu rating export}. */
    @Command(name = "export",
            mixinStandardHelpOptions = true,
            description = {"Export a blind rating sheet of the predictions for people to fill in.",
                    "Writes sheet.csv (to fill in: correctness, helpfulness, tone 1-5), sheet.html (to read) and key.csv",
                    "(which label is which system; keep it from the raters). Answers appear in seeded random order."},
            footer = {"", "Example:", "  kefu rating export --data examples/shop/test.jsonl \\",
                    "      --system rules=out/eval/predictions-rules.jsonl --system tuned=out/eval/predictions-djl-qwen.jsonl --out out/rating"})
    static final class Export implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--data", required = true, paramLabel = "FILE", description = "The test set the predictions answer.")
        Path data;

        @Option(names = "--system", required = true, paramLabel = "NAME=FILE", description = "A system's predictions JSONL (\"text\" per line, test-set order); repeat per system.")
        Map<String, Path> systems = new LinkedHashMap<>();

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
        Path out;

        @Option(names = "--seed", defaultValue = "0", paramLabel = "N", description = "Shuffle seed (default: ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--limit", paramLabel = "N", description = "Rate only the first N examples.")
        Integer limit;

        @Override
        public Integer call() {
            List<Example> examples = Dataset.load(data).examples();
            int n = limit == null ? examples.size() : Math.min(limit, examples.size());
            Map<String, List<String>> answers = new LinkedHashMap<>();
            systems.forEach((name, file) -> {
                List<String> texts = AnswerFile.read(file, List.of("text"));
                if (texts.size() < n) {
                    throw new KefuException(ErrorCode.INVALID_DATA, file + " has " + texts.size() + " answers; the first " + n
                            + " examples of " + data + " need one each");
                }
                answers.put(name, texts);
            });
            List<RatingItem> items = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                Example e = examples.get(i);
                Map<String, String> byName = new LinkedHashMap<>();
                final int index = i;
                answers.forEach((name, texts) -> byName.put(name, texts.get(index)));
                String facts = FactsText.fromPrompt(e.prompt()).map(FactsText::text).orElse("");
                String question = e.question().orElse("");
                int header = question.indexOf(FactsText.HEADER);
                items.add(new RatingItem(e.provenance().location(), header >= 0 ? question.substring(0, header).trim() : question, facts, byName));
            }
            RatingSheet.export(items, seed, out);
            PrintWriter o = spec.commandLine().getOut();
            o.println("wrote " + out.resolve("sheet.csv") + ", " + out.resolve("sheet.html") + " and " + out.resolve("key.csv")
                    + " (" + items.size() + " items x " + systems.size() + " systems)");
            o.flush();
            return 0;
        }
    }

    /** {@code kefu rating import}. */
    @Command(name = "import",
            mixinStandardHelpOptions = true,
            description = "Read filled sheets (one per rater) with the key: mean scores with 95%% intervals, Krippendorff's alpha.",
            footer = {"", "Example:", "  kefu rating import --key out/rating/key.csv out/rating/alice.csv out/rating/bob.csv"})
    static final class Import implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = "--key", required = true, paramLabel = "FILE", description = "key.csv written by rating export.")
        Path key;

        @picocli.CommandLine.Parameters(arity = "1..*", paramLabel = "SHEET", description = "Filled sheet.csv files, one per rater.")
        List<Path> sheets;

        @Option(names = "--json", description = "Print JSON instead of text.")
        boolean json;

        @Override
        public Integer call() throws Exception {
            RatingResults results = RatingResults.read(sheets, key);
            PrintWriter o = spec.commandLine().getOut();
            o.print(json ? Json.indented().writeValueAsString(results) + "\n" : results.toText());
            o.flush();
            return 0;
        }
    }
}
