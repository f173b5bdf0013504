package io.kefu.engine.trtllm;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.engine.trtllm.internal.ExecutorSettings;
import io.kefu.model.Device;
import io.kefu.model.EngineOptions;
import java.time.Duration;
import java.util.List;

/**
 * How the TensorRT-LLM executor behind each chat model is set up. Immutable; build with
 * {@link #builder()} or read from system properties with {@link #fromSystemProperties()}.
 *
 * <p>Defaults: {@code maxBatchSize=0} (the engine's build value), {@code maxNumTokens=0} (the
 * engine's build value), {@code maxQueueSize=64} (then requests are refused with
 * {@link ErrorCode#RESOURCE_EXHAUSTED}), {@code kvCacheFreeGpuMemoryFraction=0.9},
 * {@code kvCacheMaxTokens=0} (no cap), {@code kvCacheBlockReuse=true},
 * {@code loraCacheMaxAdapters=0} (TensorRT-LLM's default), {@code requestTimeout=5 minutes},
 * {@code drainTimeout=1 minute} (how long close waits for requests in flight).
 */
public final class TrtllmSettings {
    private static final List<String> SESSION_OPTIONS = List.of("maxBatchSize", "maxNumTokens", "maxQueueSize",
            "kvCacheFreeGpuMemoryFraction", "kvCacheMaxTokens", "kvCacheBlockReuse", "loraCacheMaxAdapters",
            "requestTimeoutSeconds", "drainTimeoutSeconds");

    private final int maxBatchSize;
    private final int maxNumTokens;
    private final int maxQueueSize;
    private final float kvCacheFreeGpuMemoryFraction;
    private final int kvCacheMaxTokens;
    private final boolean kvCacheBlockReuse;
    private final int loraCacheMaxAdapters;
    private final Duration requestTimeout;
    private final Duration drainTimeout;

    private TrtllmSettings(Builder b) {
        this.maxBatchSize = b.maxBatchSize;
        this.maxNumTokens = b.maxNumTokens;
        this.maxQueueSize = b.maxQueueSize;
        this.kvCacheFreeGpuMemoryFraction = b.kvCacheFreeGpuMemoryFraction;
        this.kvCacheMaxTokens = b.kvCacheMaxTokens;
        this.kvCacheBlockReuse = b.kvCacheBlockReuse;
        this.loraCacheMaxAdapters = b.loraCacheMaxAdapters;
        this.requestTimeout = b.requestTimeout;
        this.drainTimeout = b.drainTimeout;
    }

    /** @return a builder holding the defaults listed in the class javadoc */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reads {@code kefu.trtllm.maxBatchSize}, {@code kefu.trtllm.maxQueueSize},
     * {@code kefu.trtllm.kvCacheFreeGpuMemoryFraction}, {@code kefu.trtllm.requestTimeoutSeconds};
     * unset ones keep their defaults.
     *
     * @throws KefuException INVALID_CONFIG naming a property that is not a number
     */
    public static TrtllmSettings fromSystemProperties() {
        return systemProperties().build();
    }

