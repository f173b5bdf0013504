package io.kefu.engine.remote;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How to reach an OpenAI-compatible server and how patiently. Immutable; build with
 * {@link #builder(String)}, or let {@link RemoteEngine} read the settings below from its engine
 * options (session options named as the builder methods, e.g. {@code maxAttempts}), system
 * properties and environment variables, in that order.
 *
 * <table>
 * <caption>Settings and defaults</caption>
 * <tr><th>builder method</th><th>system property / environment variable</th><th>default</th></tr>
 * <tr><td>{@code baseUrl}</td><td>the {@code ModelRef} given to {@code load}</td><td>required; {@code /v1} is
 *     appended when the URL has no path</td></tr>
 * <tr><td>{@code model}</td><td>{@code kefu.remote.model} / {@code KEFU_REMOTE_MODEL}</td><td>the one model
 *     the server lists at {@code GET /v1/models}</td></tr>
 * <tr><td>{@code apiKey}</td><td>the environment variable named by the engine option {@code apiKeyVariable},
 *     else a file named by {@code kefu.remote.apiKeyFile} / {@code KEFU_REMOTE_API_KEY_FILE}, else
 *     {@code KEFU_REMOTE_API_KEY} (environment only)</td><td>none: no {@code Authorization} header</td></tr>
 * <tr><td>{@code connectTimeout}</td><td>{@code kefu.remote.connectTimeout}</td><td>10 s</td></tr>
 * <tr><td>{@code requestTimeout}</td><td>{@code kefu.remote.requestTimeout}</td><td>120 s per attempt: until
 *     the whole answer ({@code chat}) or the response headers ({@code stream})</td></tr>
 * <tr><td>{@code streamIdleTimeout}</td><td>{@code kefu.remote.streamIdleTimeout}</td><td>60 s between two
 *     pieces of a streamed answer</td></tr>
 * <tr><td>{@code maxAttempts}</td><td>{@code kefu.remote.maxAttempts}</td><td>4 (1 means no retry)</td></tr>
 * <tr><td>{@code initialBackoff}</td><td>{@code kefu.remote.initialBackoff}</td><td>500 ms</td></tr>
 * <tr><td>{@code maxBackoff}</td><td>{@code kefu.remote.maxBackoff}</td><td>20 s</td></tr>
 * <tr><td>{@code jitter}</td><td>{@code kefu.remote.jitter}</td><td>0.5: a delay is drawn from
 *     [(1 - jitter) * d, d]</td></tr>
 * <tr><td>{@code retrySeed}</td><td>{@code kefu.remote.retrySeed}</td><td>0</td></tr>
 * <tr><td>{@code maxRetryAfter}</td><td>{@code kefu.remote.maxRetryAfter}</td><td>60 s: a longer
 *     {@code Retry-After} fails at once</td></tr>
 * <tr><td>{@code maxParallelism}</td><td>{@code kefu.remote.maxParallelism}</td><td>4 requests of one
 *     {@code chatBatch} in flight at once</td></tr>
 * <tr><td>{@code streamUsage}</td><td>{@code kefu.remote.streamUsage}</td><td>true: ask for token usage in
 *     streams ({@code stream_options.include_usage})</td></tr>
 * </table>
 * Durations are written {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h} or ISO-8601 ({@code PT10S}).
 */
public final class RemoteConfig {
    /** The environment variable holding the API key. */
    public static final String API_KEY_ENV = "KEFU_REMOTE_API_KEY";

    private final URI baseUrl;
    private final String model;
    private final ApiKey apiKey;
    private final Duration connectTimeout;
    private final Duration requestTimeout;
    private final Duration streamIdleTimeout;
    private final int maxAttempts;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final double jitter;
    private final long retrySeed;
    private final Duration maxRetryAfter;
    private final int maxParallelism;
    private final boolean streamUsage;

    private RemoteConfig(Builder b, URI baseUrl) {
        this.baseUrl = baseUrl;
        this.model = b.model;
        this.apiKey = b.apiKey;
        this.connectTimeout = b.connectTimeout;
        this.requestTimeout = b.requestTimeout;
        this.streamIdleTimeout = b.streamIdleTimeout;
        this.maxAttempts = b.maxAttempts;
        this.initialBackoff = b.initialBackoff;
        this.maxBackoff = b.maxBackoff;
        this.jitter = b.jitter;
        this.retrySeed = b.retrySeed;
        this.maxRetryAfter = b.maxRetryAfter;
        this.maxParallelism = b.maxParallelism;
        this.streamUsage = b.streamUsage;
    }

    /**
     * @param baseUrl the server's OpenAI API root, e.g. {@code http://127.0.0.1:8000/v1}
     * @return a builder holding the defaults listed in the class javadoc
     */
    public static Builder builder(String baseUrl) {
        return new Builder(baseUrl);
    }

    /**
     * @param baseUrl the server's OpenAI API root
     * @return a config with every setting read from system properties and environment variables
     */
    public static RemoteConfig fromSystem(String baseUrl) {
        return builder(baseUrl).apply(Settings.fromSystem()).build();
    }

    /** @return a builder that starts from this config */
    public Builder toBuilder() {
        Builder b = new Builder(baseUrl.toString());
        b.model = model;
        b.apiKey = apiKey;
        b.connectTimeout = connectTimeout;
        b.requestTimeout = requestTimeout;
        b.streamIdleTimeout = streamIdleTimeout;
        b.maxAttempts = maxAttempts;
        b.initialBackoff = initialBackoff;
        b.maxBackoff = maxBackoff;
        b.jitter = jitter;
        b.retrySeed = retrySeed;
        b.maxRetryAfter = maxRetryAfter;
        b.maxParallelism = maxParallelism;
        b.streamUsage = streamUsage;
        return b;
    }

    /** @return the API root, without a trailing slash, e.g. {@code http://127.0.0.1:8000/v1} */
    public URI baseUrl() { return baseUrl; }

    /** @return the model name sent with each request, or empty to ask the server at load time */
    public Optional<String> model() { return Optional.ofNullable(model); }

    /** @return whether an API key is configured (the key itself is never exposed) */
    public boolean hasApiKey() { return apiKey != null; }

    Optional<ApiKey> apiKey() { return Optional.ofNullable(apiKey); }

    /** @return the TCP connect timeout (default 10 s) */
    public Duration connectTimeout() { return connectTimeout; }

    /** @return the time one attempt may take (default 120 s) */
    public Duration requestTimeout() { return requestTimeout; }

    /** @return the longest silence between two pieces of a stream (default 60 s) */
    public Duration streamIdleTimeout() { return streamIdleTimeout; }

    /** @return attempts per request including the first (default 4) */
    public int maxAttempts() { return maxAttempts; }

    /** @return the backoff before the first retry (default 500 ms) */
    public Duration initialBackoff() { return initialBackoff; }

    /** @return the longest backoff (default 20 s) */
    public Duration maxBackoff() { return maxBackoff; }

    /** @return the fraction of a backoff that is random (default 0.5) */
    public double jitter() { return jitter; }

    /** @return the seed of the backoff jitter (default 0) */
    public long retrySeed() { return retrySeed; }

    /** @return the longest {@code Retry-After} honoured; a longer one fails at once (default 60 s) */
    public Duration maxRetryAfter() { return maxRetryAfter; }

    /** @return requests of one batch in flight at once (default 4) */
    public int maxParallelism() { return maxParallelism; }

    /** @return whether streams ask for token usage (default true) */
    public boolean streamUsage() { return streamUsage; }

    @Override
    public String toString() {
        return "RemoteConfig[baseUrl=" + baseUrl + ", model=" + (model == null ? "(ask the server)" : model)
                + ", apiKey=" + (apiKey == null ? "none" : ApiKey.REDACTED)
                + ", connectTimeout=" + connectTimeout + ", requestTimeout=" + requestTimeout
                + ", streamIdleTimeout=" + streamIdleTimeout + ", maxAttempts=" + maxAttempts
                + ", initialBackoff=" + initialBackoff + ", maxBackoff=" + maxBackoff + ", jitter=" + jitter
                + ", retrySeed=" + retrySeed + ", maxRetryAfter=" + maxRetryAfter
                + ", maxParallelism=" + maxParallelism + ", streamUsage=" + streamUsage + "]";
    }

    /** Builds a {@link RemoteConfig}; {@link #build()} validates every field. */
    public static final class Builder {
        private final String baseUrl;
        private String model;
        private ApiKey apiKey;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration requestTimeout = Duration.ofSeconds(120);
        private Duration streamIdleTimeout = Duration.ofSeconds(60);
        private int maxAttempts = 4;
        private Duration initialBackoff = Duration.ofMillis(500);
        private Duration maxBackoff = Duration.ofSeconds(20);
        private double jitter = 0.5;
        private long retrySeed = 0;
        private Duration maxRetryAfter = Duration.ofSeconds(60);
        private int maxParallelism = 4;
        private boolean streamUsage = true;

        private Builder(String baseUrl) {
            this.baseUrl = Objects.requireNonNull(baseUrl, "baseUrl");
        }

        /** @param value the model name the server knows (vLLM: {@code --served-model-name}); null to ask the server */
        public Builder model(String value) {
            this.model = value == null || value.isBlank() ? null : value.strip();
            return this;
        }

        /** @param value the API key itself (prefer {@link #apiKeyFromEnvironment} or {@link #apiKeyFile}) */
        public Builder apiKey(String value) {
            this.apiKey = value == null || value.isBlank() ? null : new ApiKey(value);
            return this;
        }

        /**
         * Reads the API key from an environment variable.
         *
         * @throws KefuException {@link ErrorCode#INVALID_CONFIG} when the variable is not set
         */
        public Builder apiKeyFromEnvironment(String variable) {
            String value = System.getenv(variable);
            if (value == null || value.isBlank()) {
                throw new KefuException(ErrorCode.INVALID_CONFIG, "environment variable " + variable
                        + " is not set; it should hold the remote server's API key");
            }
            return apiKey(value);
        }

        /**
         * Reads the API key from the first line of a file (keep it readable by its owner only).
         *
         * @throws KefuException {@link ErrorCode#INVALID_CONFIG} when the file cannot be read or is empty
         */
        public Builder apiKeyFile(Path file) {
            String text;
            try {
                text = Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new KefuException(ErrorCode.INVALID_CONFIG, "API key file " + file + " cannot be read: "
                        + e.getClass().getSimpleName(), e);
            }
            String firstLine = text.lines().findFirst().orElse("").strip();
            if (firstLine.isEmpty()) {
                throw new KefuException(ErrorCode.INVALID_CONFIG, "API key file " + file + " is empty");
            }
            return apiKey(firstLine);
        }

        /** @param value TCP connect timeout (default 10 s) */
        public Builder connectTimeout(Duration value) { this.connectTimeout = value; return this; }

        /** @param value time one attempt may take (default 120 s) */
        public Builder requestTimeout(Duration value) { this.requestTimeout = value; return this; }

        /** @param value longest silence between two pieces of a stream (default 60 s) */
        public Builder streamIdleTimeout(Duration value) { this.streamIdleTimeout = value; return this; }

        /** @param value attempts per request including the first, at least 1 (default 4) */
        public Builder maxAttempts(int value) { this.maxAttempts = value; return this; }

        /** @param value backoff before the first retry; doubles each retry (default 500 ms) */
        public Builder initialBackoff(Duration value) { this.initialBackoff = value; return this; }

        /** @param value the longest backoff (default 20 s) */
        public Builder maxBackoff(Duration value) { this.maxBackoff = value; return this; }

        /** @param value fraction of a backoff that is random, in [0, 1] (default 0.5) */
        public Builder jitter(double value) { this.jitter = value; return this; }

        /** @param value seed of the backoff jitter (default 0) */
        public Builder retrySeed(long value) { this.retrySeed = value; return this; }

        /** @param value longest {@code Retry-After} honoured (default 60 s) */
        public Builder maxRetryAfter(Duration value) { this.maxRetryAfter = value; return this; }

        /** @param value requests of one batch in flight at once, at least 1 (default 4) */
        public Builder maxParallelism(int value) { this.maxParallelism = value; return this; }

        /** @param value whether streams ask for token usage (default true) */
        public Builder streamUsage(boolean value) { this.streamUsage = value; return this; }

        /** Overrides fields with the {@code kefu.remote.*} settings that are set. */
        Builder apply(Settings s) {
            s.string("kefu.remote.model").ifPresent(this::model);
            Optional<String> keyFile = s.string("kefu.remote.apiKeyFile");
            Optional<String> keyVariable = s.options().apiKeyVariable();
            if (keyVariable.isPresent()) {
                apiKey(s.environmentOnly(keyVariable.get()).orElseThrow(() -> new KefuException(ErrorCode.INVALID_CONFIG,
                        "environment variable " + keyVariable.get() + " (engine option apiKeyVariable) is not set; it should"
                                + " hold the remote server's API key")));
            } else if (keyFile.isPresent()) {
                apiKeyFile(Path.of(keyFile.get()));
            } else {
                s.environmentOnly(API_KEY_ENV).ifPresent(this::apiKey);
            }
            s.duration("kefu.remote.connectTimeout").ifPresent(this::connectTimeout);
            s.duration("kefu.remote.requestTimeout").ifPresent(this::requestTimeout);
            s.duration("kefu.remote.streamIdleTimeout").ifPresent(this::streamIdleTimeout);
            s.integer("kefu.remote.maxAttempts").ifPresent(this::maxAttempts);
            s.duration("kefu.remote.initialBackoff").ifPresent(this::initialBackoff);
            s.duration("kefu.remote.maxBackoff").ifPresent(this::maxBackoff);
            s.string("kefu.remote.jitter").ifPresent(v -> {
                try {
                    jitter(Double.parseDouble(v));
                } catch (NumberFormatException e) {
                    throw new KefuException(ErrorCode.INVALID_CONFIG,
                            s.source("kefu.remote.jitter") + "='" + v + "' is not a number");
                }
            });
            s.longValue("kefu.remote.retrySeed").ifPresent(this::retrySeed);
            s.duration("kefu.remote.maxRetryAfter").ifPresent(this::maxRetryAfter);
            s.integer("kefu.remote.maxParallelism").ifPresent(this::maxParallelism);
            s.bool("kefu.remote.streamUsage").ifPresent(this::streamUsage);
            return this;
        }

        /**
         * @return the config
         * @throws KefuException {@link ErrorCode#INVALID_CONFIG} naming the field that is wrong
         */
        public RemoteConfig build() {
            URI uri = parseBaseUrl(baseUrl);
            positive("connectTimeout", connectTimeout);
            positive("requestTimeout", requestTimeout);
            positive("streamIdleTimeout", streamIdleTimeout);
            positive("initialBackoff", initialBackoff);
            positive("maxBackoff", maxBackoff);
            positive("maxRetryAfter", maxRetryAfter);
            require(maxAttempts >= 1, "maxAttempts=" + maxAttempts + " must be at least 1");
            require(maxParallelism >= 1, "maxParallelism=" + maxParallelism + " must be at least 1");
            require(jitter >= 0 && jitter <= 1, "jitter=" + jitter + " must be in [0, 1]");
            require(maxBackoff.compareTo(initialBackoff) >= 0,
                    "maxBackoff=" + maxBackoff + " must not be shorter than initialBackoff=" + initialBackoff);
            return new RemoteConfig(this, uri);
        }

        private static URI parseBaseUrl(String text) {
            URI uri;
            try {
                uri = new URI(text.strip());
            } catch (URISyntaxException e) {
                throw new KefuException(ErrorCode.INVALID_CONFIG, "baseUrl '" + text + "' is not a URL: " + e.getReason());
            }
            String scheme = uri.getScheme();
            if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                    || uri.getHost() == null) {
                throw new KefuException(ErrorCode.INVALID_CONFIG, "baseUrl '" + text
                        + "' must be an http:// or https:// URL with a host, such as http://127.0.0.1:8000/v1");
            }
            if (uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
                // the URL is not echoed: user info or a query may hold a secret
                throw new KefuException(ErrorCode.INVALID_CONFIG, "baseUrl of host " + uri.getHost()
                        + " must not carry user info, a query or a fragment (put the API key in "
                        + API_KEY_ENV + " or an API key file)");
            }
            String path = uri.getRawPath() == null ? "" : uri.getRawPath();
            while (path.endsWith("/")) {
                path = path.substring(0, path.length() - 1);
            }
            if (path.isEmpty()) {
                path = "/v1";
            }
            return URI.create(scheme.toLowerCase(java.util.Locale.ROOT) + "://" + uri.getRawAuthority() + path);
        }

        private static void positive(String field, Duration value) {
            require(value != null && !value.isNegative() && !value.isZero(), field + "=" + value + " must be a positive duration");
        }

        private static void require(boolean ok, String message) {
            if (!ok) {
                throw new KefuException(ErrorCode.INVALID_CONFIG, "remote engine: " + message);
            }
        }
    }
}
