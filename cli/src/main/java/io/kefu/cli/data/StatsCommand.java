package io.kefu.cli.data;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kefu.runtime.data.DatasetStats;
import io.kefu.runtime.data.DatasetValidator;
import io.kefu.runtime.data.DuplicatePolicy;
import io.kefu.runtime.data.LengthHistogram;
import io.kefu.runtime.data.StatsCollector;
import io.kefu.runtime.data.ValidationOptions;
import io.kefu.runtime.data.ValidationReport;
import io.kefu.runtime.format.Json;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/** {@code kefu data stats}: examples per intent and strategy, turns, and a length histogram. */
@Command(name = "stats",
        mixinStandardHelpOptions = true,
        description = {"Show what a dataset holds: examples per intent, strategy and turns, and a length histogram.",
                "Lengths are in characters, or in tokens with --model. Records with problems are left out and",
                "counted; run 'kefu data validate' for details."},
        footer = {"", "Examples:",
                "  kefu data stats examples/shop/train.jsonl",
                "  kefu data stats train.jsonl --json",
                "  kefu data stats train.jsonl --model models/Qwen3-0.6B"})
public final class StatsCommand implements Callable<Integer> {
    private static final int PROBLEMS_SHOWN = 5;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "Dataset file (JSON array or JSONL, any supported record shape).")
    Path file;

    @Option(names = "--json", description = "Print JSON instead of tables.")
    boolean json;

    @Mixin
    FieldMappingOption mapping;

    @Option(names = "--model", paramLabel = "DIR",
            description = "Measure lengths in tokens with this model folder's chat template and tokenizer (default: characters).")
    Path model;

    @Option(names = "--bar-width", paramLabel = "N", defaultValue = "40", description = "Histogram bar width (default: ${DEFAULT-VALUE}).")
    int barWidth;

    @Override
    public Integer call() {
        ValidationOptions.Builder options = ValidationOptions.builder().minExamples(0).duplicates(DuplicatePolicy.KEEP);
        mapping.applyTo(options);
        if (barWidth < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--bar-width must be at least 1");
        }
        if (model == null) {
            return report(StatsCollector.inCharacters(), options.build());
        }
        try (TemplateTokenCounter tokens = TemplateTokenCounter.load(model)) {
            return report(StatsCollector.inTokens(tokens), options.build());
        }
    }

    private int report(StatsCollector collector, ValidationOptions options) {
        ValidationReport report = new DatasetValidator(options).validate(file, collector::add);
        DatasetStats stats = collector.result();
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(toJson(stats, report).toPrettyString());
        } else {
            print(out, stats);
        }
        out.flush();
        if (!report.ok()) {
            PrintWriter err = spec.commandLine().getErr();
            err.printf(Locale.ROOT, "kefu: %s: %d %s; the records concerned are left out of these statistics"
                    + " (see 'kefu data validate %s'):%n", file, report.problemCount(),
                    report.problemCount() == 1 ? "problem" : "problems", file);
            report.problems().stream().limit(PROBLEMS_SHOWN).forEach(p -> err.println("  " + p.format()));
            if (report.problemCount() > PROBLEMS_SHOWN) {
                err.printf("  ... and %d more%n", report.problemCount() - PROBLEMS_SHOWN);
            }
            err.flush();
        }
        return 0;
    }

    private void print(PrintWriter out, DatasetStats stats) {
        out.printf(Locale.ROOT, "%s: %d examples%n", file, stats.examples());
        Tables.counts(out, "intent", stats.intents(), stats.examples());
        Tables.counts(out, "strategy", stats.strategies(), stats.examples());
        Tables.counts(out, "user turns", stats.turns(), stats.examples());
        out.printf("  length in %s%n", stats.lengths().unit());
        out.print(stats.lengths().toText(barWidth));
    }

    private ObjectNode toJson(DatasetStats stats, ValidationReport report) {
        ObjectMapper mapper = Json.mapper();
        ObjectNode node = mapper.createObjectNode();
        node.put("file", file.toString());
        node.put("examples", stats.examples());
        node.put("problems", report.problemCount());
        ObjectNode intents = node.putObject("intents");
        stats.intents().forEach(intents::put);
        ObjectNode strategies = node.putObject("strategies");
        stats.strategies().forEach(strategies::put);
        ObjectNode turns = node.putObject("userTurns");
        stats.turns().forEach((k, v) -> turns.put(String.valueOf(k), v));
        LengthHistogram lengths = stats.lengths();
        ObjectNode length = node.putObject("length");
        length.put("unit", lengths.unit());
        length.put("min", lengths.min());
        length.put("p50", lengths.p50());
        length.put("mean", lengths.mean());
        length.put("p95", lengths.p95());
        length.put("max", lengths.max());
        ArrayNode buckets = length.putArray("buckets");
        for (LengthHistogram.Bucket bucket : lengths.buckets()) {
            buckets.addObject().put("from", bucket.from()).put("to", bucket.to()).put("count", bucket.count());
        }
        return node;
    }
}
