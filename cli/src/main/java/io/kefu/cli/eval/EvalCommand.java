package io.kefu.cli.eval;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.GenerationParameters;
import io.kefu.cli.common.DecodingOptions;
import io.kefu.cli.common.DeviceOption;
import io.kefu.cli.common.ExitCodes;
import io.kefu.cli.common.Terminal;
import io.kefu.eval.gate.GateConfig;
import io.kefu.eval.standard.EvaluationConfig;
import io.kefu.shop.rules.RulesChatModel;
import io.kefu.eval.standard.ComparisonReport;
import io.kefu.data.Dataset;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code kefu eval}: run a model (and/or the rules baseline) over a held-out set and write the comparison. */
@Command(name = "eval",
        mixinStandardHelpOptions = true,
        description = {"Run systems over a held-out set (batched, greedy, seeded) and score them side by side.",
                "Scores: BLEU-4 and ROUGE in every mode, business checks against the facts in each prompt, per intent",
                "and strategy.",
                "Writes predictions-<system>.jsonl (streamed; an interrupted run resumes), report.json, report.md,",
                "report.html and PNG charts into --out.",
                "With --gate, also a regression gate between two of the systems: paired bootstrap intervals per metric,",
                "'ship' or 'do not ship' with the reason, gate.json, and exit code 1 when the candidate is refused."},
        footer = {"", "Examples:",
                "  kefu eval --baseline rules --data examples/shop/test.jsonl --out out/eval",
                "  kefu eval --engine djl --model models/qwen --adapter out/shop-lora --baseline rules \\",
                "            --data examples/shop/test.jsonl --out out/eval",
                "  kefu eval --system hosted=remote:http://127.0.0.1:8000/v1 --system tuned=djl:models/qwen:out/shop-lora \\",
                "            --baseline rules --data examples/shop/test.jsonl --out out/eval",
                "  kefu eval --system may=djl:models/qwen:out/lora-2026-11 --system june=djl:models/qwen:out/lora-2026-12 \\",
                "            --data examples/shop/test.jsonl --out out/gate --gate --baseline-system may --candidate-system june"})
public final class EvalCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--engine", paramLabel = "ID", description = "Engine that runs --model (see kefu engines).")
    String engine;

    @Option(names = "--model", paramLabel = "DIR|URL",
            description = "Base model: a Hugging Face folder, a hub id, or an endpoint URL for --engine remote.")
    String model;

    @Option(names = "--adapter", paramLabel = "DIR", description = "PEFT adapter folder to answer with.")
    Path adapter;

    @Option(names = "--system", paramLabel = "NAME=ENGINE:MODEL[:ADAPTER]",
            description = {"A system to evaluate; repeat to compare several in one report, e.g.",
                    "remote=remote:http://127.0.0.1:8000/v1 or tuned=djl:models/qwen:out/shop-lora.",
                    "--engine/--model/--adapter is a shorthand for one system named ENGINE-MODEL."})
    List<String> systemOptions = new ArrayList<>();

    @Option(names = "--baseline", paramLabel = "rules", description = "Also evaluate a baseline: rules (keywords + templates).")
    String baseline;

    @Option(names = "--data", required = true, paramLabel = "FILE", description = "Held-out dataset (JSON/JSONL).")
    Path data;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output folder.")
    Path out;

    @Option(names = "--batch-size", defaultValue = "8", paramLabel = "N", description = "Requests per batch (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Mixin
    DecodingOptions decoding;

    @Mixin
    DeviceOption device;

    @Mixin
    GateOptions gate;

    @Option(names = "--limit", paramLabel = "N", description = "Evaluate only the first N examples.")
    Integer limit;

    @Override
    public Integer call() {
        if (engine == null && baseline == null && systemOptions.isEmpty()) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT,
                    "nothing to evaluate: give --system NAME=ENGINE:MODEL, or --engine and --model, or --baseline rules, or several");
        }
        if ((engine == null) != (model == null)) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--engine and --model go together");
        }
        if (baseline != null && !baseline.equals(RulesChatModel.ID)) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--baseline " + baseline + ": the only baseline is 'rules'");
        }
        if (adapter != null && engine == null) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--adapter needs --engine and --model");
        }
        List<SystemSpec> specs = systemSpecs();
        Set<String> names = new LinkedHashSet<>();
        specs.forEach(s -> names.add(s.name()));
        if (baseline != null) {
            names.add(RulesChatModel.ID);
        }
        GateConfig gateConfig = gate.config(names);
        Dataset test = ComparisonRun.firstExamples(Dataset.load(data), limit, "--limit");
        EvaluationConfig config = EvaluationConfig.builder().batchSize(batchSize).seed(decoding.seed())
                .parameters(GenerationParameters.builder().maxNewTokens(decoding.maxNewTokens()).build()).build();
        try (EvalSystems systems = new EvalSystems(device::open)) {
            specs.forEach(systems::add);
            if (baseline != null) {
                systems.addRules();
            }
            ComparisonReport report = ComparisonRun.run(systems.byName(), test, config, out, Terminal.isInteractive(spec),
                    spec.commandLine().getErr());
            PrintWriter o = spec.commandLine().getOut();
            ComparisonRun.printTable(o, report, report.metricNames());
            o.println("report: " + out.resolve("report.html"));
            o.flush();
            return gateConfig == null ? 0 : judge(report, gateConfig, o);
        }
    }

    /** Runs the regression gate on the scored systems, prints and writes its report; exit 1 when the candidate is refused. */
    private int judge(ComparisonReport report, GateConfig config, PrintWriter o) {
        boolean ship = GateRun.judge(report, gate.baseline(), gate.candidate(), config, out, o).ship();
        o.println("gate report: " + out.resolve(GateRun.FILE_NAME));
        o.flush();
        return ship ? 0 : ExitCodes.FAILED;
    }

    /** The --system options and the --engine/--model/--adapter shorthand, checked for clashing names. */
    private List<SystemSpec> systemSpecs() {
        List<SystemSpec> specs = new ArrayList<>();
        for (String option : systemOptions) {
            specs.add(SystemSpec.parse(option));
        }
        if (engine != null) {
            String name = engine + "-" + modelName(model) + (adapter == null ? "" : "+" + adapter.getFileName());
            specs.add(new SystemSpec(name, engine, model, adapter));
        }
        Set<String> names = new HashSet<>();
        if (baseline != null) {
            names.add(RulesChatModel.ID);
        }
        for (SystemSpec s : specs) {
            if (!names.add(s.name())) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "two systems are named '" + s.name()
                        + "' (--system, --engine/--model or --baseline); give each --system a different NAME");
            }
        }
        return specs;
    }

    /** The last path segment of a folder, hub id or URL, for naming the system in the report. */
    private static String modelName(String model) {
        String trimmed = model.replaceAll("[/\\\\]+$", "");
        return trimmed.substring(trimmed.replace('\\', '/').lastIndexOf('/') + 1);
    }
}
