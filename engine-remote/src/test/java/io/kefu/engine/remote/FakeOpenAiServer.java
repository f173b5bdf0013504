package io.kefu.engine.remote;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OpenAI-compatible server on loopback for tests, with a tiny deterministic "model" and a script
 * of faults to inject into the next requests (error statuses with or without Retry-After, slow
 * answers, streams that stall, break off or never end).
 *
 * <p>The model: a question containing '?' is answered "Echo: question" and stops; any other message
 * is echoed word by word, over and over, until max_tokens (finish reason "length"). A token is a
 * word with its leading space. It honours stop sequences and reports usage (prompt tokens = words
 * in all messages) and, when asked, log-probabilities.
 */
final class FakeOpenAiServer implements AutoCloseable {
    /** One request as the server saw it. */
    record Received(long nanoTime, String method, String path, String authorization, JsonNode body) {
    }

    /** What to do with one request. */
    @FunctionalInterface
    interface Behaviour {
        void handle(FakeOpenAiServer server, HttpExchange exchange, JsonNode body) throws IOException;
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool();
    private final Deque<Behaviour> script = new ConcurrentLinkedDeque<>();
    private final List<Received> received = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();
    private volatile Duration tokenInterval = Duration.ofMillis(5);
    private volatile Duration answerDelay = Duration.ZERO;
    private volatile String modelsJson = "{\"object\":\"list\",\"data\":[{\"id\":\"shop-model\",\"object\":\"model\"}]}";

    /** Counts chunks an endless stream managed to write, and opens when the client went away. */
    final AtomicInteger endlessChunksWritten = new AtomicInteger();
    final CountDownLatch endlessStreamAbortedByClient = new CountDownLatch(1);

    FakeOpenAiServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(executor);
        server.createContext("/v1/chat/completions", this::dispatch);
        server.createContext("/v1/models", this::dispatch);
        server.start();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/v1";
    }

    /** Queues behaviours for the next requests, in order; requests beyond the script get the model. */
    FakeOpenAiServer then(Behaviour... behaviours) {
        script.addAll(Arrays.asList(behaviours));
        return this;
    }

    FakeOpenAiServer tokenInterval(Duration value) {
        tokenInterval = value;
        return this;
    }

    /** Every model answer waits this long before its headers (to observe parallelism). */
    FakeOpenAiServer answerDelay(Duration value) {
        answerDelay = value;
        return this;
    }

    FakeOpenAiServer modelsJson(String value) {
        modelsJson = value;
        return this;
    }

    List<Received> received() {
        synchronized (received) {
            return List.copyOf(received);
        }
    }

