package io.kefu.cli.quickstart;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatModel;
import io.kefu.cli.common.ExitCodes;
import io.kefu.cli.common.Terminal;
import io.kefu.cli.data.TemplateTokenCounter;
import io.kefu.cli.eval.ComparisonRun;
import io.kefu.cli.eval.EvalSystems;
import io.kefu.cli.eval.SystemSpec;
import io.kefu.cli.train.TrainingProgress;
import io.kefu.data.Dataset;
import io.kefu.eval.standard.ComparisonReport;
import io.kefu.eval.standard.SystemReport;
import io.kefu.model.BaseModel;
import io.kefu.model.Engine;
import io.kefu.model.Engines;
import io.kefu.model.ModelRef;
import io.kefu.runtime.data.DatasetValidator;
import io.kefu.runtime.data.OverlongPolicy;
import io.kefu.runtime.data.ValidationOptions;
import io.kefu.runtime.data.ValidationReport;
import io.kefu.runtime.format.Json;
import io.kefu.server.KefuServer;
import io.kefu.server.ServerConfig;
import io.kefu.server.store.Database;
import io.kefu.shop.ShopCatalog;
import io.kefu.train.Adapter;
import io.kefu.train.TrainingEvent;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code kefu quickstart}: the whole story on the sample shop in one command: validate the data,
 * LoRA-fine-tune the demo base model, evaluate base vs the rules baseline vs the tuned model on the
 * held-out set, serve the tuned model on loopback and ask it three held-out questions over HTTP.
 */
@Command(name = "quickstart",
        mixinStandardHelpOptions = true,
        description = {"Take the ten-minute tour of Kefu on the sample shop, on CPU.",
                "The steps:",
                "  1. validate the shop's train.jsonl and test.jsonl",
                "  2. LoRA-fine-tune the demo base model on train.jsonl (engine djl)",
                "  3. evaluate the base model, the rules baseline and the tuned model on",
                "     the held-out test.jsonl: BLEU-4, ROUGE-L, fact accuracy and the",
                "     business checks, as a table, a report and PNG charts",
                "  4. serve the tuned model on 127.0.0.1 and ask it three held-out",
                "     questions over HTTP",
                "  5. stop the server and print the step times and where the files are",
                "--out receives run/ (adapter/, loss.png, metrics.jsonl), eval/ (report.html,",
                "report.md, report.json, charts, predictions) and store/ (the server's H2",
                "store). It is built aside and moved into place when complete; running again",
                "replaces an earlier quickstart's folder, never any other folder.",
                "Exit codes: 0 done, 1 the data has problems or a step failed, 2 usage error."},
        footer = {"", "Examples:",
                "  kefu quickstart",
                "  kefu quickstart --eval-limit 40 --out out/qs",
                "  kefu quickstart --base models/my-base --shop my-shop --json > summary.json"})
public final class QuickstartCommand implements Callable<Integer> {
    static final Path DEFAULT_BASE = Path.of("examples", "models", "demo-base");
    private static final String ENGINE = "djl";
    private static final String BASE_SYSTEM = "base";
    private static final String TUNED_SYSTEM = "tuned";
    private static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(120);

    @Spec
    CommandSpec spec;

    @Option(names = "--out", defaultValue = "out/quickstart", paramLabel = "DIR",
            description = "Output folder; an earlier quickstart's folder is replaced (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--base", defaultValue = "examples/models/demo-base", paramLabel = "DIR",
            description = "Base checkpoint folder to fine-tune (default: ${DEFAULT-VALUE}).")
    Path base;

    @Option(names = "--shop", defaultValue = "examples/shop", paramLabel = "DIR",
            description = "Shop folder: catalog, policies, train.jsonl, test.jsonl (default: ${DEFAULT-VALUE}).")
    Path shop;

    @Option(names = "--eval-limit", paramLabel = "N", description = "Evaluate only the first N held-out examples (default: all).")
    Integer evalLimit;

    @Option(names = "--epochs", paramLabel = "N", description = "Training epochs (default: " + QuickstartPlan.EPOCHS + ").")
    Integer epochs;

    @Option(names = "--lr", paramLabel = "LR", description = "Peak learning rate (default: " + QuickstartPlan.LEARNING_RATE + ").")
    Double learningRate;

    @Option(names = "--json", description = "Print a JSON summary (metrics table, the three answers, step times, files) on standard output.")
    boolean json;

