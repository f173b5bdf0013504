package io.kefu.server;

import io.javalin.Javalin;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatModel;
import io.kefu.server.ServedModels.ServedModel;
import io.kefu.server.assistant.ShopAssistant;
import io.kefu.server.store.ConversationStore;
import io.kefu.server.store.Database;
import io.kefu.server.store.ExperimentStore;
import io.kefu.server.store.HandoffQueue;
import io.kefu.server.store.HandoffStore;
import io.kefu.server.store.ShopStore;
import io.kefu.shop.FactsSource;
import io.kefu.shop.ShopCatalog;
import io.kefu.shop.policy.CompliancePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The HTTP server: {@code POST /chat} (the shop's customer service, with live facts from the store and the
 * conversation policies), {@code POST /v1/chat/completions} and {@code GET /v1/models}
 * (OpenAI-compatible; {@code model} picks the base or an adapter, as vLLM does), {@code GET /health},
 * {@code GET /metrics} (Prometheus), {@code POST /events} (A/B conversions), and the hand-off desk for staff
 * ({@link HandoffRoutes}, {@link DeskPage}); with
 * {@link ServerConfig.Builder#runtimeAdapters(AdapterLoader, java.nio.file.Path)}, {@code POST /v1/load_lora_adapter} and
 * {@code POST /v1/unload_lora_adapter} (vLLM's); the store's admin API ({@link AdminRoutes}: {@code PUT /admin/products/{id}},
 * {@code PUT /admin/promotions/{id}}, {@code POST /admin/shop}) when it has an API key. Model calls pass {@link AdmissionControl} and run
 * concurrently, so engines that batch continuously decode them together. Stateless apart from the
 * store, so instances can share one PostgreSQL behind a load balancer.
 *
 * <p>This class wires the parts and owns their lifecycle: each endpoint lives in its route class
 * ({@link ChatRoute}, {@link EventRoute}, {@link OpenAiRoutes}, {@link AdapterRoutes}, {@link HealthRoutes}),
 * and {@code /chat} and {@code /events} are served by a {@link ShopAssistant}, which knows nothing of HTTP.
 *
 * <p>Start with {@link #start(ServerConfig)}; {@link #close()} stops taking requests, lets those
 * in flight finish (up to the drain timeout), then stops.
 */
public final class KefuServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(KefuServer.class);
    /** How long shutdown waits for handlers to write the answers of jobs that just ended. */
    private static final Duration ANSWER_WRITE_GRACE = Duration.ofSeconds(2);
    /** How often conversations past the retention are deleted (also once at start). */
    private static final Duration RETENTION_EVERY = Duration.ofHours(1);
    /** Hand-offs the store refused, kept for retrying. */
    private static final int HANDOFF_RETRY_CAPACITY = 1000;
    private static final Duration HANDOFF_RETRY_EVERY = Duration.ofSeconds(2);

    private final ServerConfig config;
    private final Database db;
    private final ShopStore shop;
    private final FactsSource facts;
    private final ConversationStore conversations;
    private final HandoffQueue handoffs;
    private final ScheduledExecutorService housekeeping;
    private final AllowedHosts hosts;
    private final AdmissionControl admission;
    private final Metrics metrics;
    private final ServedModels models = new ServedModels();
    private final RequestGate gate;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Javalin app;

    private KefuServer(ServerConfig config) {
        this.config = config;
        this.db = Database.open(config.storeUrl(), config.storePool());
        this.shop = new ShopStore(db);
        if (config.shopFolder().isPresent() && shop.loadIfEmpty(ShopCatalog.load(config.shopFolder().get()))) {
            LOG.info("loaded the shop from {} into {}", config.shopFolder().get(), db.redacted());
        }
        if (config.requireShop() && config.facts().isEmpty() && !shop.isLoaded()) {
            db.close();
            throw new KefuException(ErrorCode.INVALID_CONFIG, "no shop to serve: the store " + db.redacted() + " holds none;"
                    + " pass --shop DIR (a shop folder such as examples/shop, or a shop file), or load one first with kefu shop import");
        }
        this.facts = config.facts().orElse(shop);
        this.conversations = new ConversationStore(db, config.clock());
        recordExperiment();
        deleteExpired();
        this.housekeeping = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kefu-retention");
            t.setDaemon(true);
            return t;
        });
        housekeeping.scheduleWithFixedDelay(this::deleteExpired, RETENTION_EVERY.toMinutes(), RETENTION_EVERY.toMinutes(), TimeUnit.MINUTES);
        this.handoffs = new HandoffQueue(conversations, HANDOFF_RETRY_CAPACITY, HANDOFF_RETRY_EVERY);
        this.admission = new AdmissionControl(config.queueCapacity(), config.maxBatch(), config.requestTimeout());
        this.metrics = new Metrics(admission::depth, admission::running);
        this.hosts = new AllowedHosts(config.bind(), config.bindAddress(), config.allowedHosts());
        this.gate = new RequestGate(config.apiKey(), hosts);
        String defaultModel = serveConfiguredModels();
        ShopAssistant assistant = shopAssistant(models.get(defaultModel).model());
        JsonExchange exchange = new JsonExchange(config.maxBodyBytes(), metrics);
        ChatRoute chat = new ChatRoute(assistant, exchange, metrics);
        EventRoute events = new EventRoute(assistant, exchange);
        OpenAiRoutes openAi = new OpenAiRoutes(models, config.baseModelNames().get(0), defaultModel, config.requestTimeout(), exchange,
                metrics);
        HealthRoutes health = new HealthRoutes(db, gate, admission, metrics, exchange);
        ErrorResponses errors = new ErrorResponses(exchange);
        HandoffStore handoffStore = new HandoffStore(db);
        HandoffRoutes desk = new HandoffRoutes(handoffStore, new HandoffFeed(handoffStore, config.clock(), gate::isDraining, exchange),
                exchange, config.apiKey().isPresent());
        DeskPage deskPage = new DeskPage();
        Optional<AdapterRoutes> adapters = config.adapterLoader().map(loader -> new AdapterRoutes(models, loader, config.adapterRoot(),
                config.maxAdapters(), admission, exchange, config.compliance()));
        AdminRoutes admin = new AdminRoutes(shop, facts, config.apiKey().isPresent(), exchange);
        this.app = Javalin.create(c -> {
            c.startup.showJavalinBanner = false;
            c.http.maxRequestSize = config.maxBodyBytes();
            c.routes.before(gate::before);
            c.routes.after(gate::after);
            c.routes.get("/health", health::health);
            c.routes.get("/metrics", health::metrics);
            c.routes.get("/v1/models", openAi::models);
            c.routes.post("/v1/chat/completions", openAi::completions);
            c.routes.post(ChatRoute.PATH, chat::handle);
            c.routes.post(EventRoute.PATH, events::handle);
            c.routes.put(AdminRoutes.PRODUCTS, admin::updateProduct);
            c.routes.put(AdminRoutes.PROMOTIONS, admin::putPromotion);
            c.routes.post(AdminRoutes.SHOP, admin::replaceShop);
            desk.addTo(c.routes);
            deskPage.addTo(c.routes);
            adapters.ifPresent(a -> {
                c.routes.post("/v1/load_lora_adapter", a::load);
                c.routes.post("/v1/unload_lora_adapter", a::unload);
            });
            c.routes.exception(Exception.class, errors::handle);
            c.routes.error(404, "*", errors::notFound);
        });
    }

    /** Serves the base and the adapters given at the start; @return the name of the model that answers by default */
    private String serveConfiguredModels() {
        AdmissionControl.Admitted base = admission.admit(config.baseModel());
        List<String> baseNames = config.baseModelNames();
        for (String name : baseNames) {
            models.add(new ServedModel(name, base, null, new CompliancePolicy(base, config.compliance()), null));
        }
        config.adapterModel().ifPresent(raw -> {
            AdmissionControl.Admitted m = admission.admit(raw);
            List<String> engineNames = m.info().adapters();
            for (int i = 0; i < engineNames.size(); i++) {
                models.add(new ServedModel(config.adapterNames().get(i), m, engineNames.get(i), new CompliancePolicy(m, config.compliance()),
                        null));
            }
        });
        return config.adapterNames().isEmpty() ? baseNames.get(0) : config.adapterNames().get(0);
    }

    /** The /chat service: the default model, or one model per arm of the configured experiment. */
    private ShopAssistant shopAssistant(ChatModel defaultModel) {
        ShopAssistant.Builder assistant = ShopAssistant.builder(facts, conversations).minMeanLogprob(config.minMeanLogprob())
                .historyTurns(config.historyTurns()).onHandoff(handoff -> metrics.handoff(handoff.reason().wireName()))
                .handoffQueue(handoffs).persona(config.persona()).compliance(config.compliance()).handoffRules(config.handoffRules());
        if (config.experiment().isPresent()) {
            Map<String, ChatModel> arms = new LinkedHashMap<>();
            config.arms().forEach((arm, model) -> arms.put(arm, admission.admit(model)));
            if (arms.isEmpty()) {
                arms.putAll(ArmSystems.resolve(config.experiment().get(), models, config.baseModelNames().get(0), admission));
            }
            assistant.experiment(config.experiment().get(), arms);
        } else {
            assistant.model(defaultModel);
        }
        return assistant.build();
    }

    /** Writes the experiment's split into the store, or checks it against the one there; closes the store when it differs. */
    private void recordExperiment() {
        try {
            config.experiment().ifPresent(new ExperimentStore(db, config.clock())::record);
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
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
            server.housekeeping.shutdownNow();
            server.handoffs.close();
            server.db.close();
            server.closeFacts();
            throw new KefuException(ErrorCode.IO, "cannot listen on " + config.bind() + ":" + config.port() + ": " + e.getMessage(), e);
        }
        server.hosts.listeningOn(server.port());
        LOG.info("kefu server listening on http://{}:{} (models: {})", config.bind(), server.port(), server.models.names());
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

    /** Deletes the turns and hand-offs older than the retention; a store failure is logged and retried at the next run. */
    private void deleteExpired() {
        try {
            int deleted = conversations.deleteOlderThan(config.retention());
            if (deleted > 0) {
                LOG.info("deleted {} conversation rows older than {} days", deleted, config.retention().toDays());
            }
        } catch (RuntimeException e) {
            LOG.warn("deleting conversations older than {} days failed; retrying later: {}", config.retention().toDays(), e.toString());
        }
    }

    /** @return the store's shop tables */
    public ShopStore shop() {
        return shop;
    }

    /** Stops taking requests, waits for those in flight (up to the drain timeout), stops listening and closes the store. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        gate.startDraining();
        boolean drained = admission.drain(config.drainTimeout());
        if (!drained) {
            LOG.warn("requests still running after {} s; stopping anyway", config.drainTimeout().toSeconds());
        }
        gate.awaitIdle(ANSWER_WRITE_GRACE);
        app.stop();
        admission.close();
        models.closeLoadedAtRunTime();
        housekeeping.shutdownNow();
        handoffs.close();
        db.close();
        closeFacts();
    }

    /** Closes a configured facts source (the store's shop tables close with the store). */
    private void closeFacts() {
        if (facts != shop) {
            facts.close();
        }
    }
}
