package io.kefu.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatChunk;
import io.kefu.chat.ChatMessage;
import io.kefu.chat.ChatModel;
import io.kefu.chat.ChatRequest;
import io.kefu.chat.ChatResponse;
import io.kefu.chat.ChatStream;
import io.kefu.chat.FinishReason;
import io.kefu.chat.GenerationParameters;
import io.kefu.chat.Role;
import io.kefu.eval.ab.ArmAssigner;
import io.kefu.shop.checks.BusinessChecks;
import io.kefu.shop.policy.CompliancePolicy;
import io.kefu.shop.policy.GuardedAnswer;
import io.kefu.shop.policy.Handoff;
import io.kefu.shop.policy.HandoffSink;
import io.kefu.shop.policy.Policies;
import io.kefu.shop.policy.PolicyChatModel;
import io.kefu.shop.FactsRenderer;
import io.kefu.shop.ProductFacts;
import io.kefu.shop.ShopCatalog;
import io.kefu.shop.ShopPrompt;
import io.kefu.server.ModelRoutes.Route;
import io.kefu.server.store.ConversationStore;
import io.kefu.server.store.Database;
import io.kefu.server.store.ShopStore;
import io.kefu.server.store.StoreUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * The HTTP server: {@code POST /chat} (the shop's customer service, with live facts from the store and the
 * conversation policies), {@code POST /v1/chat/completions} and {@code GET /v1/models}
 * (OpenAI-compatible; {@code model} picks the base or an adapter, as vLLM does), {@code GET /health},
 * {@code GET /metrics} (Prometheus) and {@code POST /events} (A/B conversions); with
 * {@link ServerConfig.Builder#runtimeAdapters(AdapterLoader)}, {@code POST /v1/load_lora_adapter} and
 * {@code POST /v1/unload_lora_adapter} (vLLM's). Model calls pass {@link AdmissionControl} and run
 * concurrently, so engines that batch continuously decode them together. Stateless apart from the
 * store, so instances can share one PostgreSQL behind a load balancer.
 *
 * <p>Start with {@link #start(ServerConfig)}; {@link #close()} stops taking requests, lets those
 * in flight finish (up to the drain timeout), then stops.
 */
public final class KefuServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KefuServer.class);
    private static final Pattern SESSION_ID = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");
    private static final Pattern ADAPTER_NAME = Pattern.compile("[A-Za-z0-9_.:/-]{1,128}");
    private static final Set<String> EVENTS = Set.of("conversion", "order", "purchase", "view", "exposure");
    private static final String NO_EXPERIMENT = "none";
    private static final String SINGLE_ARM = "model";

    private final ServerConfig config;
    private final Database db;
    private final ShopStore shop;
    private final ConversationStore conversations;
    private final AdmissionControl admission;
    private final Metrics metrics;
    private final ModelRoutes routes = new ModelRoutes();
    private final String defaultRoute;
    private final Map<String, PolicyChatModel> guardedArms = new LinkedHashMap<>();
    private final ArmAssigner assigner;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Javalin app;

    private KefuServer(ServerConfig config) {
        this.config = config;
        this.db = Database.open(config.storeUrl());
        this.shop = new ShopStore(db);
        if (config.shopFolder().isPresent() && shop.loadIfEmpty(ShopCatalog.load(config.shopFolder().get()))) {
            LOG.info("loaded the shop from {} into {}", config.shopFolder().get(), db.redacted());
        }
        this.conversations = new ConversationStore(db);
        this.admission = new AdmissionControl(config.queueCapacity(), config.maxBatch(), config.requestTimeout());
        this.metrics = new Metrics(admission::depth, admission::running);
        AdmissionControl.Admitted base = admission.admit(config.baseModel());
        routes.add(new Route(base.info().id(), base, null, new CompliancePolicy(base), null));
        config.adapterModel().ifPresent(raw -> {
            AdmissionControl.Admitted m = admission.admit(raw);
            List<String> engineNames = m.info().adapters();
            for (int i = 0; i < engineNames.size(); i++) {
                String name = config.adapterNames().get(i);
                routes.add(new Route(name, m, engineNames.get(i), new CompliancePolicy(m), null));
            }
        });
        this.defaultRoute = config.adapterNames().isEmpty() ? base.info().id() : config.adapterNames().get(0);
        BusinessChecks checks = BusinessChecks.defaults();
        HandoffSink sink = this::recordHandoff;
        if (config.experiment().isPresent()) {
            Map<String, Double> split = new LinkedHashMap<>();
            config.arms().forEach((arm, model) -> {
                split.put(arm, 1.0);
                guardedArms.put(arm, Policies.standard(admission.admit(model), checks, sink, config.minMeanLogprob()));
            });
            this.assigner = new ArmAssigner(config.experiment().get(), split);
        } else {
            guardedArms.put(SINGLE_ARM, Policies.standard(routes.get(defaultRoute).model(), checks, sink, config.minMeanLogprob()));
            this.assigner = null;
        }
        this.app = Javalin.create(c -> {
            c.startup.showJavalinBanner = false;
            c.http.maxRequestSize = config.maxBodyBytes();
            c.routes.before(this::before);
            c.routes.after(ctx -> {
                if (ctx.attribute("counted") != null) {
                    inFlight.decrementAndGet();
                }
            });
            c.routes.get("/health", this::health);
            c.routes.get("/metrics", this::metrics);
            c.routes.get("/v1/models", this::models);
            c.routes.post("/v1/chat/completions", this::completions);
            c.routes.post("/chat", this::chat);
            c.routes.post("/events", this::events);
            if (config.adapterLoader().isPresent()) {
                c.routes.post("/v1/load_lora_adapter", this::loadAdapter);
                c.routes.post("/v1/unload_lora_adapter", this::unloadAdapter);
            }
            c.routes.exception(Exception.class, this::error);
            c.routes.error(404, "*", ctx -> {
                if (ctx.attribute("apiError") == null) {
                    writeError(ctx, new ApiException(404, "not_found", null, ctx.method() + " " + ctx.path() + ": no such endpoint"));
                }
            });
        });
    }

    /**
     * Opens the store (migrating it and loading the shop folder into an empty one) and starts listening.
     *
     * @throws KefuException when the store cannot be opened or the port cannot be bound
     */
    public static KefuServer start(ServerConfig config) {
        KefuServer server = new KefuServer(config);
        try {
            server.app.start(config.bind(), config.port());
        } catch (RuntimeException e) {
            server.admission.close();
            throw new KefuException(ErrorCode.IO, "cannot listen on " + config.bind() + ":" + config.port() + ": " + e.getMessage(), e);
        }
        LOG.info("kefu server listening on http://{}:{} (models: {})", config.bind(), server.port(), server.routes.names());
        return server;
    }

    /** @return the port it listens on */
    public int port() {
        return app.port();
    }

    /** @return the store's conversation tables (sessions, hand-off queue, A/B log) */
    public ConversationStore conversations() {
        return conversations;
    }

    /** @return the store's shop tables */
    public ShopStore shop() {
        return shop;
    }

    // ---------------------------------------------------------------- handlers

    private void before(Context ctx) {
        ctx.attribute("start", System.nanoTime());
        inFlight.incrementAndGet();
        ctx.attribute("counted", Boolean.TRUE);
        if (ctx.path().equals("/health")) {
            return;
        }
        if (config.apiKey().isPresent()) {
            String header = ctx.header("Authorization");
            String given = header != null && header.startsWith("Bearer ") ? header.substring(7).trim() : "";
            if (!MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8), config.apiKey().get().getBytes(StandardCharsets.UTF_8))) {
                throw new ApiException(401, "authentication_error", null, "Authorization: a valid 'Bearer <api key>' header is required");
            }
        }
        if (draining.get() && !ctx.path().equals("/metrics")) {
            throw new ApiException(503, "unavailable", null, "the server is shutting down");
        }
    }

    private void health(Context ctx) {
        boolean store = db.healthy();
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("status", store && !draining.get() ? "ok" : "unavailable");
        out.put("store", store ? "ok" : "unavailable");
        out.put("queueDepth", admission.depth());
        send(ctx, store && !draining.get() ? 200 : 503, out, "/health");
    }

    private void metrics(Context ctx) {
        ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.render());
    }

    private void models(Context ctx) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("object", "list");
        ArrayNode data = out.putArray("data");
        String baseId = config.baseModel().info().id();
        for (Route route : routes.all()) {
            ObjectNode m = data.addObject();
            m.put("id", route.name());
            m.put("object", "model");
            m.put("created", 0);
            m.put("owned_by", "kefu");
            m.put("root", baseId);
            if (route.isAdapter()) {
                m.put("parent", baseId);
            } else {
                m.putNull("parent");
            }
        }
        send(ctx, 200, out, "/v1/models");
    }

    private void chat(Context ctx) {
        JsonNode body = Json.parse(readBody(ctx));
        String question = Json.requiredText(body, "question");
        if (question.length() > 2000) {
            throw ApiException.badField("question", "is longer than 2000 characters");
        }
        String productId = Json.optionalText(body, "productId");
        String sessionId = Json.optionalText(body, "sessionId");
        if (sessionId == null) {
            sessionId = UUID.randomUUID().toString();
        } else if (!SESSION_ID.matcher(sessionId).matches()) {
            throw ApiException.badField("sessionId", "must be 1-64 characters of letters, digits, '_', '-', '.', ':'");
        }
        long start = System.nanoTime();
        ProductFacts facts;
        try {
            facts = shop.facts(Optional.ofNullable(productId), LocalDate.now());
        } catch (KefuException e) {
            if (e.code() == ErrorCode.NOT_FOUND && productId != null) {
                throw new ApiException(404, "not_found", "productId", e.getMessage());
            }
            throw e;
        }
        String arm = assigner == null ? SINGLE_ARM : assigner.assign(sessionId);
        String experiment = config.experiment().orElse(NO_EXPERIMENT);
        conversations.ensureSession(sessionId, assigner == null ? null : arm);
        if (assigner != null) {
            arm = conversations.assignArm(sessionId, experiment, arm);
        }
        List<ConversationStore.Turn> history = conversations.history(sessionId, config.historyTurns());
        String factsText = FactsRenderer.render(facts);
        List<ChatMessage> messages = new ArrayList<>();
        messages.add(ChatMessage.system(ShopPrompt.persona(facts.shopName())));
        for (ConversationStore.Turn turn : history) {
            messages.add(ChatMessage.user(turn.question()));
            messages.add(ChatMessage.assistant(turn.answer()));
        }
        messages.add(ChatMessage.user(ShopPrompt.userMessage(question, factsText)));
        int failures = 0;
        for (int i = history.size() - 1; i >= 0 && history.get(i).fallback(); i--) {
            failures++;
        }
        ChatRequest request = ChatRequest.builder().messages(messages)
                .metadata(PolicyChatModel.SESSION_ID, sessionId)
                .metadata(PolicyChatModel.RECENT_FAILURES, String.valueOf(failures)).build();
        PolicyChatModel model = guardedArms.get(arm);
        GuardedAnswer answer = model.answer(request);
        countTokens(answer.response());
        long latencyMs = (System.nanoTime() - start) / 1_000_000;
        String reason = answer.handoff() ? answer.reason().wireName() : null;
        conversations.addTurn(sessionId, productId, new ConversationStore.Turn(question, answer.response().text(), answer.handoff(),
                answer.fallback()), reason, latencyMs, assigner == null ? null : arm);
        conversations.logEvent(sessionId, experiment, arm, "chat", null);
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("answer", answer.response().text());
        out.put("handoff", answer.handoff());
        if (reason != null) {
            out.put("reason", reason);
        }
        ArrayNode factLines = out.putArray("facts");
        for (String line : factsText.split("\n")) {
            if (!line.equals(FactsRenderer.HEADER)) {
                factLines.add(line);
            }
        }
        out.put("sessionId", sessionId);
        if (assigner != null) {
            out.put("arm", arm);
        }
        out.put("latencyMs", latencyMs);
        send(ctx, 200, out, "/chat");
    }

    private void events(Context ctx) {
        JsonNode body = Json.parse(readBody(ctx));
        String sessionId = Json.requiredText(body, "sessionId");
        if (!SESSION_ID.matcher(sessionId).matches()) {
            throw ApiException.badField("sessionId", "must be 1-64 characters of letters, digits, '_', '-', '.', ':'");
        }
        String event = Json.requiredText(body, "event");
        if (!EVENTS.contains(event)) {
            throw ApiException.badField("event", "must be one of " + new java.util.TreeSet<>(EVENTS) + ", got '" + event + "'");
        }
        Double amount = Json.optionalNumber(body, "amount", 0, 1e9);
        String experiment = config.experiment().orElse(NO_EXPERIMENT);
        String arm = assigner == null ? SINGLE_ARM : conversations.assignArm(sessionId, experiment, assigner.assign(sessionId));
        conversations.logEvent(sessionId, experiment, arm, event, amount == null ? null : java.math.BigDecimal.valueOf(amount));
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("sessionId", sessionId);
        out.put("experiment", experiment);
        out.put("arm", arm);
        out.put("event", event);
        send(ctx, 200, out, "/events");
    }

    /** {@code POST /v1/load_lora_adapter} {"lora_name", "lora_path"}: serves one more adapter under a new name. */
    private void loadAdapter(Context ctx) {
        JsonNode body = Json.parse(readBody(ctx));
        String name = Json.requiredText(body, "lora_name");
        if (!ADAPTER_NAME.matcher(name).matches()) {
            throw ApiException.badField("lora_name", "must be 1-128 characters of letters, digits, '_', '-', '.', ':', '/'");
        }
        String pathText = Json.requiredText(body, "lora_path");
        Path folder;
        try {
            folder = Path.of(pathText).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw ApiException.badField("lora_path", "'" + pathText + "' is not a valid path: " + e.getReason());
        }
        if (!Files.isDirectory(folder)) {
            throw ApiException.badField("lora_path", folder + " is not a folder (a PEFT adapter folder with adapter_config.json"
                    + " and adapter_model.safetensors)");
        }
        if (!routes.reserve(name)) {
            throw ApiException.badField("lora_name", "'" + name + "' is already served; unload it first or choose another name");
        }
        ChatModel raw;
        try {
            raw = config.adapterLoader().orElseThrow().load(name, folder);
        } catch (KefuException e) {
            routes.unreserve(name);
            throw ApiException.badField("lora_path", "cannot load the adapter in " + folder + ": " + e.getMessage());
        } catch (RuntimeException e) {
            routes.unreserve(name);
            throw e;
        }
        List<String> engineNames = raw.info().adapters();
        AdmissionControl.Admitted model = admission.admit(raw);
        routes.add(new Route(name, model, engineNames.isEmpty() ? null : engineNames.get(0), new CompliancePolicy(model), raw));
        LOG.info("loaded adapter '{}' from {}", name, folder);
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("lora_name", name);
        out.put("lora_path", folder.toString());
        out.put("status", "loaded");
        send(ctx, 200, out, "/v1/load_lora_adapter");
    }

    /**
     * {@code POST /v1/unload_lora_adapter} {"lora_name"}: stops serving an adapter loaded at run time.
     * Requests already running or waiting on it finish; then its model is closed.
     */
    private void unloadAdapter(Context ctx) {
        JsonNode body = Json.parse(readBody(ctx));
        String name = Json.requiredText(body, "lora_name");
        Route route = routes.get(name);
        if (route == null) {
            throw new ApiException(404, "not_found", "lora_name", "lora_name: no adapter named '" + name + "' is served; served: "
                    + String.join(", ", routes.names()));
        }
        if (route.loadedAtRunTime() == null) {
            throw ApiException.badField("lora_name", "'" + name + "' is served from the start (the base model or --adapter);"
                    + " only adapters loaded with /v1/load_lora_adapter can be unloaded");
        }
        if (routes.remove(name) != route) {
            throw new ApiException(404, "not_found", "lora_name", "lora_name: '" + name + "' is being unloaded already");
        }
        route.model().retire(() -> closeQuietly(route.loadedAtRunTime(), name));
        LOG.info("unloaded adapter '{}'", name);
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("lora_name", name);
        out.put("status", "unloaded");
        send(ctx, 200, out, "/v1/unload_lora_adapter");
    }

    private static void closeQuietly(ChatModel model, String name) {
        try {
            model.close();
        } catch (RuntimeException e) {
            LOG.warn("closing the model of adapter '{}' failed: {}", name, e.toString());
        }
    }

    private void completions(Context ctx) throws IOException {
        JsonNode body = Json.parse(readBody(ctx));
        String modelName = Json.optionalText(body, "model");
        Route route = routes.get(modelName == null ? defaultRoute : modelName);
        if (route == null) {
            throw new ApiException(404, "not_found", "model", "model: '" + modelName + "' is not served here; available: "
                    + String.join(", ", routes.names()));
        }
        ChatRequest request = openAiRequest(body, route);
        boolean stream = Json.optionalBoolean(body, "stream");
        JsonNode streamOptions = body.get("stream_options");
        boolean includeUsage = streamOptions != null && streamOptions.path("include_usage").asBoolean(false);
        String id = "chatcmpl-" + UUID.randomUUID().toString().replace("-", "");
        long created = System.currentTimeMillis() / 1000;
        if (!stream) {
            ChatResponse response = route.compliant().chat(request);
            countTokens(response);
            ObjectNode out = Json.MAPPER.createObjectNode();
            out.put("id", id);
            out.put("object", "chat.completion");
            out.put("created", created);
            out.put("model", route.name());
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
            send(ctx, 200, out, "/v1/chat/completions");
            return;
        }
        streamCompletion(ctx, route, request, id, created, includeUsage);
    }

    private void streamCompletion(Context ctx, Route route, ChatRequest request, String id, long created, boolean includeUsage)
            throws IOException {
        long deadline = System.nanoTime() + config.requestTimeout().toNanos();
        // waits for a place in the model's batch; a full queue or a timeout here is still answered as a JSON error
        try (ChatStream stream = route.compliant().stream(request)) {
            java.util.Iterator<ChatChunk> chunks = stream.iterator();
            ctx.res().setStatus(200);
            ctx.res().setContentType("text/event-stream; charset=utf-8");
            ctx.res().setHeader("Cache-Control", "no-cache");
            OutputStream out = ctx.res().getOutputStream();
            try {
                ObjectNode first = chunk(id, created, route.name());
                first.withArray("choices").addObject().put("index", 0).putNull("finish_reason")
                        .putObject("delta").put("role", "assistant").put("content", "");
                sse(out, first);
                while (chunks.hasNext()) {
                    ChatChunk piece = chunks.next();
                    if (System.nanoTime() > deadline) {
                        stream.cancel();
                        break;
                    }
                    if (piece.text().isEmpty()) {
                        continue;
                    }
                    ObjectNode c = chunk(id, created, route.name());
                    c.withArray("choices").addObject().put("index", 0).putNull("finish_reason").putObject("delta").put("content", piece.text());
                    sse(out, c);
                }
                ChatResponse response = stream.response();
                countTokens(response);
                ObjectNode last = chunk(id, created, route.name());
                last.withArray("choices").addObject().put("index", 0).put("finish_reason", finishReason(response.finishReason()))
                        .putObject("delta");
                sse(out, last);
                if (includeUsage) {
                    ObjectNode u = chunk(id, created, route.name());
                    u.putArray("choices");
                    usage(u.putObject("usage"), response);
                    sse(out, u);
                }
                out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
                record(ctx, 200, "/v1/chat/completions");
            } catch (IOException e) {
                // the client went away: stop generating for it
                stream.cancel();
                countTokens(stream.response());
                record(ctx, 499, "/v1/chat/completions");
                LOG.debug("client of {} disconnected mid-stream; generation cancelled", id);
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    private ChatRequest openAiRequest(JsonNode body, Route route) {
        JsonNode messages = body.get("messages");
        if (messages == null || !messages.isArray() || messages.isEmpty()) {
            throw ApiException.badField("messages", "is required: a non-empty array of {role, content}");
        }
        List<ChatMessage> list = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            JsonNode m = messages.get(i);
            String field = "messages[" + i + "]";
            if (!m.isObject()) {
                throw ApiException.badField(field, "must be an object with role and content");
            }
            String role = m.path("role").asText("");
            Role r = switch (role) {
                case "system", "developer" -> Role.SYSTEM;
                case "user" -> Role.USER;
                case "assistant" -> Role.ASSISTANT;
                default -> throw ApiException.badField(field + ".role", "must be system, user or assistant, got '" + role + "'");
            };
            list.add(new ChatMessage(r, content(m.get("content"), field + ".content")));
        }
        if (list.get(list.size() - 1).role() == Role.ASSISTANT) {
            throw ApiException.badField("messages[" + (list.size() - 1) + "]", "the last message is the assistant's; there is nothing to answer");
        }
        GenerationParameters.Builder p = GenerationParameters.builder();
        Integer maxTokens = Json.optionalInt(body, "max_completion_tokens", 1, 32768);
        if (maxTokens == null) {
            maxTokens = Json.optionalInt(body, "max_tokens", 1, 32768);
        }
        if (maxTokens != null) {
            p.maxNewTokens(maxTokens);
        }
        Double temperature = Json.optionalNumber(body, "temperature", 0, 2);
        if (temperature != null) {
            p.temperature(temperature);
        }
        Double topP = Json.optionalNumber(body, "top_p", Double.MIN_VALUE, 1);
        if (topP != null) {
            p.topP(topP);
        }
        Integer seed = Json.optionalInt(body, "seed", Integer.MIN_VALUE, Integer.MAX_VALUE);
        if (seed != null) {
            p.seed(seed);
        }
        p.logprobs(Json.optionalBoolean(body, "logprobs"));
        JsonNode stop = body.get("stop");
        if (stop != null && !stop.isNull()) {
            List<String> stops = new ArrayList<>();
            if (stop.isTextual()) {
                stops.add(stop.asText());
            } else if (stop.isArray()) {
                stop.forEach(s -> stops.add(s.asText()));
            } else {
                throw ApiException.badField("stop", "must be a string or an array of strings");
            }
            if (stops.stream().anyMatch(String::isEmpty)) {
                throw ApiException.badField("stop", "must not contain an empty string");
            }
            p.stopSequences(stops);
        }
        return ChatRequest.builder().messages(list).parameters(p.build()).adapter(route.engineAdapter()).build();
    }

    private static String content(JsonNode content, String field) {
        if (content == null || content.isNull()) {
            throw ApiException.badField(field, "is required");
        }
        if (content.isTextual()) {
            return content.asText();
        }
        if (content.isArray()) {
            StringBuilder text = new StringBuilder();
            for (JsonNode part : content) {
                if (!"text".equals(part.path("type").asText())) {
                    throw ApiException.badField(field, "only text parts are supported, got '" + part.path("type").asText() + "'");
                }
                text.append(part.path("text").asText());
            }
            return text.toString();
        }
        throw ApiException.badField(field, "must be a string or an array of text parts");
    }

    private byte[] readBody(Context ctx) {
        long declared = ctx.req().getContentLengthLong();
        if (declared > config.maxBodyBytes()) {
            throw tooLarge(declared);
        }
        try (InputStream in = ctx.req().getInputStream()) {
            byte[] body = in.readNBytes(config.maxBodyBytes() + 1);
            if (body.length > config.maxBodyBytes()) {
                throw tooLarge(-1);
            }
            return body;
        } catch (IOException e) {
            throw new ApiException(400, "invalid_request_error", "body", "body: could not be read: " + e.getMessage());
        }
    }

    private ApiException tooLarge(long size) {
        return new ApiException(413, "request_too_large", "body", "body: " + (size > 0 ? size + " bytes is" : "is")
                + " over the limit of " + config.maxBodyBytes() + " bytes");
    }

    private void recordHandoff(Handoff handoff) {
        metrics.handoff(handoff.reason().wireName());
        conversations.handOff(handoff);
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

    private static void writeLogprobs(ObjectNode node, List<io.kefu.chat.TokenLogprob> logprobs) {
        ArrayNode content = node.putArray("content");
        for (io.kefu.chat.TokenLogprob lp : logprobs) {
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

    private void send(Context ctx, int status, ObjectNode body, String endpoint) {
        ctx.status(status).contentType("application/json; charset=utf-8").result(body.toString());
        record(ctx, status, endpoint);
    }

    private void record(Context ctx, int status, String endpoint) {
        Long start = ctx.attribute("start");
        metrics.request(endpoint, status, start == null ? 0 : (System.nanoTime() - start) / 1e9);
    }

    private void error(Exception e, Context ctx) {
        ApiException api = toApi(e);
        if (api.status >= 500) {
            LOG.warn("{} {} -> {}: {}", ctx.method(), ctx.path(), api.status, e.toString(), api.status == 500 ? e : null);
        }
        writeError(ctx, api);
        record(ctx, api.status, knownEndpoint(ctx.path()));
    }

    private static String knownEndpoint(String path) {
        return switch (path) {
            case "/chat", "/v1/chat/completions", "/v1/models", "/health", "/metrics", "/events", "/v1/load_lora_adapter",
                 "/v1/unload_lora_adapter" -> path;
            default -> "other";
        };
    }

    private static ApiException toApi(Exception e) {
        if (e instanceof ApiException api) {
            return api;
        }
        if (e instanceof StoreUnavailableException) {
            return new ApiException(503, "store_unavailable", null, "the shop database is unavailable; try again shortly");
        }
        if (e instanceof io.javalin.http.HttpResponseException h) {
            return new ApiException(h.getStatus(), h.getStatus() == 413 ? "request_too_large" : "invalid_request_error",
                    h.getStatus() == 413 ? "body" : null, h.getMessage());
        }
        if (e instanceof KefuException k) {
            return switch (k.code()) {
                case INVALID_REQUEST, INVALID_ARGUMENT -> new ApiException(400, "invalid_request_error", null, k.getMessage());
                case NOT_FOUND -> new ApiException(404, "not_found", null, k.getMessage());
                case RESOURCE_EXHAUSTED -> new ApiException(429, "rate_limit_exceeded", null, k.getMessage());
                case UNAUTHENTICATED -> new ApiException(401, "authentication_error", null, k.getMessage());
                case TIMEOUT -> new ApiException(504, "timeout", null, k.getMessage());
                case CLOSED, CANCELLED -> new ApiException(503, "unavailable", null, k.getMessage());
                case IO -> new ApiException(503, "unavailable", null, k.getMessage());
                default -> new ApiException(500, "internal_error", null, "internal error (" + k.code() + ")");
            };
        }
        return new ApiException(500, "internal_error", null, "internal error");
    }

    private static void writeError(Context ctx, ApiException e) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        ObjectNode error = out.putObject("error");
        error.put("message", e.getMessage());
        error.put("type", e.type);
        if (e.field != null) {
            error.put("param", e.field);
        } else {
            error.putNull("param");
        }
        error.put("code", e.status);
        if (e.status == 429) {
            ctx.header("Retry-After", "1");
        }
        ctx.attribute("apiError", Boolean.TRUE);
        ctx.status(e.status).contentType("application/json; charset=utf-8").result(out.toString());
    }

    /** Stops taking requests, waits for those in flight (up to the drain timeout), stops listening and closes the store. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        draining.set(true);
        boolean drained = admission.drain(config.drainTimeout());
        if (!drained) {
            LOG.warn("requests still running after {} s; stopping anyway", config.drainTimeout().toSeconds());
        }
        // handlers write their answers right after their job ends; give them a moment to finish
        long until = System.nanoTime() + 2_000_000_000L;
        while (inFlight.get() > 0 && System.nanoTime() < until) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        app.stop();
        admission.close();
        for (Route route : routes.all()) {
            if (route.loadedAtRunTime() != null) {
                closeQuietly(route.loadedAtRunTime(), route.name());
            }
        }
        db.close();
    }
}