    @Override
    public Integer call() {
        long startNanos = System.nanoTime();
        QuickstartPlan plan = plan();
        QuickstartFolder folder = QuickstartFolder.check(out);
        Path trainFile = shop.resolve("train.jsonl");
        Path testFile = shop.resolve("test.jsonl");
        checkInputs(trainFile, testFile);
        ShopCatalog catalog = ShopCatalog.load(shop);
        PrintWriter console = json ? spec.commandLine().getErr() : spec.commandLine().getOut();
        Map<String, Double> seconds = new LinkedHashMap<>();

        console.println("[1/5] Validate the shop's data");
        long t = System.nanoTime();
        List<ValidationReport> reports = validate(console, plan, trainFile, testFile);
        if (reports.stream().anyMatch(r -> !r.ok())) {
            return ExitCodes.FAILED;
        }
        Dataset train = Dataset.load(trainFile);
        Dataset test = Dataset.load(testFile);
        Dataset evalSet = ComparisonRun.firstExamples(test, evalLimit, "--eval-limit");
        List<ServedQuestion> questions = ServedQuestion.pick(test, catalog, QuickstartPlan.SERVED_INTENTS, QuickstartPlan.SERVED_QUESTIONS);
        if (questions.isEmpty()) {
            throw new KefuException(ErrorCode.INVALID_DATA, testFile + ": no example has facts naming a product of "
                    + shop.resolve("catalog.json") + " (编号<id>), so there is nothing to ask the server");
        }
        seconds.put("validate", elapsed(t));

        Path work = folder.begin();
        TrainingProgress training;
        ComparisonReport report;
        List<ShopChatClient.Answer> answers;
        try {
            console.println();
            console.println("[2/5] LoRA-fine-tune " + base + " on " + trainFile.getFileName() + " (engine " + ENGINE + ")");
            console.println("  " + plan);
            t = System.nanoTime();
            training = train(console, plan, train, work.resolve("run"));
            seconds.put("train", elapsed(t));

            console.println();
            console.println("[3/5] Evaluate base, rules and tuned on " + evalSet.size() + " held-out examples of "
                    + testFile.getFileName() + " (greedy, at most " + plan.evalMaxNewTokens() + " new tokens)");
            t = System.nanoTime();
            report = evaluate(plan, evalSet, work.resolve("run/adapter"), work.resolve("eval"));
            ComparisonRun.printTable(console, report, tableMetrics(report));
            seconds.put("evaluate", elapsed(t));

            console.println();
            console.println("[4/5] Serve the tuned model on 127.0.0.1 and ask " + questions.size() + " held-out questions over HTTP");
            t = System.nanoTime();
            answers = serve(console, questions, work.resolve("run/adapter"), work.resolve("store"));
            seconds.put("serve", elapsed(t));
            folder.publish();
        } catch (RuntimeException e) {
            folder.discard();
            throw e;
        }
        double total = elapsed(startNanos);
        console.println();
        console.println("[5/5] Done");
        printSummary(console, seconds, total);
        console.flush();
        if (json) {
            PrintWriter o = spec.commandLine().getOut();
            o.println(summaryJson(plan, reports, training, report, questions, answers, seconds, total).toPrettyString());
            o.flush();
        }
        return 0;
    }

