package io.kefu.cli.data;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kefu.cli.common.ExitCodes;
import io.kefu.runtime.data.DatasetValidator;
import io.kefu.runtime.data.DuplicatePolicy;
import io.kefu.runtime.data.ExampleJsonlWriter;
import io.kefu.runtime.data.OverlongPolicy;
import io.kefu.runtime.data.Problem;
import io.kefu.runtime.data.RecordShape;
import io.kefu.runtime.data.ValidationOptions;
import io.kefu.runtime.data.ValidationReport;
import io.kefu.runtime.format.Json;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

/** {@code kefu data validate}: check dataset files and report every problem with file:line, field and reason. */
@Command(name = "validate",
        mixinStandardHelpOptions = true,
        description = {"Check dataset files (JSON array or JSONL; Alpaca, OpenAI messages or ShareGPT records).",
                "Prints counts when a file is clean, otherwise every problem as file:line: field: reason.",
                "Exit codes: 0 all files clean, 1 problems found, 2 usage error."},
        footer = {"", "Examples:",
                "  kefu data validate examples/shop/train.jsonl",
                "  kefu data validate data.json --json",
                "  kefu data validate raw.jsonl --duplicates drop --out clean.jsonl",
                "  kefu data validate train.jsonl --model models/Qwen3-0.6B --max-length 1024 --overlong drop"})
