package io.kefu.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatChunk;
import io.kefu.chat.ChatRequest;
import io.kefu.chat.ChatResponse;
import io.kefu.chat.ChatStream;
import io.kefu.chat.FinishReason;
import io.kefu.chat.TokenLogprob;
import io.kefu.server.ServedModels.ServedModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The OpenAI-compatible API: {@code GET /v1/models} and {@code POST /v1/chat/completions}, whole or streamed as
 * server-sent events; {@code model} picks the base or an adapter, as vLLM does. Answers pass the compliance guard.
 */
final class OpenAiRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(OpenAiRoutes.class);
    private static final String COMPLETIONS = "/v1/chat/completions";
    /** Cancels streams that reach the request timeout, also while the model sends nothing. */
    private static final ScheduledExecutorService DEADLINES = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "kefu-stream-deadline");
        t.setDaemon(true);
        return t;
    });

    private final ServedModels models;
    private final String baseId;
    private final String defaultModel;
    private final Duration requestTimeout;
    private final JsonExchange exchange;
    private final Metrics metrics;

    /**
     * @param baseId the base model's id, the {@code root} of every model listed
     * @param defaultModel the model that answers requests that name none
     */
    OpenAiRoutes(ServedModels models, String baseId, String defaultModel, Duration requestTimeout, JsonExchange exchange, Metrics metrics) {
        this.models = models;
        this.baseId = baseId;
        this.defaultModel = defaultModel;
        this.requestTimeout = requestTimeout;
        this.exchange = exchange;
        this.metrics = metrics;
    }

    void models(Context ctx) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("object", "list");
        ArrayNode data = out.putArray("data");
        for (ServedModel served : models.all()) {
            ObjectNode m = data.addObject();
            m.put("id", served.name());
            m.put("object", "model");
            m.put("created", 0);
            m.put("owned_by", "kefu");
            m.put("root", baseId);
            if (served.isAdapter()) {
                m.put("parent", baseId);
            } else {
                m.putNull("parent");
            }
        }
        exchange.send(ctx, 200, out, "/v1/models");
    }

    void completions(Context ctx) throws IOException {
        JsonNode body = exchange.readObject(ctx);
        String modelName = Json.optionalText(body, "model");
        ServedModel served = models.get(modelName == null ? defaultModel : modelName);
        if (served == null) {
            throw new ApiException(404, "not_found", "model", "model: '" + modelName + "' is not served here; available: "
                    + String.join(", ", models.names()));
        }
        ChatRequest request = OpenAiRequests.parse(body, served.engineAdapter());
        boolean stream = Json.optionalBoolean(body, "stream");
        JsonNode streamOptions = body.get("stream_options");
        boolean includeUsage = streamOptions != null && streamOptions.path("include_usage").asBoolean(false);
        String id = "chatcmpl-" + UUID.randomUUID().toString().replace("-", "");
        long created = System.currentTimeMillis() / 1000;
        if (stream) {
            streamCompletion(ctx, served, request, id, created, includeUsage);
        } else {
            wholeCompletion(ctx, served, request, id, created);
        }
    }

    private void wholeCompletion(Context ctx, ServedModel served, ChatRequest request, String id, long created) {
        ChatResponse response;
        try (ClientWatch client = ClientWatch.start(ctx)) {
            response = served.compliant().chat(request);
        }
        countTokens(response);
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("id", id);
        out.put("object", "chat.completion");
        out.put("created", created);
        out.put("model", served.name());
        ObjectNode choice = out.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        message.put("content", response.text());
        if (request.parameters().logprobs()) {
            writeLogprobs(choice.putObject("logprobs"), response.logprobs());
        } else {
            choice.putNull("logprobs");
        }
        choice.put("finish_reason", finishReason(response.finishReason()));
        usage(out.putObject("usage"), response);
        exchange.send(ctx, 200, out, COMPLETIONS);
    }

    /**
     * Streams the answer as server-sent events. Once the headers are sent, a failure can no longer change the status:
     * the stream then ends with an error event in OpenAI's shape ({@code data: {"error": {...}}}) and
     * {@code data: [DONE]}. A stream past the request timeout is cancelled and ends the same way, with an error of
     * type {@code timeout} (code 504) instead of a {@code finish_reason} chunk, so a client never takes a cut answer
     * for a whole one.
     */
    private void streamCompletion(Context ctx, ServedModel served, ChatRequest request, String id, long created, boolean includeUsage)
            throws IOException {
        long deadline = System.nanoTime() + requestTimeout.toNanos();
        // waits for a place in the model's batch; a full queue or a timeout here is still answered as a JSON error
        try (ChatStream stream = served.compliant().stream(request)) {
            AtomicBoolean timedOut = new AtomicBoolean();
            ScheduledFuture<?> timer = DEADLINES.schedule(() -> {
                timedOut.set(true);
                stream.cancel();
            }, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            try {
                Iterator<ChatChunk> chunks = stream.iterator();
                ctx.res().setStatus(200);
                ctx.res().setContentType("text/event-stream; charset=utf-8");
                ctx.res().setHeader("Cache-Control", "no-cache");
                OutputStream out = ctx.res().getOutputStream();
                ObjectNode first = chunk(id, created, served.name());
                first.withArray("choices").addObject().put("index", 0).putNull("finish_reason")
                        .putObject("delta").put("role", "assistant").put("content", "");
                sse(out, first);
                int status = 200;
                try {
                    while (chunks.hasNext()) {
                        ChatChunk piece = chunks.next();
                        if (timedOut.get() || System.nanoTime() > deadline) {
                            timedOut.set(true);
                            stream.cancel();
                            break;
                        }
                        if (piece.text().isEmpty()) {
                            continue;
                        }
                        ObjectNode c = chunk(id, created, served.name());
                        c.withArray("choices").addObject().put("index", 0).putNull("finish_reason").putObject("delta")
                                .put("content", piece.text());
                        sse(out, c);
                    }
                    if (timedOut.get()) {
                        throw new KefuException(ErrorCode.TIMEOUT, "stream cut at the request timeout");
                    }
                    ChatResponse response = stream.response();
                    countTokens(response);
                    ObjectNode last = chunk(id, created, served.name());
                    last.withArray("choices").addObject().put("index", 0).put("finish_reason", finishReason(response.finishReason()))
                            .putObject("delta");
                    sse(out, last);
                    if (includeUsage) {
                        ObjectNode u = chunk(id, created, served.name());
                        u.putArray("choices");
                        usage(u.putObject("usage"), response);
                        sse(out, u);
                    }
                } catch (RuntimeException e) {
                    stream.cancel();
                    ApiException error = ErrorResponses.answer(e, ctx);
                    status = error.status;
                    sse(out, ErrorResponses.body(error));
                }
                out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
                exchange.record(ctx, status, COMPLETIONS);
            } catch (IOException e) {
                // the client went away: stop generating for it
                stream.cancel();
                exchange.record(ctx, ErrorResponses.CLIENT_CLOSED, COMPLETIONS);
                LOG.debug("client of {} disconnected mid-stream; generation cancelled", id);
            } finally {
                timer.cancel(false);
            }
        }
    }

    private void countTokens(ChatResponse response) {
        metrics.generated(response.usage().completionTokens(), response.latency().toNanos() / 1e9);
    }

    private static String finishReason(FinishReason reason) {
        return reason == FinishReason.LENGTH ? "length" : "stop";
    }

    private static void usage(ObjectNode node, ChatResponse response) {
        node.put("prompt_tokens", response.usage().promptTokens());
        node.put("completion_tokens", response.usage().completionTokens());
        node.put("total_tokens", response.usage().totalTokens());
    }

    private static void writeLogprobs(ObjectNode node, List<TokenLogprob> logprobs) {
        ArrayNode content = node.putArray("content");
        for (TokenLogprob lp : logprobs) {
            content.addObject().put("token", lp.token()).put("logprob", lp.logprob()).putArray("top_logprobs");
        }
    }

    private static ObjectNode chunk(String id, long created, String model) {
        ObjectNode c = Json.MAPPER.createObjectNode();
        c.put("id", id);
        c.put("object", "chat.completion.chunk");
        c.put("created", created);
        c.put("model", model);
        c.putArray("choices");
        return c;
    }

    private static void sse(OutputStream out, ObjectNode event) throws IOException {
        out.write(("data: " + Json.MAPPER.writeValueAsString(event) + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
