package io.kefu.engine.onnx;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtProvider;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.model.EngineOptions;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * How ONNX Runtime sessions run. Immutable; build with {@link #builder()}, read from system
 * properties with {@link #fromSystemProperties()}, or from engine options with {@link #of(EngineOptions)}.
 *
 * <p>Defaults: {@link Device#CPU}; intra-op threads 0 (ONNX Runtime's choice: one per physical
 * core); inter-op threads 1 (the decoder graph is sequential); optimisation level
 * {@link Optimization#ALL}; memory arena on; thread spinning on (ONNX Runtime's default); CUDA device 0.
 */
public final class SessionSettings {
    /** Where the graph runs. */
    public enum Device {
        /** ONNX Runtime's CPU execution provider (artifact {@code onnxruntime}). */
        CPU,
        /** NVIDIA GPUs through the CUDA execution provider (artifact {@code onnxruntime_gpu}). */
        CUDA
    }

    /** Graph optimisation levels, as ONNX Runtime names them. */
    public enum Optimization {
        /** No graph rewrites. */
        NONE,
        /** Constant folding and redundant-node removal. */
        BASIC,
        /** Plus operator fusions. */
        EXTENDED,
        /** Plus layout optimisations. */
        ALL
    }

    /** System property: {@code cpu} or {@code cuda}. */
    public static final String DEVICE_PROPERTY = "kefu.onnx.device";
    /** System property: intra-op threads, 0 for ONNX Runtime's choice. */
    public static final String THREADS_PROPERTY = "kefu.onnx.threads";
    /** System property: {@code none}, {@code basic}, {@code extended} or {@code all}. */
    public static final String OPTIMIZATION_PROPERTY = "kefu.onnx.optimization";
    /** System property: {@code true} or {@code false}, ONNX Runtime's CPU memory arena. */
    public static final String ARENA_PROPERTY = "kefu.onnx.memoryArena";
    /** System property: {@code true} or {@code false}, whether idle intra-op threads spin. */
    public static final String SPINNING_PROPERTY = "kefu.onnx.spinning";
    /** System property: the CUDA device index. */
    public static final String CUDA_DEVICE_PROPERTY = "kefu.onnx.cudaDevice";

    /** Engine session option: inter-op threads, at least 1. */
    public static final String INTER_OP_THREADS_OPTION = "interOpThreads";
    /** Engine session option: {@code none}, {@code basic}, {@code extended} or {@code all}. */
    public static final String OPTIMIZATION_OPTION = "optimization";
    /** Engine session option: {@code true} or {@code false}, ONNX Runtime's CPU memory arena. */
    public static final String ARENA_OPTION = "memoryArena";
    /** Engine session option: {@code true} or {@code false}, whether idle intra-op threads spin. */
    public static final String SPINNING_OPTION = "spinning";
    private static final List<String> SESSION_OPTIONS = List.of(INTER_OP_THREADS_OPTION, OPTIMIZATION_OPTION, ARENA_OPTION,
            SPINNING_OPTION);

    private final Device device;
    private final int intraOpThreads;
    private final int interOpThreads;
    private final Optimization optimization;
    private final boolean memoryArena;
    private final boolean spinning;
    private final int cudaDevice;

    private SessionSettings(Builder b) {
        this.device = b.device;
        this.intraOpThreads = b.intraOpThreads;
        this.interOpThreads = b.interOpThreads;
        this.optimization = b.optimization;
        this.memoryArena = b.memoryArena;
        this.spinning = b.spinning;
        this.cudaDevice = b.cudaDevice;
    }

    /** @return the defaults listed in the class javadoc */
    public static SessionSettings defaults() {
        return builder().build();
    }

    /** @return a builder holding the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * @return the defaults overridden by the {@code kefu.onnx.*} system properties that are set
     * @throws KefuException with {@link ErrorCode#INVALID_CONFIG} naming the property with a bad value
     */
    public static SessionSettings fromSystemProperties() {
        return build(systemProperties(), "system properties kefu.onnx.*");
    }

    /**
     * Engine options first, then the {@code kefu.onnx.*} system properties, then the defaults:
     * {@code threads} sets the intra-op threads; {@code device} {@code cpu}, {@code cuda[:N]} or
     * {@code auto} (CUDA when ONNX Runtime has the CUDA provider, else the CPU); session options
     * {@value #INTER_OP_THREADS_OPTION}, {@value #OPTIMIZATION_OPTION}, {@value #ARENA_OPTION},
     * {@value #SPINNING_OPTION}.
     *
     * @throws KefuException with {@link ErrorCode#INVALID_CONFIG} naming an unknown session option or a bad value
     */
    public static SessionSettings of(EngineOptions options) {
        options.requireKnownSessionNames("onnx", SESSION_OPTIONS);
        Builder b = systemProperties();
        options.threads().ifPresent(b::intraOpThreads);
        options.device().ifPresent(device -> {
            boolean cuda = switch (device.kind()) {
                case CPU -> false;
                case CUDA -> true;
                case AUTO -> OrtEnvironment.getAvailableProviders().contains(OrtProvider.CUDA);
            };
            b.device(cuda ? Device.CUDA : Device.CPU).cudaDevice(device.index());
        });
        options.sessionInt(INTER_OP_THREADS_OPTION).ifPresent(b::interOpThreads);
        options.session(OPTIMIZATION_OPTION).ifPresent(v -> b.optimization(
                parse(Optimization.class, "engine session option " + OPTIMIZATION_OPTION, v)));
        options.sessionBoolean(ARENA_OPTION).ifPresent(b::memoryArena);
        options.sessionBoolean(SPINNING_OPTION).ifPresent(b::spinning);
        return build(b, "engine options for onnx");
    }

    private static SessionSettings build(Builder b, String source) {
        try {
            return b.build();
        } catch (KefuException e) {
            throw new KefuException(ErrorCode.INVALID_CONFIG, source + ": " + e.getMessage(), e);
        }
    }

    private static Builder systemProperties() {
        Builder b = builder();
        String device = System.getProperty(DEVICE_PROPERTY);
        if (device != null) {
            b.device(parse(Device.class, "system property " + DEVICE_PROPERTY, device));
        }
        String threads = System.getProperty(THREADS_PROPERTY);
        if (threads != null) {
            b.intraOpThreads(parseInt(THREADS_PROPERTY, threads));
        }
        String optimization = System.getProperty(OPTIMIZATION_PROPERTY);
        if (optimization != null) {
            b.optimization(parse(Optimization.class, "system property " + OPTIMIZATION_PROPERTY, optimization));
        }
        String arena = System.getProperty(ARENA_PROPERTY);
        if (arena != null) {
            b.memoryArena(parseBoolean(ARENA_PROPERTY, arena));
        }
        String spinning = System.getProperty(SPINNING_PROPERTY);
        if (spinning != null) {
            b.spinning(parseBoolean(SPINNING_PROPERTY, spinning));
        }
        String cuda = System.getProperty(CUDA_DEVICE_PROPERTY);
        if (cuda != null) {
            b.cudaDevice(parseInt(CUDA_DEVICE_PROPERTY, cuda));
        }
        return b;
    }

    private static <E extends Enum<E>> E parse(Class<E> type, String source, String value) {
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(value.trim())) {
                return e;
            }
        }
        throw new KefuException(ErrorCode.INVALID_CONFIG, source + "='" + value + "' is not one of "
                + java.util.Arrays.toString(type.getEnumConstants()).toLowerCase(Locale.ROOT));
    }

    private static boolean parseBoolean(String property, String value) {
        if (!value.equalsIgnoreCase("true") && !value.equalsIgnoreCase("false")) {
            throw new KefuException(ErrorCode.INVALID_CONFIG, "system property " + property + "='" + value + "' must be true or false");
        }
        return Boolean.parseBoolean(value);
    }

    private static int parseInt(String property, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new KefuException(ErrorCode.INVALID_CONFIG, "system property " + property + "='" + value + "' is not an integer", e);
        }
    }

    /** @return where the graph runs (default CPU) */
    public Device device() { return device; }

    /** @return intra-op threads, 0 for ONNX Runtime's choice (default 0) */
    public int intraOpThreads() { return intraOpThreads; }

    /** @return inter-op threads (default 1) */
    public int interOpThreads() { return interOpThreads; }

    /** @return the graph optimisation level (default ALL) */
    public Optimization optimization() { return optimization; }

    /** @return whether the CPU memory arena is on (default true) */
    public boolean memoryArena() { return memoryArena; }

    /**
     * @return whether idle intra-op threads spin waiting for work (default true, as ONNX Runtime's own default).
     *     Spinning saves the wake-up of a parked thread at every parallel operator, which a decoding step of a small
     *     or quantized model has dozens of (int4 batch-1 decoding on 2 cores: 1.16x faster with it); on a machine
     *     whose cores other work keeps busy the spinning threads take time from it (the same run 1.19x slower
     *     beside two busy processes), so turn it off there.
     */
    public boolean spinning() { return spinning; }

    /** @return the CUDA device index (default 0) */
    public int cudaDevice() { return cudaDevice; }

    @Override
    public String toString() {
        return "SessionSettings[device=" + device + ", intraOpThreads=" + intraOpThreads + ", interOpThreads=" + interOpThreads
                + ", optimization=" + optimization + ", memoryArena=" + memoryArena + ", spinning=" + spinning
                + ", cudaDevice=" + cudaDevice + "]";
    }

    /** Builds {@link SessionSettings}; {@link #build()} validates. */
    public static final class Builder {
        private Device device = Device.CPU;
        private int intraOpThreads = 0;
        private int interOpThreads = 1;
        private Optimization optimization = Optimization.ALL;
        private boolean memoryArena = true;
        private boolean spinning = true;
        private int cudaDevice = 0;

        private Builder() {
        }

        /** @param value where the graph runs (default CPU) */
        public Builder device(Device value) { this.device = Objects.requireNonNull(value, "device"); return this; }

        /** @param value intra-op threads, 0 for ONNX Runtime's choice (default 0) */
        public Builder intraOpThreads(int value) { this.intraOpThreads = value; return this; }

        /** @param value inter-op threads, at least 1 (default 1) */
        public Builder interOpThreads(int value) { this.interOpThreads = value; return this; }

        /** @param value the optimisation level (default ALL) */
        public Builder optimization(Optimization value) { this.optimization = Objects.requireNonNull(value, "optimization"); return this; }

        /** @param value whether to use the CPU memory arena (default true) */
        public Builder memoryArena(boolean value) { this.memoryArena = value; return this; }

        /** @param value whether idle intra-op threads spin (default true) */
        public Builder spinning(boolean value) { this.spinning = value; return this; }

        /** @param value the CUDA device index, 0 or more (default 0) */
        public Builder cudaDevice(int value) { this.cudaDevice = value; return this; }

        /**
         * @return the settings
         * @throws KefuException with {@link ErrorCode#INVALID_ARGUMENT} naming the field out of range
         */
        public SessionSettings build() {
            if (intraOpThreads < 0) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "intraOpThreads=" + intraOpThreads + " must be 0 (automatic) or positive");
            }
            if (interOpThreads < 1) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "interOpThreads=" + interOpThreads + " must be at least 1");
            }
            if (cudaDevice < 0) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "cudaDevice=" + cudaDevice + " must be 0 or more");
            }
            return new SessionSettings(this);
        }
    }
}
