package io.kefu.bench;

import io.kefu.runtime.format.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.runtime.format.AtomicFiles;
import io.kefu.chat.BatchingOptions;
import io.kefu.chat.ChatModel;
import io.kefu.model.BaseModel;
import io.kefu.model.Engine;
import io.kefu.model.Engines;
import io.kefu.model.ModelRef;
import io.kefu.runtime.generate.BatchedChatModel;
import io.kefu.runtime.generate.BatchingStats;
import io.kefu.server.KefuServer;
import io.kefu.server.ServerConfig;
import io.kefu.server.store.Database;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
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
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code kefu bench serve}: the server over HTTP on loopback at several concurrency levels, streaming
 * each answer, with the engine batching concurrent requests beside the same engine decoding them one
 * at a time, measured in the same run on the same model with the same prompts.
 */
@Command(name = "serve",
        mixinStandardHelpOptions = true,
        description = {"Measure the server's throughput and latency with batching beside one request at a time.",
                "Aggregate tokens/s, tokens per CPU second, p50/p99 time to first token and p50/p99 latency of streamed",
                "/v1/chat/completions at several concurrency levels: the engine batching concurrent requests beside one",
                "request at a time, same model, same prompts, same run; then how the engine batched (steps, rows per step,",
                "prefill passes)."})
