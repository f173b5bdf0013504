package io.kefu.cli.data;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.kefu.data.Dataset;
import io.kefu.data.Example;
import io.kefu.runtime.data.DatasetLoader;
import io.kefu.runtime.data.DuplicatePolicy;
import io.kefu.runtime.data.OverlongPolicy;
import io.kefu.runtime.data.ValidationOptions;
import io.kefu.runtime.format.Json;
import io.kefu.runtime.template.HfChatTemplate;
import io.kefu.runtime.tokenize.ChatFeaturizer;
import io.kefu.runtime.tokenize.HfTokenizer;
import io.kefu.runtime.tokenize.TrainingFeatures;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code kefu data render}: what training sees, one JSON line per example. */
@Command(name = "render",
        mixinStandardHelpOptions = true,
        description = {"Show what training sees: each example rendered with the model's chat template and tokenized.",
                "Prints one JSON line per example: text, input_ids and labels (-100 = masked; only assistant turns",
                "and their end-of-turn token are trained unless --train-on-prompt)."},
        footer = {"", "Examples:",
                "  kefu data render --model models/Qwen3-0.6B --in examples/shop/train.jsonl",
                "  kefu data render --model DIR --in train.json --max-length 512 --overlong drop"})
public final class RenderCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR",
            description = "Model folder; only tokenizer.json and tokenizer_config.json (with chat_template) are read.")
    Path model;

    @Option(names = "--in", required = true, paramLabel = "FILE",
            description = "Dataset file (JSON array or JSONL, any supported record shape).")
    Path in;

    @Option(names = "--max-length", paramLabel = "N", defaultValue = "2048",
            description = "Maximum tokens per example (default: ${DEFAULT-VALUE}).")
    int maxLength;

    @Option(names = "--overlong", paramLabel = "POLICY", defaultValue = "truncate",
            description = "What to do with longer examples: truncate, drop or error (default: ${DEFAULT-VALUE}).")
    String overlong;

    @Option(names = "--train-on-prompt", description = "Train on every token, the prompt included.")
    boolean trainOnPrompt;

    @Override
    public Integer call() throws IOException {
        OverlongPolicy policy = parsePolicy(overlong);
        if (maxLength <= 0) {
            throw new ParameterException(spec.commandLine(), "--max-length: must be positive, got " + maxLength);
        }
        // an inspection tool: duplicates and small files are fine here ('kefu data validate' reports them)
        Dataset dataset = DatasetLoader.load(in, ValidationOptions.builder().minExamples(0).duplicates(DuplicatePolicy.KEEP).build());
        HfChatTemplate template = HfChatTemplate.fromModelDir(model);
        PrintWriter out = spec.commandLine().getOut();
        int dropped = 0;
        try (HfTokenizer tokenizer = HfTokenizer.load(model)) {
            ChatFeaturizer featurizer = ChatFeaturizer.builder(tokenizer, template)
                    .maxLength(maxLength).trainOnPrompt(trainOnPrompt).overlongPolicy(policy).build();
            JsonFactory json = Json.mapper().getFactory();
            for (Example example : dataset) {
                Optional<TrainingFeatures> features = featurizer.featurize(example);
                if (features.isEmpty()) {
                    dropped++;
                    continue;
                }
                out.println(toJson(json, features.get()));
            }
        }
        out.flush();
        if (dropped > 0) {
            PrintWriter err = spec.commandLine().getErr();
            err.printf(Locale.ROOT, "kefu: %d of %d examples left out: longer than %d tokens%s%n", dropped, dataset.size(),
                    maxLength, policy == OverlongPolicy.TRUNCATE ? " with no answer token within the limit" : "");
            err.flush();
        }
        return 0;
    }

    private static String toJson(JsonFactory json, TrainingFeatures features) throws IOException {
        StringWriter line = new StringWriter();
        try (JsonGenerator g = json.createGenerator(line)) {
            g.writeStartObject();
            g.writeStringField("text", features.text());
            g.writeFieldName("input_ids");
            g.writeArray(features.inputIds(), 0, features.length());
            g.writeFieldName("labels");
            g.writeArray(features.labels(), 0, features.length());
            g.writeEndObject();
        }
        return line.toString();
    }

    private OverlongPolicy parsePolicy(String value) {
        try {
            return OverlongPolicy.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(),
                    "--overlong: expected truncate, drop or error, got '" + value + "'");
        }
    }
}