    private QuickstartPlan plan() {
        QuickstartPlan plan = QuickstartPlan.DEFAULT;
        if (epochs != null) {
            if (epochs < 1) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--epochs " + epochs + " must be at least 1");
            }
            plan = plan.withEpochs(epochs);
        }
        if (learningRate != null) {
            if (!(learningRate > 0) || learningRate.isInfinite()) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--lr " + learningRate + " must be a positive number");
            }
            plan = plan.withLearningRate(learningRate);
        }
        if (evalLimit != null && evalLimit < 1) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--eval-limit " + evalLimit + " must be at least 1");
        }
        return plan;
    }

    /** Checks that the base and shop folders hold what the steps read, before anything is written. */
    private void checkInputs(Path trainFile, Path testFile) {
        String hint = base.normalize().equals(DEFAULT_BASE)
                ? "; the demo base model is rebuilt by " + DEFAULT_BASE.resolve("recipe.sh") + " WORK_DIR" : "";
        if (!Files.isDirectory(base)) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--base " + base + ": no such folder" + hint);
        }
        for (String file : List.of("config.json", "tokenizer.json", "tokenizer_config.json")) {
            if (!Files.isRegularFile(base.resolve(file))) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--base " + base + ": not a model folder, "
                        + base.resolve(file) + " is missing" + hint);
            }
        }
        if (!Files.isDirectory(shop)) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--shop " + shop + ": no such folder");
        }
        for (Path file : List.of(trainFile, testFile)) {
            if (!Files.isRegularFile(file)) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--shop " + shop + ": " + file + " is missing");
            }
        }
    }

    /** Validates both files (lengths in the base model's tokens); prints one line each, or every problem. */
    private List<ValidationReport> validate(PrintWriter console, QuickstartPlan plan, Path trainFile, Path testFile) {
        List<ValidationReport> reports = new ArrayList<>();
        try (TemplateTokenCounter tokens = TemplateTokenCounter.load(base)) {
            DatasetValidator validator = new DatasetValidator(ValidationOptions.builder()
                    .maxLength(tokens, plan.maxLength(), OverlongPolicy.TRUNCATE).build());
            for (Path file : List.of(trainFile, testFile)) {
                ValidationReport r = validator.validate(file);
                reports.add(r);
                if (r.ok()) {
                    console.printf(Locale.ROOT, "  %s: ok, %d examples, %d intents%s%n", file, r.examples(), r.intents().size(),
                            r.truncated() == 0 ? "" : ", " + r.truncated() + " longer than " + plan.maxLength() + " tokens (cut in training)");
                } else {
                    console.println(r.describe(20));
                }
            }
        }
        console.flush();
        return reports;
    }

    private TrainingProgress train(PrintWriter console, QuickstartPlan plan, Dataset train, Path runDir) {
        Engine engine = Engines.get(ENGINE);
        try (BaseModel model = engine.load(ModelRef.of(base.toString()));
             TrainingProgress progress = new TrainingProgress(console, spec.commandLine().getErr(), Terminal.isInteractive(spec), false)) {
            Adapter adapter = engine.trainer(plan.trainingConfig(runDir)).fit(model, train, progress);
            adapter.save(runDir.resolve("adapter"));
            return progress;
        }
    }

    private ComparisonReport evaluate(QuickstartPlan plan, Dataset evalSet, Path adapter, Path evalDir) {
        try (EvalSystems systems = new EvalSystems()) {
            systems.add(new SystemSpec(BASE_SYSTEM, ENGINE, base.toString(), null));
            systems.addRules();
            systems.add(new SystemSpec(TUNED_SYSTEM, ENGINE, base.toString(), adapter));
            return ComparisonRun.run(systems.byName(), evalSet, plan.evaluationConfig(), evalDir, Terminal.isInteractive(spec),
                    spec.commandLine().getErr());
        }
    }

    /** Serves base + adapter as the tuned model (the server's default for /chat), asks each question, stops the server. */
    private List<ShopChatClient.Answer> serve(PrintWriter console, List<ServedQuestion> questions, Path adapter, Path storeDir) {
        Engine engine = Engines.get(ENGINE);
        String storeUrl = Database.h2Url(storeDir);
        List<ShopChatClient.Answer> answers = new ArrayList<>();
        try (BaseModel model = engine.load(ModelRef.of(base.toString()));
             ChatModel plain = engine.chatModel(model);
             ChatModel tuned = engine.chatModel(model, Adapter.load(adapter))) {
            ServerConfig config = ServerConfig.builder().baseModel(plain).adapters(tuned, List.of(TUNED_SYSTEM))
                    .storeUrl(storeUrl).shopFolder(shop).bind("127.0.0.1").port(0).requestTimeout(ANSWER_TIMEOUT).build();
            try (KefuServer server = KefuServer.start(config)) {
                URI url = URI.create("http://127.0.0.1:" + server.port());
                console.println("  listening on " + url);
                ShopChatClient client = new ShopChatClient(url, ANSWER_TIMEOUT.plusSeconds(10));
                for (ServedQuestion q : questions) {
                    ShopChatClient.Answer a = client.ask(q.question(), q.productId());
                    answers.add(a);
                    console.printf(Locale.ROOT, "  Q [%s, product %s]: %s%n", q.intent(), q.productId(), q.question());
                    console.printf(Locale.ROOT, "  A: %s%n", a.text());
                    console.printf(Locale.ROOT, "     hand-off: %s, %d ms%n",
                            a.handoff() ? "yes (" + a.reason() + ")" : "no", a.latencyMillis());
                    console.flush();
                }
            }
            console.println("  server stopped");
        }
        return answers;
    }

    private void printSummary(PrintWriter console, Map<String, Double> seconds, double total) {
        seconds.forEach((step, s) -> console.printf(Locale.ROOT, "  %-9s %7.1f s%n", step, s));
        console.printf(Locale.ROOT, "  %-9s %7.1f s%n", "total", total);
        console.println("  files:");
        for (Map.Entry<String, Path> f : files().entrySet()) {
            console.printf(Locale.ROOT, "    %-20s %s%n", f.getKey(), f.getValue());
        }
    }

    /** What the user looks at afterwards, under --out. */
    private Map<String, Path> files() {
        Map<String, Path> files = new LinkedHashMap<>();
        files.put("adapter", out.resolve("run/adapter"));
        files.put("loss chart", out.resolve("run/loss.png"));
        files.put("training metrics", out.resolve("run/metrics.jsonl"));
        files.put("report", out.resolve("eval/report.html"));
        files.put("text metrics chart", out.resolve("eval/chart-text-metrics.png"));
        files.put("business chart", out.resolve("eval/chart-business.png"));
        files.put("server store", out.resolve("store"));
        return files;
    }

    private static List<String> tableMetrics(ComparisonReport report) {
        return QuickstartPlan.TABLE_METRICS.stream().filter(report.metricNames()::contains).toList();
    }

    private ObjectNode summaryJson(QuickstartPlan plan, List<ValidationReport> reports, TrainingProgress training,
                                   ComparisonReport report, List<ServedQuestion> questions, List<ShopChatClient.Answer> answers,
                                   Map<String, Double> seconds, double total) {
        ObjectMapper mapper = Json.mapper();
        ObjectNode root = mapper.createObjectNode();
        root.put("ok", true);
        root.put("out", out.toString());
        root.put("base", base.toString());
        root.set("plan", Json.mapper().copy().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE).valueToTree(plan));
        ObjectNode data = root.putObject("data");
        for (ValidationReport r : reports) {
            data.putObject(Path.of(r.file()).getFileName().toString()).put("examples", r.examples())
                    .put("intents", r.intents().size()).put("truncated", r.truncated());
        }
        ObjectNode trainingNode = root.putObject("training");
        TrainingEvent.Started started = training.started();
        TrainingEvent.Finished finished = training.finished();
        if (started != null) {
            trainingNode.put("examples", started.trainExamples()).put("trainable_parameters", started.trainableParameters())
                    .put("total_parameters", started.totalParameters());
        }
        if (finished != null) {
            trainingNode.put("steps", finished.steps());
            number(trainingNode, "final_loss", finished.finalLoss());
        }
        ObjectNode metrics = root.putObject("metrics");
        List<String> names = tableMetrics(report);
        for (SystemReport s : report.systems()) {
            ObjectNode system = metrics.putObject(s.system());
            names.forEach(name -> number(system, name, s.metrics().get(name)));
        }
        root.put("evaluated_examples", report.systems().get(0).predictions().size());
        ArrayNode list = root.putArray("answers");
        for (int i = 0; i < answers.size(); i++) {
            ServedQuestion q = questions.get(i);
            ShopChatClient.Answer a = answers.get(i);
            list.addObject().put("intent", q.intent()).put("question", q.question()).put("productId", q.productId())
                    .put("source", q.source()).put("answer", a.text()).put("handoff", a.handoff()).put("reason", a.reason())
                    .put("latency_ms", a.latencyMillis()).put("reference", q.reference());
        }
        ObjectNode steps = root.putObject("seconds");
        seconds.forEach(steps::put);
        steps.put("total", total);
        ObjectNode files = root.putObject("files");
        files().forEach((name, path) -> files.put(name.replace(' ', '_'), path.toString()));
        return root;
    }

    /** JSON has no NaN: such values are written as null, as in report.json. */
    private static void number(ObjectNode node, String name, Double value) {
        if (value == null || value.isNaN() || value.isInfinite()) {
            node.putNull(name);
        } else {
            node.put(name, value);
        }
    }

    private static double elapsed(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