    /**
     * Engine options first, then the system properties of {@link #fromSystemProperties()}, then the
     * defaults. Session options, named as the builder methods: {@code maxBatchSize},
     * {@code maxNumTokens}, {@code maxQueueSize}, {@code kvCacheFreeGpuMemoryFraction},
     * {@code kvCacheMaxTokens}, {@code kvCacheBlockReuse}, {@code loraCacheMaxAdapters},
     * {@code requestTimeoutSeconds}, {@code drainTimeoutSeconds}. {@code device} may be {@code auto}
     * or {@code cuda[:0]}: the executor runs on the first GPU it sees (choose it with
     * {@code CUDA_VISIBLE_DEVICES}). {@code threads} is not used.
     *
     * @throws KefuException INVALID_CONFIG naming an unknown session option, a bad value or a device the engine cannot use
     */
    public static TrtllmSettings of(EngineOptions options) {
        options.requireKnownSessionNames("trtllm", SESSION_OPTIONS);
        options.device().ifPresent(device -> {
            if (device.kind() == Device.Kind.CPU || device.index() != 0) {
                throw new KefuException(ErrorCode.INVALID_CONFIG, "engine 'trtllm' runs on the first GPU it sees; device "
                        + device + " is not available to it (set CUDA_VISIBLE_DEVICES to choose the GPU)");
            }
        });
        Builder b = systemProperties();
        options.sessionInt("maxBatchSize").ifPresent(b::maxBatchSize);
        options.sessionInt("maxNumTokens").ifPresent(b::maxNumTokens);
        options.sessionInt("maxQueueSize").ifPresent(b::maxQueueSize);
        options.session("kvCacheFreeGpuMemoryFraction").ifPresent(v -> {
            try {
                b.kvCacheFreeGpuMemoryFraction(Float.parseFloat(v.strip()));
            } catch (NumberFormatException e) {
                throw new KefuException(ErrorCode.INVALID_CONFIG, "engine session option kvCacheFreeGpuMemoryFraction='" + v
                        + "' is not a number", e);
            }
        });
        options.sessionInt("kvCacheMaxTokens").ifPresent(b::kvCacheMaxTokens);
        options.sessionBoolean("kvCacheBlockReuse").ifPresent(b::kvCacheBlockReuse);
        options.sessionInt("loraCacheMaxAdapters").ifPresent(b::loraCacheMaxAdapters);
        options.sessionInt("requestTimeoutSeconds").ifPresent(s -> b.requestTimeout(Duration.ofSeconds(s)));
        options.sessionInt("drainTimeoutSeconds").ifPresent(s -> b.drainTimeout(Duration.ofSeconds(s)));
        return b.build();
    }

    private static Builder systemProperties() {
        Builder b = builder();
        b.maxBatchSize(intProperty("kefu.trtllm.maxBatchSize", b.maxBatchSize));
        b.maxQueueSize(intProperty("kefu.trtllm.maxQueueSize", b.maxQueueSize));
        b.requestTimeout(Duration.ofSeconds(intProperty("kefu.trtllm.requestTimeoutSeconds", (int) b.requestTimeout.toSeconds())));
        String fraction = System.getProperty("kefu.trtllm.kvCacheFreeGpuMemoryFraction");
        if (fraction != null) {
            try {
                b.kvCacheFreeGpuMemoryFraction(Float.parseFloat(fraction));
            } catch (NumberFormatException e) {
                throw new KefuException(ErrorCode.INVALID_CONFIG, "system property kefu.trtllm.kvCacheFreeGpuMemoryFraction='"
                        + fraction + "' is not a number", e);
            }
        }
        return b;
    }

