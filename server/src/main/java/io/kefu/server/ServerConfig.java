package io.kefu.server;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatModel;
import io.kefu.eval.ab.ExperimentSplit;

import io.kefu.server.store.Database;
import io.kefu.shop.FactsSource;
import io.kefu.shop.Persona;
import io.kefu.shop.policy.ComplianceRules;
import io.kefu.shop.policy.HandoffRules;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * How a {@link KefuServer} runs. Immutable; build with {@link #builder()}.
 *
 * <p>Defaults: bind {@code 127.0.0.1}, port 8080 (0 picks a free port), no API key (allowed only
 * on a loopback address), no adapters, no loading of adapters at run time, queue capacity 64 waiting
 * requests, at most 16 requests generated at once per model ({@link io.kefu.chat.BatchingOptions#DEFAULT_MAX_BATCH_SIZE}),
 * request timeout 120 s, body limit 256 KiB, shutdown drain 30 s, hand-off confidence threshold
 * -2.5 (mean token log-probability), history of 10 turns per session, no A/B experiment (every
 * session in arm {@code model}), no extra allowed {@code Host} names, at most 8 adapters loaded at run time,
 * a store pool of 10 connections with a 5 s timeout, conversations kept 90 days, the system clock, the base model
 * served under its own id, {@link Persona#DEFAULT}, {@link ComplianceRules#defaults()}, {@link HandoffRules#defaults()}, the shop's
 * facts read from the store's shop tables.
 * The store URL is required; loading adapters at run time requires an API key and an adapter root.
 */
public final class ServerConfig {
    private static final java.util.regex.Pattern HOST_NAME = java.util.regex.Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,252})");
    private final ChatModel baseModel;
    private final ChatModel adapterModel;
    private final List<String> adapterNames;
    private final AdapterLoader adapterLoader;
    private final String storeUrl;
    private final java.nio.file.Path shopFolder;
    private final FactsSource facts;
    private final String bind;
    private final int port;
    private final String apiKey;
    private final int queueCapacity;
    private final int maxBatch;
    private final Duration requestTimeout;
    private final int maxBodyBytes;
    private final Duration drainTimeout;
    private final double minMeanLogprob;
    private final int historyTurns;
    private final ExperimentSplit experiment;
    private final Map<String, ChatModel> arms;
    private final List<String> allowedHosts;
    private final InetAddress bindAddress;
    private final java.nio.file.Path adapterRoot;
    private final int maxAdapters;
    private final Database.Pool storePool;
    private final Duration retention;
    private final Clock clock;
    private final List<String> servedModelNames;
    private final Persona persona;
    private final ComplianceRules compliance;
    private final HandoffRules handoffRules;
    private final boolean requireShop;

    private ServerConfig(Builder b, InetAddress bindAddress, java.nio.file.Path adapterRoot, ExperimentSplit experiment) {
        this.baseModel = b.baseModel;
        this.adapterModel = b.adapterModel;
        this.adapterNames = List.copyOf(b.adapterNames);
        this.adapterLoader = b.adapterLoader;
        this.storeUrl = b.storeUrl;
        this.shopFolder = b.shopFolder;
        this.facts = b.facts;
        this.bind = b.bind;
        this.port = b.port;
        this.apiKey = b.apiKey;
        this.queueCapacity = b.queueCapacity;
        this.maxBatch = b.maxBatch;
        this.requestTimeout = b.requestTimeout;
        this.maxBodyBytes = b.maxBodyBytes;
        this.drainTimeout = b.drainTimeout;
        this.minMeanLogprob = b.minMeanLogprob;
        this.historyTurns = b.historyTurns;
        this.experiment = experiment;
        this.arms = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.arms));
        this.allowedHosts = List.copyOf(b.allowedHosts);
        this.bindAddress = bindAddress;
        this.adapterRoot = adapterRoot;
        this.maxAdapters = b.maxAdapters;
        this.storePool = new Database.Pool(b.storePoolSize, b.storeTimeout);
        this.retention = b.retention;
        this.clock = b.clock;
        this.servedModelNames = List.copyOf(b.servedModelNames);
        this.persona = b.persona;
        this.compliance = b.compliance;
        this.handoffRules = b.handoffRules;
        this.requireShop = b.requireShop;
    }

    /** @return a builder with the defaults listed on the class */
    public static Builder builder() {
        return new Builder();
    }

    ChatModel baseModel() { return baseModel; }
    Optional<ChatModel> adapterModel() { return Optional.ofNullable(adapterModel); }
    List<String> adapterNames() { return adapterNames; }
    Optional<AdapterLoader> adapterLoader() { return Optional.ofNullable(adapterLoader); }
    String storeUrl() { return storeUrl; }
    Optional<java.nio.file.Path> shopFolder() { return Optional.ofNullable(shopFolder); }
    Optional<FactsSource> facts() { return Optional.ofNullable(facts); }
    String bind() { return bind; }
    int port() { return port; }
    Optional<String> apiKey() { return Optional.ofNullable(apiKey); }
    int queueCapacity() { return queueCapacity; }
    int maxBatch() { return maxBatch; }
    Duration requestTimeout() { return requestTimeout; }
    int maxBodyBytes() { return maxBodyBytes; }
    Duration drainTimeout() { return drainTimeout; }
    double minMeanLogprob() { return minMeanLogprob; }
    int historyTurns() { return historyTurns; }
    Optional<ExperimentSplit> experiment() { return Optional.ofNullable(experiment); }
    /** @return arm name to model when the experiment was given models; empty when its arms name served systems ({@link ArmSystems}) */
    Map<String, ChatModel> arms() { return arms; }
    List<String> allowedHosts() { return allowedHosts; }
    InetAddress bindAddress() { return bindAddress; }
    java.nio.file.Path adapterRoot() { return adapterRoot; }
    int maxAdapters() { return maxAdapters; }
    Database.Pool storePool() { return storePool; }
    Duration retention() { return retention; }
    Clock clock() { return clock; }
    /** @return the names the base model is served under: the configured ones, else its own id */
    List<String> baseModelNames() { return servedModelNames.isEmpty() ? List.of(baseModel.info().id()) : servedModelNames; }
    Persona persona() { return persona; }
    ComplianceRules compliance() { return compliance; }
    HandoffRules handoffRules() { return handoffRules; }
    boolean requireShop() { return requireShop; }

    /** Builds a {@link ServerConfig}; {@link #build()} validates. */
    public static final class Builder {
        private ChatModel baseModel;
        private ChatModel adapterModel;
        private final List<String> adapterNames = new ArrayList<>();
        private AdapterLoader adapterLoader;
        private String storeUrl;
        private java.nio.file.Path shopFolder;
        private FactsSource facts;
        private String bind = "127.0.0.1";
        private int port = 8080;
        private String apiKey;
        private int queueCapacity = 64;
        private int maxBatch = io.kefu.chat.BatchingOptions.DEFAULT_MAX_BATCH_SIZE;
        private Duration requestTimeout = Duration.ofSeconds(120);
        private int maxBodyBytes = 256 * 1024;
        private Duration drainTimeout = Duration.ofSeconds(30);
        private double minMeanLogprob = -2.5;
        private int historyTurns = 10;
        private String experiment;
        private ExperimentSplit split;
        private final Map<String, ChatModel> arms = new LinkedHashMap<>();
        private final List<String> allowedHosts = new ArrayList<>();
        private java.nio.file.Path adapterRoot;
        private int maxAdapters = 8;
        private int storePoolSize = Database.Pool.DEFAULT_SIZE;
        private Duration storeTimeout = Database.Pool.DEFAULT_TIMEOUT;
        private Duration retention = Duration.ofDays(90);
        private Clock clock = Clock.systemUTC();
        private final List<String> servedModelNames = new ArrayList<>();
        private Persona persona = Persona.DEFAULT;
        private ComplianceRules compliance = ComplianceRules.defaults();
        private HandoffRules handoffRules = HandoffRules.defaults();
        private boolean requireShop;

        private Builder() {
        }

        /**
         * @param value whether starting fails when the store holds no shop after the {@link #shopFolder(java.nio.file.Path)
         *     shop folder} is loaded (default false: {@code /chat} then answers 404 until one is loaded); no requirement
         *     when {@link #facts(FactsSource)} gives another source of the facts
         */
        public Builder requireShop(boolean value) { this.requireShop = value; return this; }

        /**
         * @param names the names the base model is served under, as vLLM's {@code --served-model-name}: the first in
         *     answers and {@code /v1/models}, each accepted in {@code model} (default: the model's {@code info().id()})
         */
        public Builder servedModelNames(List<String> names) {
            this.servedModelNames.clear();
            this.servedModelNames.addAll(names);
            return this;
        }

        /** @param value the system message of {@code /chat} (default {@link Persona#DEFAULT}) */
        public Builder persona(Persona value) { this.persona = Objects.requireNonNull(value, "persona"); return this; }

        /** @param value the banned claims and their replacements, on every route (default {@link ComplianceRules#defaults()}) */
        public Builder compliance(ComplianceRules value) { this.compliance = Objects.requireNonNull(value, "compliance"); return this; }

        /** @param value the hand-off keywords and desk hours of {@code /chat} (default {@link HandoffRules#defaults()}) */
        public Builder handoffRules(HandoffRules value) { this.handoffRules = Objects.requireNonNull(value, "handoffRules"); return this; }

        /** @param value the model without adapters, served under its {@code info().id()} (required) */
        public Builder baseModel(ChatModel value) { this.baseModel = Objects.requireNonNull(value, "baseModel"); return this; }

        /**
         * @param model the same base with adapters loaded, in the order of {@code names}
         * @param names the names clients use in {@code model} for each adapter, in load order
         */
        public Builder adapters(ChatModel model, List<String> names) {
            this.adapterModel = Objects.requireNonNull(model, "model");
            this.adapterNames.clear();
            this.adapterNames.addAll(names);
            return this;
        }

        /**
         * Enables {@code POST /v1/load_lora_adapter} and {@code POST /v1/unload_lora_adapter} (as vLLM
         * does with {@code VLLM_ALLOW_RUNTIME_LORA_UPDATING}); without it those endpoints do not exist.
         * Anyone who can call them makes the server read a folder of its disk, so {@link #build()} requires an
         * {@link #apiKey(String) API key}, and folders are read only under {@code adapterRoot}.
         *
         * @param loader builds a chat model over the served base with one adapter (default none: disabled)
         * @param adapterRoot the folder every {@code lora_path} must lie in (after resolving symbolic links);
         *     a relative {@code lora_path} is relative to it
         */
        public Builder runtimeAdapters(AdapterLoader loader, java.nio.file.Path adapterRoot) {
            this.adapterLoader = Objects.requireNonNull(loader, "loader");
            this.adapterRoot = Objects.requireNonNull(adapterRoot, "adapterRoot");
            return this;
        }

        /** @param value the most adapters loaded at run time served at once (default 8); more are refused until one is unloaded */
        public Builder maxAdapters(int value) { this.maxAdapters = value; return this; }

        /**
         * @param name one more {@code Host} name the server answers to (with any port), such as the name a load balancer
         *     or DNS gives it; repeatable. By default only the bound address with its port is taken (and
         *     {@code localhost} on a loopback address); see {@link AllowedHosts}
         */
        public Builder allowedHost(String name) { this.allowedHosts.add(Objects.requireNonNull(name, "name")); return this; }

        /** @param value the most store connections open at once (default 10) */
        public Builder storePoolSize(int value) { this.storePoolSize = value; return this; }

        /**
         * @param value the longest a request waits for a store connection, and (PostgreSQL) for one socket read or
         *     statement (default 5 s); a stalled database then answers 503 within about twice this
         */
        public Builder storeTimeout(Duration value) { this.storeTimeout = Objects.requireNonNull(value, "storeTimeout"); return this; }

        /**
         * @param value how long customers' questions (turns) and hand-offs are kept (default 90 days); older rows are
         *     deleted at start and then every hour
         */
        public Builder retention(Duration value) { this.retention = Objects.requireNonNull(value, "retention"); return this; }

        /** @param value the clock that stamps stored rows and decides what is past the retention (default: the system's, UTC) */
        public Builder clock(Clock value) { this.clock = Objects.requireNonNull(value, "clock"); return this; }

        /** @param value the store's JDBC URL: {@code jdbc:h2:...} or {@code jdbc:postgresql://...} (required) */
        public Builder storeUrl(String value) { this.storeUrl = value; return this; }

        /** @param value a shop folder ({@code examples/shop}) loaded into an empty store (default none) */
        public Builder shopFolder(java.nio.file.Path value) { this.shopFolder = value; return this; }

        /**
         * @param value where {@code /chat} reads the shop's live facts (default: the store's shop tables, loaded from the
         *     {@link #shopFolder} when empty): a shop's database ({@link io.kefu.server.facts.JdbcFactsSource}), its HTTP API
         *     ({@link io.kefu.server.facts.HttpFactsSource}) or any other; the server closes it when it closes
         */
        public Builder facts(FactsSource value) { this.facts = Objects.requireNonNull(value, "facts"); return this; }

        /** @param value the address to listen on (default 127.0.0.1) */
        public Builder bind(String value) { this.bind = value; return this; }

        /** @param value the port; 0 picks a free one (default 8080) */
        public Builder port(int value) { this.port = value; return this; }

        /** @param value the key clients send as {@code Authorization: Bearer KEY} (default none) */
        public Builder apiKey(String value) { this.apiKey = value; return this; }

        /** @param value requests that may wait for the model (default 64) */
        public Builder queueCapacity(int value) { this.queueCapacity = value; return this; }

        /**
         * @param value the most requests one model generates at once, whole answers and streams alike;
         *     more wait in the queue. Give the batch size the models were built with
         *     ({@link io.kefu.chat.BatchingOptions#maxBatchSize()}), so that each call in flight has a row of the
         *     engine's running batch (default 16)
         */
        public Builder maxBatch(int value) { this.maxBatch = value; return this; }

        /** @param value the longest a request may wait and generate (default 120 s) */
        public Builder requestTimeout(Duration value) { this.requestTimeout = value; return this; }

        /** @param value the largest request body in bytes (default 256 KiB) */
        public Builder maxBodyBytes(int value) { this.maxBodyBytes = value; return this; }

        /** @param value how long shutdown waits for requests in flight (default 30 s) */
        public Builder drainTimeout(Duration value) { this.drainTimeout = value; return this; }

        /** @param value hand off when the mean token log-probability is below this (default -2.5) */
        public Builder minMeanLogprob(double value) { this.minMeanLogprob = value; return this; }

        /** @param value earlier turns of a session put into the prompt (default 10) */
        public Builder historyTurns(int value) { this.historyTurns = value; return this; }

        /**
         * An A/B experiment on /chat: sessions are assigned to arms by a stable hash of the session id
         * (weights equal); each arm answers with its model.
         *
         * @param name the experiment name (the hash salt)
         * @param armModels arm name to model, control first; at least two
         */
        public Builder experiment(String name, Map<String, ChatModel> armModels) {
            this.experiment = name;
            this.split = null;
            this.arms.clear();
            this.arms.putAll(armModels);
            return this;
        }

        /**
         * An A/B experiment on /chat whose arms are answered by what this server serves ({@link ArmSystems}):
         * {@code rules} (the keyword baseline), {@code base} (the base model) or {@code adapter:NAME} (an adapter of
         * {@link #adapters(ChatModel, List)}). Sessions land in arms by the split's weights, seeded by its name, and keep
         * their arm; the server records the split in the store at start.
         *
         * @param value the experiment name and its weighted arms, control first
         */
        public Builder experiment(ExperimentSplit value) {
            this.split = Objects.requireNonNull(value, "split");
            this.experiment = null;
            this.arms.clear();
            return this;
        }

        /** @throws KefuException {@link ErrorCode#INVALID_CONFIG} naming the setting that is missing or out of range */
        public ServerConfig build() {
            require(baseModel != null, "baseModel", "is required");
            require(storeUrl != null && !storeUrl.isBlank(), "store", "is required (a JDBC URL)");
            require(port >= 0 && port <= 65535, "port", "must be 0..65535, got " + port);
            require(bind != null && !bind.isBlank(), "bind", "is required");
            InetAddress address = resolve(bind);
            require(apiKey != null || address.isLoopbackAddress(), "bind",
                    bind + " is not a loopback address; serving on it requires an API key (--api-key-file)");
            require(apiKey == null || !apiKey.isBlank(), "apiKey", "must not be blank");
            require(adapterLoader == null || apiKey != null, "runtimeAdapters",
                    "loading adapters at run time lets a client make the server read its disk; it requires an API key (--api-key-file)");
            java.nio.file.Path root = adapterLoader == null ? null : realFolder(adapterRoot);
            require(maxAdapters >= 1, "maxAdapters", "must be at least 1, got " + maxAdapters);
            for (String host : allowedHosts) {
                require(HOST_NAME.matcher(host).matches(), "allowedHost", "'" + host + "' is not a host name (letters, digits, '.', '-')");
            }
            require(storePoolSize >= 1, "storePoolSize", "must be at least 1, got " + storePoolSize);
            require(storeTimeout.compareTo(Duration.ofSeconds(1)) >= 0, "storeTimeout", "must be at least 1 s");
            require(retention.compareTo(Duration.ofDays(1)) >= 0, "retention", "must be at least 1 day");
            require(queueCapacity >= 1, "queueCapacity", "must be at least 1");
            require(maxBatch >= 1, "maxBatch", "must be at least 1");
            require(requestTimeout.toMillis() > 0, "requestTimeout", "must be positive");
            require(maxBodyBytes >= 1024, "maxBodyBytes", "must be at least 1024");
            require(Double.isFinite(minMeanLogprob), "minMeanLogprob", "must be finite");
            require(historyTurns >= 0, "historyTurns", "must not be negative");
            require(adapterModel == null || adapterNames.size() == adapterModel.info().adapters().size(), "adapters",
                    adapterNames.size() + " names for " + (adapterModel == null ? 0 : adapterModel.info().adapters().size()) + " loaded adapters");
            require(adapterNames.stream().distinct().count() == adapterNames.size(), "adapters", "names must be distinct: " + adapterNames);
            require(!adapterNames.contains(baseModel.info().id()), "adapters", "an adapter may not be named like the base model");
            for (String name : servedModelNames) {
                require(name != null && !name.isBlank() && name.length() <= 200, "servedModelName", "'" + name + "' must be 1-200 characters");
                require(!adapterNames.contains(name), "servedModelName", "'" + name + "' is also an adapter's name");
            }
            require(servedModelNames.stream().distinct().count() == servedModelNames.size(), "servedModelName",
                    "names must be distinct: " + servedModelNames);
            require(experiment == null || arms.size() >= 2, "experiment", "needs at least two arms");
            ExperimentSplit experimentSplit = split;
            if (split != null) {
                ArmSystems.check(split, adapterNames).ifPresent(problem -> require(false, "experiment", problem));
            } else if (experiment != null) {
                experimentSplit = equalSplit(experiment, arms);
            }
            return new ServerConfig(this, address, root, experimentSplit);
        }

        /** The split of an experiment given its models: equal weights, each arm answered by its model's id. */
        private static ExperimentSplit equalSplit(String name, Map<String, ChatModel> armModels) {
            try {
                List<ExperimentSplit.Arm> arms = new ArrayList<>();
                armModels.forEach((arm, model) -> arms.add(new ExperimentSplit.Arm(arm, "model:" + model.info().id(), 1)));
                return new ExperimentSplit(name, arms);
            } catch (KefuException e) {
                throw new KefuException(ErrorCode.INVALID_CONFIG, "server setting experiment: " + e.getMessage(), e);
            }
        }

        private static InetAddress resolve(String host) {
            try {
                return InetAddress.getByName(host);
            } catch (UnknownHostException e) {
                throw new KefuException(ErrorCode.INVALID_CONFIG, "server setting bind: cannot resolve '" + host + "'");
            }
        }

        private static java.nio.file.Path realFolder(java.nio.file.Path folder) {
            try {
                java.nio.file.Path real = folder.toRealPath();
                require(java.nio.file.Files.isDirectory(real), "adapterRoot", folder + " is not a folder");
                return real;
            } catch (java.io.IOException e) {
                throw new KefuException(ErrorCode.INVALID_CONFIG, "server setting adapterRoot: " + folder + " does not exist");
            }
        }

        private static void require(boolean ok, String field, String rule) {
            if (!ok) {
                throw new KefuException(ErrorCode.INVALID_CONFIG, "server setting " + field + ": " + rule);
            }
        }
    }
}
