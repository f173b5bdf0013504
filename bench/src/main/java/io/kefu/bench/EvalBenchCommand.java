package io.kefu.bench;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatModel;
import io.kefu.chat.GenerationParameters;
import io.kefu.eval.standard.EvaluationConfig;
import io.kefu.eval.standard.StandardEvaluator;
import io.kefu.eval.standard.SystemReport;
import io.kefu.shop.rules.RulesChatModel;
import io.kefu.data.Dataset;
import io.kefu.model.BaseModel;
import io.kefu.model.Engine;
import io.kefu.model.Engines;
import io.kefu.model.ModelRef;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code kefu bench eval}: evaluation throughput (examples/s) of one system at several batch
 * sizes, measured in the same run on the same examples; batch 1 is the baseline.
 */
@Command(name = "eval",
        mixinStandardHelpOptions = true,
        description = {"Measure evaluation throughput at several batch sizes.",
                "Examples per second (generation + scoring) at batch 1 and batch 8 (or --batch-sizes), same model,",
                "same examples, same run. A warm-up pass runs first."},
        footer = {"", "Examples:", "  kefu bench eval --baseline rules --data examples/shop/test.jsonl",
                "  kefu bench eval --engine djl --model models/tiny-qwen --data examples/shop/test.jsonl --limit 32"})
public final class EvalBenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--engine", paramLabel = "ID", description = "Engine that runs --model.")
    String engine;

    @Option(names = "--model", paramLabel = "DIR", description = "Base model folder.")
    Path model;

    @Option(names = "--baseline", paramLabel = "rules", description = "Benchmark the rules baseline instead of a model.")
    String baseline;

    @Option(names = "--data", required = true, paramLabel = "FILE", description = "Held-out dataset.")
    Path data;

    @Option(names = "--limit", defaultValue = "32", paramLabel = "N", description = "Examples per measurement (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--batch-sizes", defaultValue = "1,8", split = ",", paramLabel = "N,N", description = "Batch sizes to compare (default: ${DEFAULT-VALUE}).")
    List<Integer> batchSizes;

    @Option(names = "--max-new-tokens", defaultValue = "64", paramLabel = "N", description = "Longest answer in tokens (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Override
    public Integer call() {
        if ((engine == null) == (baseline == null) || (engine != null && model == null)) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "give either --engine with --model, or --baseline rules");
        }
        if (baseline != null && !baseline.equals(RulesChatModel.ID)) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--baseline " + baseline + ": the only baseline is 'rules'");
        }
        if (limit < 1) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--limit " + limit + " must be at least 1");
        }
        List<io.kefu.data.Example> all = Dataset.load(data).examples();
        Dataset test = Dataset.of(all.subList(0, Math.min(limit, all.size())));
        BaseModel base = null;
        ChatModel chat;
        String name;
        if (engine != null) {
            Engine e = Engines.get(engine);
            base = e.load(ModelRef.of(model));
            chat = e.chatModel(base, List.of());
            name = engine + "-" + model.getFileName();
        } else {
            chat = new RulesChatModel();
            name = RulesChatModel.ID;
        }
        try {
            GenerationParameters params = GenerationParameters.builder().maxNewTokens(maxNewTokens).build();
            new StandardEvaluator(EvaluationConfig.builder().batchSize(batchSizes.get(batchSizes.size() - 1)).parameters(params).build())
                    .evaluate(name, chat, Dataset.of(test.examples().subList(0, Math.min(2, test.size()))), n -> { });
            List<double[]> rows = new ArrayList<>();
            for (int batch : batchSizes) {
                StandardEvaluator evaluator = new StandardEvaluator(EvaluationConfig.builder().batchSize(batch).parameters(params).build());
                long t0 = System.nanoTime();
                SystemReport r = evaluator.evaluate(name, chat, test, n -> { });
                double seconds = (System.nanoTime() - t0) / 1e9;
                rows.add(new double[] {batch, r.predictions().size(), seconds, r.predictions().size() / seconds,
                        r.metrics().getOrDefault("tokens_per_second", 0.0)});
            }
            PrintWriter out = spec.commandLine().getOut();
            out.printf(Locale.ROOT, "system %s, %d examples, max %d new tokens, %d CPU threads available, JVM %s%n",
                    name, test.size(), maxNewTokens, Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
            out.printf(Locale.ROOT, "%-8s %9s %10s %12s %14s %10s%n", "BATCH", "EXAMPLES", "SECONDS", "EXAMPLES/S", "TOK/S/REQUEST", "VS BATCH " + batchSizes.get(0));
            for (double[] row : rows) {
                out.printf(Locale.ROOT, "%-8d %9d %10.3f %12.2f %14.1f %9.2fx%n", (int) row[0], (int) row[1], row[2], row[3], row[4], row[3] / rows.get(0)[3]);
            }
            out.flush();
            return 0;
        } finally {
            chat.close();
            if (base != null) {
                base.close();
            }
        }
    }
}