    private static int intProperty(String name, int fallback) {
        String value = System.getProperty(name);
        if (value == null) {
            return fallback;
        }
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new KefuException(ErrorCode.INVALID_CONFIG, "system property " + name + "='" + value + "' is not an integer", e);
        }
    }

    /** @return requests decoded together; 0 for the engine's build value */
    public int maxBatchSize() { return maxBatchSize; }

    /** @return tokens per iteration; 0 for the engine's build value */
    public int maxNumTokens() { return maxNumTokens; }

    /** @return waiting requests before new ones are refused; 0 for unbounded */
    public int maxQueueSize() { return maxQueueSize; }

    /** @return share of free GPU memory for the KV cache */
    public float kvCacheFreeGpuMemoryFraction() { return kvCacheFreeGpuMemoryFraction; }

    /** @return cap on KV-cache tokens; 0 for none */
    public int kvCacheMaxTokens() { return kvCacheMaxTokens; }

    /** @return whether KV blocks of shared prompt prefixes are reused */
    public boolean kvCacheBlockReuse() { return kvCacheBlockReuse; }

    /** @return LoRA adapters kept on the device; 0 for TensorRT-LLM's default */
    public int loraCacheMaxAdapters() { return loraCacheMaxAdapters; }

    /** @return how long one request may take before it is cancelled with {@link ErrorCode#TIMEOUT} */
    public Duration requestTimeout() { return requestTimeout; }

    /** @return how long close waits for requests in flight before cancelling them */
    public Duration drainTimeout() { return drainTimeout; }

    ExecutorSettings executorSettings() {
        return new ExecutorSettings(maxBatchSize, maxNumTokens, maxQueueSize, kvCacheFreeGpuMemoryFraction,
                kvCacheMaxTokens, kvCacheBlockReuse, loraCacheMaxAdapters);
    }

    @Override
    public String toString() {
        return "TrtllmSettings[maxBatchSize=" + maxBatchSize + ", maxNumTokens=" + maxNumTokens + ", maxQueueSize=" + maxQueueSize
                + ", kvCacheFreeGpuMemoryFraction=" + kvCacheFreeGpuMemoryFraction + ", kvCacheMaxTokens=" + kvCacheMaxTokens
                + ", kvCacheBlockReuse=" + kvCacheBlockReuse + ", loraCacheMaxAdapters=" + loraCacheMaxAdapters
                + ", requestTimeout=" + requestTimeout + ", drainTimeout=" + drainTimeout + "]";
    }

    /** Builds {@link TrtllmSettings}; {@link #build()} validates every field. */
    public static final class Builder {
        private int maxBatchSize = 0;
        private int maxNumTokens = 0;
        private int maxQueueSize = 64;
        private float kvCacheFreeGpuMemoryFraction = 0.9f;
        private int kvCacheMaxTokens = 0;
        private boolean kvCacheBlockReuse = true;
        private int loraCacheMaxAdapters = 0;
        private Duration requestTimeout = Duration.ofMinutes(5);
        private Duration drainTimeout = Duration.ofMinutes(1);

        private Builder() {
        }

        /** @param value 0 (the engine's build value) or positive (default 0) */
        public Builder maxBatchSize(int value) { this.maxBatchSize = value; return this; }

        /** @param value 0 (the engine's build value) or positive (default 0) */
        public Builder maxNumTokens(int value) { this.maxNumTokens = value; return this; }

        /** @param value 0 (unbounded) or positive (default 64) */
        public Builder maxQueueSize(int value) { this.maxQueueSize = value; return this; }

        /** @param value in (0, 1] (default 0.9) */
        public Builder kvCacheFreeGpuMemoryFraction(float value) { this.kvCacheFreeGpuMemoryFraction = value; return this; }

        /** @param value 0 (no cap) or positive (default 0) */
        public Builder kvCacheMaxTokens(int value) { this.kvCacheMaxTokens = value; return this; }

        /** @param value whether to reuse KV blocks of shared prefixes (default true) */
        public Builder kvCacheBlockReuse(boolean value) { this.kvCacheBlockReuse = value; return this; }

        /** @param value 0 (TensorRT-LLM's default) or positive (default 0) */
        public Builder loraCacheMaxAdapters(int value) { this.loraCacheMaxAdapters = value; return this; }

        /** @param value positive (default 5 minutes) */
        public Builder requestTimeout(Duration value) { this.requestTimeout = value; return this; }

        /** @param value zero or positive (default 1 minute) */
        public Builder drainTimeout(Duration value) { this.drainTimeout = value; return this; }

        /**
         * @return the settings
         * @throws KefuException INVALID_CONFIG naming the setting that is out of range
         */
        public TrtllmSettings build() {
            require(maxBatchSize >= 0, "maxBatchSize", maxBatchSize, "must be 0 (engine default) or positive");
            require(maxNumTokens >= 0, "maxNumTokens", maxNumTokens, "must be 0 (engine default) or positive");
            require(maxQueueSize >= 0, "maxQueueSize", maxQueueSize, "must be 0 (unbounded) or positive");
            require(kvCacheFreeGpuMemoryFraction > 0 && kvCacheFreeGpuMemoryFraction <= 1, "kvCacheFreeGpuMemoryFraction",
                    kvCacheFreeGpuMemoryFraction, "must be in (0, 1]");
            require(kvCacheMaxTokens >= 0, "kvCacheMaxTokens", kvCacheMaxTokens, "must be 0 (no cap) or positive");
            require(loraCacheMaxAdapters >= 0, "loraCacheMaxAdapters", loraCacheMaxAdapters, "must be 0 or positive");
            require(requestTimeout != null && !requestTimeout.isNegative() && !requestTimeout.isZero(), "requestTimeout",
                    requestTimeout, "must be positive");
            require(drainTimeout != null && !drainTimeout.isNegative(), "drainTimeout", drainTimeout, "must not be negative");
            return new TrtllmSettings(this);
        }

        private static void require(boolean ok, String field, Object value, String rule) {
            if (!ok) {
                throw new KefuException(ErrorCode.INVALID_CONFIG, "TensorRT-LLM setting " + field + "=" + value + " " + rule);
            }
        }
    }
}
