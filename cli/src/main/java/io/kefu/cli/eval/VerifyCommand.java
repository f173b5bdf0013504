package io.kefu.cli.eval;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatModel;
import io.kefu.chat.ChatRequest;
import io.kefu.chat.ChatResponse;
import io.kefu.cli.common.ExitCodes;
import io.kefu.data.Dataset;
import io.kefu.data.Example;
import io.kefu.eval.parity.ParityCheck;
import io.kefu.eval.parity.ParityReport;
import io.kefu.runtime.format.Json;
import io.kefu.shop.DialogGenerator;
import io.kefu.shop.RandomShop;
import io.kefu.shop.ShopDialog;
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

/** {@code kefu verify}: check that a candidate system (an export) decodes as the reference system does. */
@Command(name = "verify",
        mixinStandardHelpOptions = true,
        description = {"Check that a candidate system (say, an ONNX export) answers as the reference system it was made from.",
                "Asks both the same requests greedily and compares, per request: the prompt token ids, the generated",
                "token ids, the finish reason, and the log-probability of every generated token up to the first token",
                "that differs. Prints the first difference of each kind; exit code 1 when any request differs",
                "or a log-probability differs by more than --logprob-tolerance.",
                "The systems answer one after the other, so only one model is in memory at a time."},
        footer = {"", "Examples:",
                "  kefu verify --reference djl:models/qwen:out/shop-lora --candidate onnx:out/shop-onnx",
                "  kefu verify --reference djl:models/qwen:out/shop-lora --candidate onnx:out/shop-onnx \\",
                "              --data examples/shop/test.jsonl --limit 50 --json"})
public final class VerifyCommand implements Callable<Integer> {
    /** Seed of the made-up shop whose questions are asked without --data. */
    static final long BUILT_IN_SEED = 7;

    @Spec
    CommandSpec spec;

    @Option(names = "--reference", required = true, paramLabel = "ENGINE:MODEL[:ADAPTER]",
            description = "The system to reproduce, e.g. djl:models/qwen:out/shop-lora.")
    String reference;

    @Option(names = "--candidate", required = true, paramLabel = "ENGINE:MODEL[:ADAPTER]",
            description = "The system under test, e.g. onnx:out/shop-onnx (an export with the adapter merged).")
    String candidate;

    @Option(names = "--data", paramLabel = "FILE",
            description = {"Dataset (JSON/JSONL) whose prompts are asked, e.g. the held-out set.",
                    "Default: up to 20 customer questions about a made-up shop, with its facts in the prompt."})
    Path data;

    @Option(names = "--limit", defaultValue = "20", paramLabel = "N", description = "Ask at most the first N requests (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--max-new-tokens", defaultValue = "64", paramLabel = "N",
            description = "Longest answer compared, in tokens (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--logprob-tolerance", defaultValue = "1e-3", paramLabel = "X",
            description = "Largest |log-probability difference| of a generated token that still matches (default: ${DEFAULT-VALUE}).")
    double tolerance;

    @Option(names = "--json", description = "Print a JSON report instead of text.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        SystemSpec referenceSpec = SystemSpec.parseUnnamed("--reference", reference);
        SystemSpec candidateSpec = SystemSpec.parseUnnamed("--candidate", candidate);
        if (!(tolerance >= 0) || Double.isInfinite(tolerance)) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--logprob-tolerance " + tolerance + " must be a number, at least 0");
        }
        if (maxNewTokens < 1) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--max-new-tokens " + maxNewTokens + " must be at least 1");
        }
        List<Example> examples = data == null ? builtInQuestions(limit)
                : ComparisonRun.firstExamples(Dataset.load(data), limit, "--limit").examples();
        List<String> labels = new ArrayList<>();
        List<ChatRequest> requests = new ArrayList<>();
        for (Example e : examples) {
            String where = data == null ? "built-in question " + (labels.size() + 1) : e.provenance().location();
            labels.add(where + (e.intent() == null ? "" : " (" + e.intent() + ")"));
            requests.add(ChatRequest.builder().messages(e.prompt()).build());
        }
        PrintWriter err = spec.commandLine().getErr();
        List<ChatResponse> referenceAnswers = answer(referenceSpec, requests, err);
        List<ChatResponse> candidateAnswers = answer(candidateSpec, requests, err);
        ParityReport report = ParityCheck.compare(labels, referenceAnswers, candidateAnswers, maxNewTokens, tolerance);

        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(Json.indented().writeValueAsString(toJson(report, referenceSpec, candidateSpec)));
        } else {
            out.println("reference: " + describe(referenceSpec));
            out.println("candidate: " + describe(candidateSpec));
            out.print(report.toText());
        }
        out.flush();
        return report.matches() ? 0 : ExitCodes.FAILED;
    }

    private List<ChatResponse> answer(SystemSpec system, List<ChatRequest> requests, PrintWriter progress) {
        progress.println(system.name() + ": asking " + requests.size() + " requests (" + describe(system) + ")");
        progress.flush();
        try (EvalSystems loaded = new EvalSystems().add(system)) {
            ChatModel model = loaded.byName().get(system.name());
            return ParityCheck.answer(model, requests, maxNewTokens);
        }
    }

    /** A made-up shop's held-out questions, each with the shop's facts in the prompt, as a deployed model is asked. */
    static List<Example> builtInQuestions(int limit) {
        if (limit < 1) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--limit " + limit + " must be at least 1");
        }
        DialogGenerator generator = new DialogGenerator(DialogGenerator.Config.builder().seed(BUILT_IN_SEED)
                .trainCount(0).testCount(Math.min(limit, 20)).build());
        List<Example> examples = new ArrayList<>();
        for (ShopDialog d : generator.generate(RandomShop.generate(BUILT_IN_SEED, DialogGenerator.Config.Builder.DEFAULT_DAY)).test()) {
            examples.add(d.toExample());
        }
        return examples;
    }

    private static String describe(SystemSpec s) {
        return s.engine() + " " + s.model() + (s.adapter() == null ? "" : " + adapter " + s.adapter());
    }

    private static Map<String, Object> toJson(ParityReport report, SystemSpec referenceSpec, SystemSpec candidateSpec) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("matches", report.matches());
        root.put("requests", report.comparisons().size());
        root.put("mismatches", report.mismatches());
        root.put("maxLogprobDifference", report.maxLogprobDifference());
        root.put("logprobTolerance", report.tolerance());
        root.put("maxNewTokens", report.maxNewTokens());
        root.put("reference", describe(referenceSpec));
        root.put("candidate", describe(candidateSpec));
        root.put("comparisons", report.comparisons());
        return root;
    }
}