public final class ValidateCommand implements Callable<Integer> {
    /** LLaMA-Factory's default {@code cutoff_len}, also ChatFeaturizer's default. */
    static final int DEFAULT_MAX_LENGTH = 2048;

    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "Dataset files to check.")
    List<Path> files;

    @Option(names = "--json", description = "Print one JSON object instead of text.")
    boolean json;

    @Option(names = "--min-examples", paramLabel = "N", defaultValue = "10",
            description = "Fewest examples a file must hold; 0 turns the check off (default: ${DEFAULT-VALUE}).")
    int minExamples;

    @Option(names = "--duplicates", paramLabel = "error|drop|keep", defaultValue = "error",
            converter = DuplicatePolicyConverter.class,
            description = "Repeated conversations (exact or after normalising whitespace): report, drop or keep (default: ${DEFAULT-VALUE}).")
    DuplicatePolicy duplicates;

    @Mixin
    FieldMappingOption mapping;

    @Option(names = "--out", paramLabel = "FILE",
            description = "Write the valid examples as normalised JSONL (OpenAI messages shape); only written when the check passes.")
    Path out;

    @Option(names = "--model", paramLabel = "DIR",
            description = "Also check lengths in tokens: the model folder's chat template and tokenizer (tokenizer.json, tokenizer_config.json).")
    Path model;

    @Option(names = "--max-length", paramLabel = "N",
            description = "With --model: the most tokens an example may have (default: 2048).")
    Integer maxLength;

    @Option(names = "--overlong", paramLabel = "error|truncate|drop", defaultValue = "error",
            converter = OverlongPolicyConverter.class,
            description = "With --model: longer examples are a problem, will be truncated by training, or are dropped (default: ${DEFAULT-VALUE}).")
    OverlongPolicy overlong;

    @Option(names = "--max-problems", paramLabel = "N", defaultValue = "50",
            description = "Problems to print per file; the rest are counted (default: ${DEFAULT-VALUE}).")
    int maxProblems;

    @Override
    public Integer call() {
        if (out != null && files.size() != 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--out needs exactly one FILE, got " + files.size());
        }
        if (maxProblems < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--max-problems must be at least 1");
        }
        if (model == null && (maxLength != null || spec.commandLine().getParseResult().hasMatchedOption("--overlong"))) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--max-length and --overlong need --model DIR");
        }
        ValidationOptions.Builder options = ValidationOptions.builder()
                .minExamples(minExamples)
                .duplicates(duplicates)
                .maxStoredProblems(Math.max(maxProblems, 1000));
        mapping.applyTo(options);
        if (model == null) {
            return validateAll(new DatasetValidator(options.build()));
        }
        try (TemplateTokenCounter tokens = TemplateTokenCounter.load(model)) {
            options.maxLength(tokens, maxLength == null ? DEFAULT_MAX_LENGTH : maxLength, overlong);
            return validateAll(new DatasetValidator(options.build()));
        }
    }

    private int validateAll(DatasetValidator validator) {
        PrintWriter stdout = spec.commandLine().getOut();
        ObjectNode report = Json.mapper().createObjectNode();
        ArrayNode reports = report.putArray("files");
        boolean allOk = true;
        for (Path file : files) {
            ValidationReport result = out == null ? validator.validate(file) : validateAndWrite(validator, file);
            allOk &= result.ok();
            if (json) {
                reports.add(toJson(result));
            } else {
                print(stdout, result);
            }
        }
        if (json) {
            report.put("ok", allOk);
            stdout.println(report.toPrettyString());
        }
        stdout.flush();
        return allOk ? 0 : ExitCodes.FAILED;
    }

    private ValidationReport validateAndWrite(DatasetValidator validator, Path file) {
        try (ExampleJsonlWriter writer = ExampleJsonlWriter.create(out)) {
            ValidationReport result = validator.validate(file, writer::write);
            if (result.ok()) {
                writer.commit();
            }
            return result;
        }
    }

    private void print(PrintWriter stdout, ValidationReport result) {
        if (!result.ok()) {
            stdout.println(result.describe(maxProblems));
        } else {
            stdout.printf(Locale.ROOT, "%s: ok, %d examples in %d records%n", result.file(), result.examples(), result.records());
            StringBuilder shapes = new StringBuilder();
            for (Map.Entry<RecordShape, Long> shape : result.shapes().entrySet()) {
                shapes.append(shapes.length() == 0 ? "" : ", ").append(shape.getKey().name().toLowerCase(Locale.ROOT))
                        .append(' ').append(shape.getValue());
            }
            stdout.printf("  shapes: %s%n", shapes.length() == 0 ? "none" : shapes);
            Tables.counts(stdout, "intent", result.intents(), result.examples());
            if (out != null) {
                stdout.printf("  wrote %s%n", out);
            }
        }
        if (result.noticeCount() > 0) {
            stdout.printf(Locale.ROOT, "  %d dropped, %d to be truncated:%n", result.dropped(), result.truncated());
            int listed = Math.min(maxProblems, result.notices().size());
            for (int i = 0; i < listed; i++) {
                stdout.println("  " + result.notices().get(i).format());
            }
            if (result.noticeCount() > listed) {
                stdout.printf("  ... and %d more%n", result.noticeCount() - listed);
            }
        }
    }

    private ObjectNode toJson(ValidationReport result) {
        ObjectNode node = Json.mapper().createObjectNode();
        node.put("file", result.file());
        node.put("ok", result.ok());
        node.put("records", result.records());
        node.put("examples", result.examples());
        ObjectNode shapes = node.putObject("shapes");
        result.shapes().forEach((shape, count) -> shapes.put(shape.name().toLowerCase(Locale.ROOT), count));
        ObjectNode intents = node.putObject("intents");
        result.intents().forEach(intents::put);
        node.put("problemCount", result.problemCount());
        node.set("problems", problems(result.problems()));
        node.put("dropped", result.dropped());
        node.put("truncated", result.truncated());
        node.put("noticeCount", result.noticeCount());
        node.set("notices", problems(result.notices()));
        return node;
    }

    private static ArrayNode problems(List<Problem> problems) {
        ArrayNode array = Json.mapper().createArrayNode();
        for (Problem problem : problems) {
            array.addObject().put("file", problem.file()).put("line", problem.line())
                    .put("field", problem.field()).put("reason", problem.reason());
        }
        return array;
    }

    /** Accepts error, truncate, drop in any case. */
    static final class OverlongPolicyConverter implements CommandLine.ITypeConverter<OverlongPolicy> {
        @Override
        public OverlongPolicy convert(String value) {
            try {
                return OverlongPolicy.valueOf(value.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("expected error, truncate or drop, got '" + value + "'");
            }
        }
    }

    /** Accepts error, drop, keep in any case. */
    static final class DuplicatePolicyConverter implements CommandLine.ITypeConverter<DuplicatePolicy> {
        @Override
        public DuplicatePolicy convert(String value) {
            try {
                return DuplicatePolicy.valueOf(value.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new CommandLine.TypeConversionException("expected error, drop or keep, got '" + value + "'");
            }
        }
    }
}
