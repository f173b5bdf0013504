package io.kefu.cli.serve;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.cli.common.DeviceOption;
import io.kefu.chat.BatchingOptions;
import io.kefu.chat.ChatModel;
import io.kefu.shop.rules.RulesChatModel;
import io.kefu.model.BaseModel;
import io.kefu.model.Engine;
import io.kefu.model.ModelRef;
import io.kefu.server.KefuServer;
import io.kefu.server.ServerConfig;
import io.kefu.server.facts.FactsSources;
import io.kefu.server.store.Database;
import io.kefu.shop.FactsSource;
import io.kefu.train.Adapter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code kefu serve}: the HTTP server over a model of any engine. Runs until stopped (Ctrl-C / SIGTERM drains requests in flight). */
@Command(name = "serve",
        mixinStandardHelpOptions = true,
        description = {"Serve a model over HTTP with the shop's live facts, guardrails and hand-off.",
                "Routes: POST /chat (live shop facts, guardrails, hand-off), the OpenAI-compatible",
                "/v1/chat/completions and /v1/models, /health, /metrics (Prometheus) and /events (A/B conversions).",
                "Concurrent requests are decoded together in the engine's running batch (up to --max-batch per model)."},
        footer = {"", "Examples:",
                "  kefu serve --engine djl --model models/qwen2.5-0.5b --adapter shop=out/shop-lora --shop examples/shop",
                "  kefu serve --engine djl --model models/qwen2.5-0.5b --allow-runtime-adapters --adapter-root out --api-key-file key.txt",
                "  kefu serve --engine remote --model http://127.0.0.1:8000/v1 --store jdbc:postgresql://127.0.0.1:5432/kefu?user=kefu",
                "  kefu serve --engine rules --shop examples/shop --port 8081        (the keyword baseline, no model)",
                "  kefu serve --engine djl --model models/qwen2.5-0.5b --adapter shop-lora=out/shop-lora --shop examples/shop \\",
                "             --arm control=rules:50 --arm tuned=adapter:shop-lora:50 --experiment launch-2026-12",
                "  kefu serve --engine rules --facts shop-facts.yaml   (facts from the shop's own database; no --shop)",
                "  kefu serve --config serve.yaml --port 8081                         (flags override the file)"})
public final class ServeCommand implements Callable<Integer> {
    // required, but checked in call(): picocli would refuse it missing before --config could give it
    @Option(names = "--engine", paramLabel = "ID", description = "Required: djl, onnx, trtllm, remote, or rules (the keyword baseline).")
    String engineId;

    @Option(names = "--model", paramLabel = "DIR_OR_URL", description = "A checkpoint folder, hub id, or (remote engine) server URL.")
    String model;

    @Mixin
    DeviceOption device;

    @Option(names = "--adapter", paramLabel = "NAME=DIR", description = "A LoRA adapter clients select with \"model\": NAME; repeatable, the first is the default of /chat.")
    List<String> adapters = new ArrayList<>();

    @Option(names = "--config", paramLabel = "FILE", description = {"A serve.yaml: any flag without its dashes (max-batch: 8), plus the",
            "assistant, compliance and handoff sections; flags given here override it."})
    Path configFile;

