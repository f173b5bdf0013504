package io.kefu.server;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.function.IntSupplier;

/** Counters and histograms in the Prometheus text format (version 0.0.4). Thread-safe. */
final class Metrics {
    private static final double[] BUCKETS = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60};

    private final Map<String, AtomicLong> requests = new ConcurrentHashMap<>();
    private final Map<String, Histogram> latency = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> handoffs = new ConcurrentHashMap<>();
    private final AtomicLong generatedTokens = new AtomicLong();
    private final DoubleAdder generationSeconds = new DoubleAdder();
    private final IntSupplier queueDepth;
    private final IntSupplier running;

    Metrics(IntSupplier queueDepth, IntSupplier running) {
        this.queueDepth = queueDepth;
        this.running = running;
    }

    void request(String endpoint, int status, double seconds) {
        requests.computeIfAbsent("endpoint=\"" + endpoint + "\",status=\"" + status + "\"", k -> new AtomicLong()).incrementAndGet();
        latency.computeIfAbsent(endpoint, k -> new Histogram()).observe(seconds);
    }

    void generated(int tokens, double seconds) {
        generatedTokens.addAndGet(tokens);
        generationSeconds.add(seconds);
    }

    void handoff(String reason) {
        handoffs.computeIfAbsent(reason, k -> new AtomicLong()).incrementAndGet();
    }

    String render() {
        StringBuilder out = new StringBuilder();
        out.append("# HELP kefu_requests_total HTTP requests by endpoint and status.\n# TYPE kefu_requests_total counter\n");
        new TreeMap<>(requests).forEach((labels, n) -> out.append("kefu_requests_total{").append(labels).append("} ").append(n.get()).append('\n'));
        out.append("# HELP kefu_request_duration_seconds Request latency by endpoint.\n# TYPE kefu_request_duration_seconds histogram\n");
        new TreeMap<>(latency).forEach((endpoint, h) -> h.render(out, "kefu_request_duration_seconds", "endpoint=\"" + endpoint + "\""));
        out.append("# HELP kefu_generated_tokens_total Tokens generated.\n# TYPE kefu_generated_tokens_total counter\n")
                .append("kefu_generated_tokens_total ").append(generatedTokens.get()).append('\n');
        out.append("# HELP kefu_generation_seconds_total Time spent generating.\n# TYPE kefu_generation_seconds_total counter\n")
                .append("kefu_generation_seconds_total ").append(fmt(generationSeconds.sum())).append('\n');
        double seconds = generationSeconds.sum();
        out.append("# HELP kefu_tokens_per_second Generated tokens per second of generation time since start.\n# TYPE kefu_tokens_per_second gauge\n")
                .append("kefu_tokens_per_second ").append(fmt(seconds > 0 ? generatedTokens.get() / seconds : 0)).append('\n');
        out.append("# HELP kefu_queue_depth Requests waiting for the model.\n# TYPE kefu_queue_depth gauge\n")
                .append("kefu_queue_depth ").append(queueDepth.getAsInt()).append('\n');
        out.append("# HELP kefu_generations_running Requests being generated now.\n# TYPE kefu_generations_running gauge\n")
                .append("kefu_generations_running ").append(running.getAsInt()).append('\n');
        out.append("# HELP kefu_handoffs_total Conversations handed to a person, by reason.\n# TYPE kefu_handoffs_total counter\n");
        new TreeMap<>(handoffs).forEach((reason, n) -> out.append("kefu_handoffs_total{reason=\"").append(reason).append("\"} ").append(n.get()).append('\n'));
        return out.toString();
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.6f", v);
    }

    private static final class Histogram {
        private final AtomicLong[] counts = new AtomicLong[BUCKETS.length];
        private final AtomicLong count = new AtomicLong();
        private final DoubleAdder sum = new DoubleAdder();

        Histogram() {
            for (int i = 0; i < counts.length; i++) {
                counts[i] = new AtomicLong();
            }
        }

        void observe(double seconds) {
            for (int i = 0; i < BUCKETS.length; i++) {
                if (seconds <= BUCKETS[i]) {
                    counts[i].incrementAndGet();
                }
            }
            count.incrementAndGet();
            sum.add(seconds);
        }

        void render(StringBuilder out, String name, String labels) {
            for (int i = 0; i < BUCKETS.length; i++) {
                out.append(name).append("_bucket{").append(labels).append(",le=\"").append(BUCKETS[i]).append("\"} ")
                        .append(counts[i].get()).append('\n');
            }
            out.append(name).append("_bucket{").append(labels).append(",le=\"+Inf\"} ").append(count.get()).append('\n');
            out.append(name).append("_sum{").append(labels).append("} ").append(fmt(sum.sum())).append('\n');
            out.append(name).append("_count{").append(labels).append("} ").append(count.get()).append('\n');
        }
    }
}
