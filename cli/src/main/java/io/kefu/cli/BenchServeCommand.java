package io.kefu.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatModel;
import io.kefu.model.BaseModel;
import io.kefu.model.Engine;
import io.kefu.model.Engines;
import io.kefu.model.ModelRef;
import io.kefu.server.KefuServer;
import io.kefu.server.ServerConfig;
import io.kefu.server.store.Database;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code kefu bench serve}: the server over HTTP on loopback at several concurrency levels, with
 * the request queue decoding waiting requests together (batched) beside one request at a time,
 * measured in the same run on the same model.
 */
@Command(name = "serve",
        mixinStandardHelpOptions = true,
        description = {"Aggregate tokens/s and p50/p99 latency of /v1/chat/completions at several concurrency levels,",
                "batched (waiting requests decoded together) beside one-at-a-time, same model, same run."})
public final class BenchServeCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Spec
    CommandSpec spec;

    @Option(names = "--engine", defaultValue = "djl", description = "Engine id (default: ${DEFAULT-VALUE}).")
    String engineId;

    @Option(names = "--model", paramLabel = "DIR", description = "Checkpoint folder (default: a generated ~90M-parameter Llama).")
    Path model;

    @Option(names = "--tokenizer", paramLabel = "DIR", description = "Tokenizer folder for the generated model (default: <kefu.tokenizers.dir>/llama3).")
    Path tokenizer;

    @Option(names = "--concurrency", split = ",", defaultValue = "1,4,16", description = "Concurrent clients (default: ${DEFAULT-VALUE}).")
    List<Integer> concurrency;

    @Option(names = "--requests", defaultValue = "2", description = "Requests per client (default: ${DEFAULT-VALUE}).")
    int requestsPerClient;

    @Option(names = "--tokens", defaultValue = "32", description = "max_tokens of each request (default: ${DEFAULT-VALUE}).")
    int tokens;

    @Option(names = "--max-batch", defaultValue = "16", description = "Batch limit of the batched run (default: ${DEFAULT-VALUE}).")
    int maxBatch;

    @Override
    public Integer call() throws Exception {
        if (tokens < 1 || requestsPerClient < 1 || maxBatch < 2 || concurrency.stream().anyMatch(c -> c < 1)) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--tokens, --requests and --concurrency must be positive, --max-batch at least 2");
        }
        PrintWriter out = spec.commandLine().getOut();
        Path temp = Files.createTempDirectory("kefu-bench-serve-");
        try {
            Path checkpoint = model != null ? model : BenchModel.write(temp.resolve("llama-90m"), tokenizerDir(), 42);
            Engine engine = Engines.get(engineId);
            List<String[]> rows = new ArrayList<>();
            try (BaseModel base = engine.load(ModelRef.of(checkpoint)); ChatModel chat = engine.chatModel(base)) {
                out.printf(Locale.ROOT, "model: %s on %s; %d cores; %d requests per client, max_tokens %d; latency = whole answer%n",
                        checkpoint, engineId, Runtime.getRuntime().availableProcessors(), requestsPerClient, tokens);
                out.println("note: the machine may be shared; figures measured while other work runs are contended.");
                out.flush();
                int run = 0;
                // warm-up (JIT, native caches), not reported
                try (KefuServer warm = KefuServer.start(ServerConfig.builder().baseModel(chat).port(0)
                        .storeUrl(Database.h2Url(temp.resolve("store-warm-up"))).build())) {
                    measure(warm.port(), chat.info().id(), 2, 1);
                }
                for (int c : concurrency) {
                    for (int batch : new int[] {1, maxBatch}) {
                        ServerConfig config = ServerConfig.builder().baseModel(chat).port(0).maxBatch(batch).queueCapacity(Math.max(64, c * 2))
                                .storeUrl(Database.h2Url(temp.resolve("store-" + run++))).build();
                        try (KefuServer server = KefuServer.start(config)) {
                            rows.add(measure(server.port(), chat.info().id(), c, batch));
                        }
                    }
                }
            }
            out.printf(Locale.ROOT, "%-12s %-22s %9s %12s %12s %12s%n", "concurrency", "queue", "requests", "tokens/s", "p50 ms", "p99 ms");
            for (String[] row : rows) {
                out.printf(Locale.ROOT, "%-12s %-22s %9s %12s %12s %12s%n", (Object[]) row);
            }
            for (int i = 0; i + 1 < rows.size(); i += 2) {
                double one = Double.parseDouble(rows.get(i)[3]);
                double batched = Double.parseDouble(rows.get(i + 1)[3]);
                out.printf(Locale.ROOT, "concurrency %s: batched / one-at-a-time = %.2fx aggregate tokens/s%n", rows.get(i)[0],
                        one > 0 ? batched / one : 0);
            }
            return 0;
        } finally {
            try (var files = Files.walk(temp)) {
                files.sorted(Collections.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private String[] measure(int port, String modelId, int clients, int batch) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
        List<Future<Integer>> generated = new ArrayList<>();
        long start = System.nanoTime();
        for (int c = 0; c < clients; c++) {
            int client = c;
            generated.add(pool.submit(() -> {
                int sum = 0;
                for (int i = 0; i < requestsPerClient; i++) {
                    String body = JSON.writeValueAsString(Map.of("model", modelId, "max_tokens", tokens,
                            "messages", List.of(Map.of("role", "user", "content", "第" + client + "位顾客的第" + i + "个问题:这款有M码吗?"))));
                    long t = System.nanoTime();
                    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                            .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build(),
                            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
                    latencies.add((System.nanoTime() - t) / 1_000_000);
                    if (r.statusCode() != 200) {
                        throw new IOException("HTTP " + r.statusCode() + ": " + r.body());
                    }
                    JsonNode json = JSON.readTree(r.body());
                    sum += json.at("/usage/completion_tokens").asInt();
                }
                return sum;
            }));
        }
        long tokensOut = 0;
        for (Future<Integer> f : generated) {
            tokensOut += f.get();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        return new String[] {String.valueOf(clients), batch == 1 ? "one-at-a-time" : "batched (<= " + batch + ")",
                String.valueOf(sorted.size()), String.format(Locale.ROOT, "%.1f", tokensOut / seconds),
                String.valueOf(sorted.get(sorted.size() / 2)), String.valueOf(sorted.get((int) Math.ceil(sorted.size() * 0.99) - 1))};
    }

    private Path tokenizerDir() {
        if (tokenizer != null) {
            return tokenizer;
        }
        String dir = System.getProperty("kefu.tokenizers.dir");
        if (dir == null) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--tokenizer is needed to generate the benchmark model"
                    + " (or pass --model, or set the system property kefu.tokenizers.dir)");
        }
        return Path.of(dir, "llama3");
    }
}