    @Option(names = "--data-dir", paramLabel = "DIR", defaultValue = "${sys:user.home}/.kefu",
            description = "Where Kefu keeps its own files, such as the default store (default: ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(names = "--store", paramLabel = "JDBC_URL", description = "jdbc:h2:... or jdbc:postgresql://... (default: an H2 file in DATA_DIR/store).")
    String store;

    @Option(names = "--facts", paramLabel = "SOURCE", description = {"Where /chat reads the shop's live facts (default: the store's shop tables):",
            "a mapping file (.yaml) for the shop's own database, an http(s):// shop API, or jdbc:... (another Kefu store)."})
    String facts;

    @Option(names = "--shop", paramLabel = "DIR_OR_FILE", description = {"Shop folder (or one-document shop file) loaded into an empty store;",
            "required unless the store already holds a shop (kefu shop import) or --facts gives the facts."})
    Path shop;

    @Option(names = "--served-model-name", arity = "1..*", paramLabel = "NAME",
            description = "Names the base model is served under, as vLLM's: the first in answers, each accepted in \"model\" (default: the model's id).")
    List<String> servedModelNames = new ArrayList<>();

    @Option(names = "--port", defaultValue = "8080", description = "Port (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--bind", defaultValue = "127.0.0.1", description = "Address to listen on (default: ${DEFAULT-VALUE}); others need --api-key-file.")
    String bind;

    @Option(names = "--api-key-file", paramLabel = "FILE", description = "File holding the key clients send as 'Authorization: Bearer KEY'.")
    Path apiKeyFile;

    @Option(names = "--queue", defaultValue = "64", description = "Requests that may wait for the model (default: ${DEFAULT-VALUE}).")
    int queue;

    @Option(names = "--max-batch", defaultValue = "" + BatchingOptions.DEFAULT_MAX_BATCH_SIZE, paramLabel = "N",
            description = "Requests one model decodes together in its running batch; more wait in the queue (default: ${DEFAULT-VALUE}).")
    int maxBatch;

    @Option(names = "--allow-runtime-adapters", description = {"Enable POST /v1/load_lora_adapter {\"lora_name\", \"lora_path\"} and",
            "POST /v1/unload_lora_adapter {\"lora_name\"} (vLLM's); they read folders of this machine, so use an API key."})
    boolean allowRuntimeAdapters;

    @Option(names = "--adapter-root", paramLabel = "DIR", description = "With --allow-runtime-adapters: the only folder lora_path may name (inside).")
    Path adapterRoot;

    @Option(names = "--max-adapters", defaultValue = "8", paramLabel = "N", description = "Most adapters loaded at run time at once (default: ${DEFAULT-VALUE}).")
    int maxAdapters;

    @Option(names = "--allowed-host", paramLabel = "NAME", description = "A Host name clients may use besides the bound address; repeatable.")
    List<String> allowedHosts = new ArrayList<>();

    @Option(names = "--db-pool-size", defaultValue = "10", paramLabel = "N", description = "Store connections open at once (default: ${DEFAULT-VALUE}).")
    int dbPoolSize;

    @Option(names = "--retention-days", defaultValue = "90", paramLabel = "DAYS", description = "Days questions and hand-offs are kept (default: ${DEFAULT-VALUE}).")
    int retentionDays;

    @Option(names = "--timeout", defaultValue = "120", paramLabel = "SECONDS", description = "Per-request timeout (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    @Option(names = "--min-logprob", defaultValue = "-2.5", description = "Hand off when the mean token log-probability is below this (default: ${DEFAULT-VALUE}).")
    double minLogprob;

    @Option(names = "--arm", paramLabel = "NAME=SYSTEM:WEIGHT", description = {"An A/B arm of /chat, control first; repeatable (two or more).",
            "SYSTEM: rules, base, or adapter:NAME (an --adapter); WEIGHT: a positive integer share, e.g. control=rules:50."})
    List<String> arms = new ArrayList<>();

    @Option(names = "--experiment", paramLabel = "NAME", description = "With --arm: the experiment's name, which seeds the assignment"
            + " and is recorded in the store with the split (default: " + ArmOption.DEFAULT_EXPERIMENT + ").")
    String experiment;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    /** The settings of the --config file, once it is read (the command then runs again with its values as defaults). */
    private ServeConfigFile settings;

    @Override
    public Integer call() {
        if (configFile != null && settings == null) {
            return callWithConfigFile();
        }
        if (settings == null) {
            settings = ServeConfigFile.none();
        }
        PrintWriter out = spec.commandLine().getOut();
        List<AutoCloseable> owned = new ArrayList<>();
        if (engineId == null) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--engine is required (djl, onnx, trtllm, remote or rules),"
                    + " on the command line or as engine: in the --config file");
        }
        if (maxBatch < 1) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--max-batch must be at least 1, got " + maxBatch);
        }
        BatchingOptions batching = new BatchingOptions(maxBatch);
        ServerConfig.Builder config = ServerConfig.builder().port(port).bind(bind).queueCapacity(queue).maxBatch(maxBatch)
                .requestTimeout(Duration.ofSeconds(timeoutSeconds)).minMeanLogprob(minLogprob).maxAdapters(maxAdapters)
                .storePoolSize(dbPoolSize).retention(Duration.ofDays(retentionDays))
                .storeUrl(storeUrl()).requireShop(true).servedModelNames(servedModelNames)
                .persona(settings.persona()).historyTurns(settings.historyTurns()).compliance(settings.compliance())
                .handoffRules(settings.handoff());
        if (shop != null) {
            if (!Files.exists(shop)) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--shop " + shop + ": no such folder or file");
            }
            config.shopFolder(shop);
        }
        EffectiveConfig.print(out, spec, settings);
        if (apiKeyFile != null) {
            config.apiKey(readKey(apiKeyFile));
        }
        allowedHosts.forEach(config::allowedHost);
        io.kefu.eval.ab.ExperimentSplit split = ArmOption.split(experiment, arms, parseAdapters(adapters).keySet(), engineId.equals("rules"));
        if (split != null) {
            config.experiment(split);
        }
        try {
            if (facts != null) {
                FactsSource source = FactsSources.open(facts, Database.Pool.DEFAULT_TIMEOUT);
                owned.add(source);
                config.facts(source);
            }
            if (engineId.equals("rules")) {
                if (!adapters.isEmpty() || allowRuntimeAdapters) {
                    throw new KefuException(ErrorCode.INVALID_ARGUMENT, (allowRuntimeAdapters ? "--allow-runtime-adapters" : "--adapter")
                            + ": the rules baseline takes no adapters");
                }
                config.baseModel(new RulesChatModel());
            } else {
                if (model == null) {
                    throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--model is required with --engine " + engineId);
                }
                Engine engine = device.open(engineId);
                BaseModel base = engine.load(ModelRef.of(model));
                owned.add(base);
                ChatModel plain = engine.chatModel(base, List.of(), batching);
                owned.add(plain);
                config.baseModel(plain);
                Map<String, Path> named = parseAdapters(adapters);
                if (!named.isEmpty()) {
                    List<Adapter> loaded = new ArrayList<>();
                    for (Path dir : named.values()) {
                        loaded.add(Adapter.load(dir));
                    }
                    ChatModel withAdapters = engine.chatModel(base, loaded, batching);
                    owned.add(withAdapters);
                    config.adapters(withAdapters, new ArrayList<>(named.keySet()));
                }
                if (allowRuntimeAdapters) {
                    if (adapterRoot == null) {
                        throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--allow-runtime-adapters needs --adapter-root DIR (lora_path is read only inside it)");
                    }
                    // one model per loaded adapter: it can be closed on its own when the adapter is unloaded
                    config.runtimeAdapters((name, folder) -> engine.chatModel(base, List.of(Adapter.load(folder)), batching), adapterRoot);
                }
            }
            KefuServer server = KefuServer.start(config.build());
            CountDownLatch stopped = new CountDownLatch(1);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                server.close();
                stopped.countDown();
            }, "kefu-serve-shutdown"));
            if (split != null) {
                out.println("kefu serve: A/B experiment '" + split.experiment() + "' on /chat: " + split.describe());
            }
            out.println("kefu serve: listening on http://" + bind + ":" + server.port() + " (Ctrl-C stops after requests in flight)");
            out.flush();
            stopped.await();
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        } finally {
            for (int i = owned.size() - 1; i >= 0; i--) {
                try {
                    owned.get(i).close();
                } catch (Exception ignored) {
                    // closing on the way out; the process ends anyway
                }
            }
        }
    }

    /** Reads the --config file, then parses the command line again with the file's values as defaults, and runs. */
    private Integer callWithConfigFile() {
        ServeConfigFile file = ServeConfigFile.load(configFile, spec);
        picocli.CommandLine.ParseResult given = spec.commandLine().getParseResult();
        List<String> args = new ArrayList<>(file.repeatableArguments(name -> given.hasMatchedOption(name)));
        args.addAll(given.expandedArgs());
        ServeCommand again = new ServeCommand();
        again.settings = file;
        picocli.CommandLine line = new picocli.CommandLine(again);
        line.setOut(spec.commandLine().getOut());
        line.setErr(spec.commandLine().getErr());
        line.setDefaultValueProvider(file::defaultOf);
        try {
            line.parseArgs(args.toArray(String[]::new));
        } catch (picocli.CommandLine.ParameterException e) {
            throw file.located(e);
        }
        return again.call();
    }

    private String storeUrl() {
        return store != null ? store : Database.h2Url(dataDir.resolve("store"));
    }

    static Map<String, Path> parseAdapters(List<String> specs) {
        Map<String, Path> out = new LinkedHashMap<>();
        for (String spec : specs) {
            int eq = spec.indexOf('=');
            if (eq <= 0 || eq == spec.length() - 1) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--adapter " + spec + ": expected NAME=DIR, e.g. shop=out/shop-lora");
            }
            String name = spec.substring(0, eq);
            if (out.put(name, Path.of(spec.substring(eq + 1))) != null) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--adapter " + spec + ": the name '" + name + "' is used twice");
            }
        }
        return out;
    }

    static String readKey(Path file) {
        try {
            String key = Files.readString(file, StandardCharsets.UTF_8).strip();
            if (key.isEmpty()) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--api-key-file " + file + ": the file is empty");
            }
            return key;
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, "--api-key-file " + file + ": cannot read: " + e.getMessage(), e);
        }
    }
}