public final class BenchServeCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = Json.mapper();

    @Spec
    CommandSpec spec;

    @Option(names = "--engine", defaultValue = "djl", description = "Engine id (default: ${DEFAULT-VALUE}).")
    String engineId;

    @Option(names = "--model", paramLabel = "DIR", description = "Checkpoint folder (default: a generated ~90M-parameter Llama).")
    Path model;

    @Option(names = "--tokenizer", paramLabel = "DIR", description = "Tokenizer folder for the generated model (default: .cache/tokenizers/llama3, fetched by scripts/fetch-tokenizers.sh).")
    Path tokenizer;

    @Option(names = "--concurrency", split = ",", defaultValue = "1,4,16", description = "Concurrent clients (default: ${DEFAULT-VALUE}).")
    List<Integer> concurrency;

    @Option(names = "--requests", defaultValue = "2", description = "Requests per client (default: ${DEFAULT-VALUE}).")
    int requestsPerClient;

    @Option(names = "--tokens", defaultValue = "32", description = "max_tokens of each request (default: ${DEFAULT-VALUE}).")
    int tokens;

    @Option(names = "--max-batch", defaultValue = "" + BatchingOptions.DEFAULT_MAX_BATCH_SIZE,
            description = "Batch size of the batched side, in the engine and the server (default: ${DEFAULT-VALUE}).")
    int maxBatch;

    /** One side of the comparison: an engine model built with its batching options, and the server over it. */
    private record Side(String name, ChatModel chat, int maxBatch) {
    }

    /**
     * What one side measured at one concurrency. Times in milliseconds; {@code tokensPerCpuSecond} is
     * the tokens over the CPU time this process used meanwhile (server, engine and clients), which
     * other work on a shared machine changes far less than the wall time.
     */
    private record Row(int concurrency, String side, int requests, long tokens, double tokensPerSecond, double tokensPerCpuSecond,
                       double ttftP50, double ttftP99, double latencyP50, double latencyP99, Optional<Batching> batching) {
    }

    /** How the engine batched one measurement: decoding steps, the rows they advanced, and prefill passes. */
    private record Batching(long decodeSteps, long rowSteps, long joins) {
        static Optional<BatchingStats> of(ChatModel chat) {
            return chat instanceof BatchedChatModel batched ? Optional.of(batched.batchingStats()) : Optional.empty();
        }

        static Optional<Batching> between(Optional<BatchingStats> before, Optional<BatchingStats> after) {
            if (before.isEmpty() || after.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new Batching(after.get().decodeSteps() - before.get().decodeSteps(),
                    after.get().rowSteps() - before.get().rowSteps(), after.get().joins() - before.get().joins()));
        }
    }

    /** One streamed request as the client saw it. */
    private record Timing(double ttftMs, double latencyMs, int tokens) {
    }

    @Override
    public Integer call() throws Exception {
        if (tokens < 1 || requestsPerClient < 1 || maxBatch < 2 || concurrency.isEmpty() || concurrency.stream().anyMatch(c -> c < 1)) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--tokens, --requests and --concurrency must be positive, --max-batch at least 2");
        }
        PrintWriter out = spec.commandLine().getOut();
        Path temp = Files.createTempDirectory("kefu-bench-serve-");
        try {
            Path checkpoint = model != null ? model : BenchModel.write(temp.resolve("llama-90m"), tokenizerDir(), 42);
            Engine engine = Engines.get(engineId);
            List<Row> rows = new ArrayList<>();
            int queue = Math.max(64, 2 * Collections.max(concurrency));
            try (BaseModel base = engine.load(ModelRef.of(checkpoint));
                 ChatModel oneAtATime = engine.chatModel(base, List.of(), BatchingOptions.oneAtATime());
                 ChatModel batched = engine.chatModel(base, List.of(), new BatchingOptions(maxBatch))) {
                List<Side> sides = List.of(new Side("one-at-a-time", oneAtATime, 1), new Side("batched (<= " + maxBatch + ")", batched, maxBatch));
                out.printf(Locale.ROOT, "model: %s on %s; %d cores; %d requests per client, max_tokens %d, streamed (stream: true)%n",
                        checkpoint, engineId, Runtime.getRuntime().availableProcessors(), requestsPerClient, tokens);
                out.println("both sides: the same engine, model and prompts; one-at-a-time = BatchingOptions.oneAtATime() and one request"
                        + " in flight; batched = BatchingOptions(" + maxBatch + ") and up to " + maxBatch + " in flight");
                out.println("TTFT = request sent to first content chunk; latency = request sent to [DONE]; tokens/CPU s = tokens over"
                        + " the CPU time of this process (server, engine, clients)");
                out.println("note: the machine may be shared; figures measured while other work runs are contended.");
                out.flush();
                List<KefuServer> servers = new ArrayList<>();
                try {
                    for (int i = 0; i < sides.size(); i++) {
                        Side side = sides.get(i);
                        servers.add(KefuServer.start(ServerConfig.builder().baseModel(side.chat()).port(0).maxBatch(side.maxBatch())
                                .queueCapacity(queue).storeUrl(Database.h2Url(temp.resolve("store-" + i))).build()));
                        // warm-up (JIT, native caches), not reported
                        measure(servers.get(i).port(), side.chat().info().id(), Math.min(4, queue), 1);
                    }
                    for (int c : concurrency) {
                        for (int i = 0; i < sides.size(); i++) {
                            ChatModel chat = sides.get(i).chat();
                            Optional<BatchingStats> before = Batching.of(chat);
                            Measured measured = measure(servers.get(i).port(), chat.info().id(), c, requestsPerClient);
                            rows.add(row(c, sides.get(i).name(), measured, Batching.between(before, Batching.of(chat))));
                        }
                    }
                } finally {
                    for (KefuServer server : servers) {
                        server.close();
                    }
                }
            }
            print(out, rows);
            return 0;
        } finally {
            AtomicFiles.deleteRecursivelyQuietly(temp);
        }
    }

    private static void print(PrintWriter out, List<Row> rows) {
        String format = "%-12s %-16s %9s %8s %10s %13s %13s %13s %11s %11s%n";
        out.printf(Locale.ROOT, format, "concurrency", "side", "requests", "tokens", "tokens/s", "tokens/CPU s", "TTFT p50 ms",
                "TTFT p99 ms", "p50 ms", "p99 ms");
        for (Row r : rows) {
            out.printf(Locale.ROOT, format, r.concurrency(), r.side(), r.requests(), r.tokens(), fmt(r.tokensPerSecond()),
                    fmt(r.tokensPerCpuSecond()), fmt(r.ttftP50()), fmt(r.ttftP99()), fmt(r.latencyP50()), fmt(r.latencyP99()));
        }
        for (int i = 0; i + 1 < rows.size(); i += 2) {
            Row one = rows.get(i);
            Row batched = rows.get(i + 1);
            out.printf(Locale.ROOT, "concurrency %d: batched / one-at-a-time = %.2fx aggregate tokens/s (%.2fx tokens per CPU second);"
                            + " batched TTFT p99 %.1f ms%n", one.concurrency(), ratio(batched.tokensPerSecond(), one.tokensPerSecond()),
                    ratio(batched.tokensPerCpuSecond(), one.tokensPerCpuSecond()), batched.ttftP99());
            batched.batching().ifPresent(b -> out.printf(Locale.ROOT, "  batched engine: %d decoding steps, %.1f rows per step on average,"
                    + " %d prefill passes for %d requests%n", b.decodeSteps(), ratio(b.rowSteps(), b.decodeSteps()), b.joins(), batched.requests()));
        }
        out.flush();
    }

    private static double ratio(double a, double b) {
        return b > 0 ? a / b : 0;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static Row row(int clients, String side, Measured m, Optional<Batching> batching) {
        List<Double> ttft = new ArrayList<>();
        List<Double> latency = new ArrayList<>();
        long generated = 0;
        for (Timing t : m.timings()) {
            ttft.add(t.ttftMs());
            latency.add(t.latencyMs());
            generated += t.tokens();
        }
        Collections.sort(ttft);
        Collections.sort(latency);
        return new Row(clients, side, m.timings().size(), generated, generated / m.seconds(), generated / m.cpuSeconds(),
                percentile(ttft, 0.50), percentile(ttft, 0.99), percentile(latency, 0.50), percentile(latency, 0.99), batching);
    }

    /** Nearest rank of a sorted list. */
    private static double percentile(List<Double> sorted, double p) {
        return sorted.get(Math.max(0, (int) Math.ceil(sorted.size() * p) - 1));
    }

    /**
     * Every request of one measurement, the wall time from the first request sent to the last answer
     * ended, and the CPU time the process used meanwhile.
     */
    private record Measured(List<Timing> timings, double seconds, double cpuSeconds) {
    }

    private Measured measure(int port, String modelId, int clients, int requests) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<Future<List<Timing>>> perClient = new ArrayList<>();
            long cpuStart = processCpuNanos();
            long start = System.nanoTime();
            for (int c = 0; c < clients; c++) {
                int client = c;
                perClient.add(pool.submit(() -> {
                    List<Timing> timings = new ArrayList<>();
                    for (int i = 0; i < requests; i++) {
                        String question = "第" + client + "位顾客的第" + i + "个问题:这款有M码吗?";
                        timings.add(streamOne(http, port, modelId, question));
                    }
                    return timings;
                }));
            }
            List<Timing> all = new ArrayList<>();
            for (Future<List<Timing>> f : perClient) {
                all.addAll(f.get());
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            return new Measured(all, seconds, (processCpuNanos() - cpuStart) / 1e9);
        } finally {
            pool.shutdownNow();
        }
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** Sends one streamed completion and reads its events until {@code [DONE]}. */
    private Timing streamOne(HttpClient http, int port, String modelId, String question) throws Exception {
        String body = JSON.writeValueAsString(Map.of("model", modelId, "max_tokens", tokens, "stream", true,
                "stream_options", Map.of("include_usage", true), "messages", List.of(Map.of("role", "user", "content", question))));
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build();
        long sent = System.nanoTime();
        HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            if (response.statusCode() != 200) {
                StringBuilder text = new StringBuilder();
                reader.lines().forEach(text::append);
                throw new IOException("HTTP " + response.statusCode() + ": " + text);
            }
            long firstContent = -1;
            int generated = 0;
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                if (!line.startsWith("data: ")) {
                    continue;
                }
                String data = line.substring(6);
                if (data.equals("[DONE]")) {
                    long ended = System.nanoTime();
                    // an empty answer shows nothing before its end
                    double ttft = ((firstContent < 0 ? ended : firstContent) - sent) / 1e6;
                    return new Timing(ttft, (ended - sent) / 1e6, generated);
                }
                JsonNode event = JSON.readTree(data);
                if (firstContent < 0 && !event.at("/choices/0/delta/content").asText("").isEmpty()) {
                    firstContent = System.nanoTime();
                }
                if (event.has("usage")) {
                    generated = event.at("/usage/completion_tokens").asInt();
                }
            }
            throw new IOException("the stream of '" + question + "' ended without [DONE]");
        }
    }

    private Path tokenizerDir() {
        return FetchedTokenizer.orFetched(tokenizer);
    }
}