    int maxInFlight() {
        return maxInFlight.get();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void dispatch(HttpExchange exchange) throws IOException {
        int now = inFlight.incrementAndGet();
        maxInFlight.accumulateAndGet(now, Math::max);
        try (exchange) {
            byte[] bytes = exchange.getRequestBody().readAllBytes();
            JsonNode body = bytes.length == 0 ? JSON.createObjectNode() : JSON.readTree(bytes);
            received.add(new Received(System.nanoTime(), exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                    exchange.getRequestHeaders().getFirst("Authorization"), body));
            if (exchange.getRequestURI().getPath().endsWith("/models")) {
                sendJson(exchange, 200, modelsJson, Map.of());
                return;
            }
            Behaviour next = script.poll();
            (next == null ? model() : next).handle(this, exchange, body);
        } catch (IOException clientWentAway) {
            // the client closed the connection; nothing more to send
        } finally {
            inFlight.decrementAndGet();
        }
    }

    // ---- behaviours ----

    /** The deterministic model described in the class javadoc. */
    static Behaviour model() {
        return (server, exchange, body) -> server.answer(exchange, body);
    }

    /** An error status with an OpenAI-style error body and the given extra headers. */
    static Behaviour status(int status, String message, Map<String, String> headers) {
        return (server, exchange, body) -> {
            ObjectNode error = JSON.createObjectNode();
            error.putObject("error").put("message", message).put("type", "test_error").put("code", status);
            sendJson(exchange, status, error.toString(), headers);
        };
    }

    static Behaviour status(int status, String message) {
        return status(status, message, Map.of());
    }

    /** Waits before answering as the model would. */
    static Behaviour slow(Duration delay) {
        return (server, exchange, body) -> {
            sleep(delay);
            server.answer(exchange, body);
        };
    }

    /** Sends a stream's first events, then ends the response without [DONE]. */
    static Behaviour cutOffAfter(int events) {
        return (server, exchange, body) -> {
            OutputStream out = startStream(exchange);
            for (int i = 0; i < events; i++) {
                writeEvent(out, chunk(body, " piece" + i, null, false).toString());
            }
        };
    }

    /** Sends one event, then an OpenAI-style error event (as vLLM does when generation fails). */
    static Behaviour errorEventAfterFirst(String message) {
        return (server, exchange, body) -> {
            OutputStream out = startStream(exchange);
            writeEvent(out, chunk(body, "Hello", null, false).toString());
            ObjectNode error = JSON.createObjectNode();
            error.putObject("error").put("message", message).put("type", "InternalServerError").put("code", 500);
            writeEvent(out, error.toString());
            writeEvent(out, "[DONE]");
        };
    }

    /** Sends one event, then stays silent for {@code silence} before finishing normally. */
    static Behaviour stallAfterFirstEvent(Duration silence) {
        return (server, exchange, body) -> {
            OutputStream out = startStream(exchange);
            writeEvent(out, chunk(body, "Hello", null, false).toString());
            sleep(silence);
            writeEvent(out, chunk(body, " again", "stop", false).toString());
            writeEvent(out, "[DONE]");
        };
    }

    /** Streams a token every {@code interval} for up to {@code maxChunks}, counting what it wrote. */
    static Behaviour endlessStream(Duration interval, int maxChunks) {
        return (server, exchange, body) -> {
            OutputStream out = startStream(exchange);
            try {
                for (int i = 0; i < maxChunks; i++) {
                    writeEvent(out, chunk(body, " more", null, false).toString());
                    server.endlessChunksWritten.incrementAndGet();
                    sleep(interval);
                }
                writeEvent(out, "[DONE]");
            } catch (IOException clientWentAway) {
                server.endlessStreamAbortedByClient.countDown();
                throw clientWentAway;
            }
        };
    }

    // ---- the model ----

    private void answer(HttpExchange exchange, JsonNode body) throws IOException {
        sleep(answerDelay);
        List<String> tokens = new ArrayList<>();
        String finish = generate(body, tokens);
        String text = String.join("", tokens);
        int promptTokens = 0;
        for (JsonNode m : body.path("messages")) {
            promptTokens += words(m.path("content").asText()).length;
        }
        boolean logprobs = body.path("logprobs").asBoolean(false);
        if (body.path("stream").asBoolean(false)) {
            OutputStream out = startStream(exchange);
            for (int i = 0; i < tokens.size(); i++) {
                String reason = i == tokens.size() - 1 ? finish : null;
                writeEvent(out, chunk(body, tokens.get(i), reason, logprobs).toString());
                sleep(tokenInterval);
            }
            if (tokens.isEmpty()) {
                writeEvent(out, chunk(body, "", finish, false).toString());
            }
            if (body.path("stream_options").path("include_usage").asBoolean(false)) {
                ObjectNode last = JSON.createObjectNode().put("id", "chatcmpl-test").put("object", "chat.completion.chunk")
                        .put("model", body.path("model").asText());
                last.putArray("choices");
                last.set("usage", usage(promptTokens, tokens.size()));
                writeEvent(out, last.toString());
            }
            writeEvent(out, "[DONE]");
            return;
        }
        ObjectNode root = JSON.createObjectNode().put("id", "chatcmpl-test").put("object", "chat.completion")
                .put("model", body.path("model").asText());
        ObjectNode choice = root.putArray("choices").addObject().put("index", 0).put("finish_reason", finish);
        choice.putObject("message").put("role", "assistant").put("content", text);
        if (logprobs) {
            choice.set("logprobs", logprobs(tokens, 0));
        }
        root.set("usage", usage(promptTokens, tokens.size()));
        sendJson(exchange, 200, root.toString(), Map.of());
    }

    /** Fills {@code tokens} and returns the finish reason. */
    private static String generate(JsonNode body, List<String> tokens) {
        JsonNode messages = body.path("messages");
        String question = messages.path(messages.size() - 1).path("content").asText();
        int maxTokens = body.path("max_tokens").asInt(16);
        List<String> stops = new ArrayList<>();
        body.path("stop").forEach(s -> stops.add(s.asText()));
        boolean loops = !question.contains("?");
        String[] words = words(loops ? question : "Echo: " + question);
        if (words.length == 0) {
            return "stop";
        }
        String finish = "stop";
        StringBuilder text = new StringBuilder();
        for (int i = 0; loops || i < words.length; i++) {
            if (tokens.size() == maxTokens) {
                finish = "length";
                break;
            }
            String token = (i == 0 ? "" : " ") + words[i % words.length];
            String candidate = text + token;
            int cut = firstStop(candidate, stops);
            if (cut >= 0) {
                String rest = candidate.substring(text.length(), cut);
                if (!rest.isEmpty()) {
                    tokens.add(rest);
                }
                return "stop";
            }
            tokens.add(token);
            text.append(token);
        }
        return finish;
    }

    private static int firstStop(String text, List<String> stops) {
        int best = -1;
        for (String stop : stops) {
            int at = text.indexOf(stop);
            if (at >= 0 && (best < 0 || at < best)) {
                best = at;
            }
        }
        return best;
    }

    private static String[] words(String text) {
        String stripped = text.strip();
        return stripped.isEmpty() ? new String[0] : stripped.split("\\s+");
    }

    private static ObjectNode chunk(JsonNode request, String text, String finishReason, boolean logprobs) {
        ObjectNode root = JSON.createObjectNode().put("id", "chatcmpl-test").put("object", "chat.completion.chunk")
                .put("model", request.path("model").asText());
        ObjectNode choice = root.putArray("choices").addObject().put("index", 0);
        choice.putObject("delta").put("content", text);
        if (finishReason == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finishReason);
        }
        if (logprobs && !text.isEmpty()) {
            choice.set("logprobs", logprobs(List.of(text), text.length()));
        }
        return root;
    }

    private static ObjectNode logprobs(List<String> tokens, int salt) {
        ObjectNode node = JSON.createObjectNode();
        ArrayNode content = node.putArray("content");
        for (int i = 0; i < tokens.size(); i++) {
            content.addObject().put("token", tokens.get(i)).put("logprob", -0.25 * ((i + salt) % 4 + 1));
        }
        return node;
    }

    private static ObjectNode usage(int prompt, int completion) {
        return JSON.createObjectNode().put("prompt_tokens", prompt).put("completion_tokens", completion)
                .put("total_tokens", prompt + completion);
    }

    // ---- HTTP plumbing ----

    private static OutputStream startStream(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        return exchange.getResponseBody();
    }

    private static void writeEvent(OutputStream out, String data) throws IOException {
        out.write(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void sendJson(HttpExchange exchange, int status, String json, Map<String, String> headers) throws IOException {
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        headers.forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        exchange.sendResponseHeaders(status, bytes.length);
        exchange.getResponseBody().write(bytes);
    }

    private static void sleep(Duration duration) {
        if (duration.isZero()) {
            return;
        }
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
