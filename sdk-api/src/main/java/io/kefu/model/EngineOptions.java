package io.kefu.model;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.net.URI;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * How to set up an engine, given in code to {@link Engines#get(String, EngineOptions)}. Immutable;
 * build with {@link #builder()}.
 *
 * <p>Every setting is optional, and by default none is set. An engine reads a setting that is set
 * here first; one that is not set falls back to the engine's system property (or environment
 * variable), and then to the engine's own default, as docs/configuration.md lists them:
 * <ul>
 *   <li>{@code threads}: compute threads (djl: libtorch's intra-op threads, process-wide; onnx:
 *       intra-op threads per session). Not set: the engine's choice, one per core.</li>
 *   <li>{@code device}: {@code cpu}, {@code cuda[:N]} or {@code auto}. Not set: the CPU (djl, onnx),
 *       the engine's GPU (trtllm). An engine that cannot use the device asked for refuses it.</li>
 *   <li>{@code session}: engine-specific settings by name, e.g. {@code optimization=basic} for onnx;
 *       each engine documents its names and rejects names it does not know. Not set: none.</li>
 *   <li>{@code baseUrl}: the server the remote engine talks to when {@code load} is given a model
 *       name instead of a URL. Not set: {@code load} needs a URL.</li>
 *   <li>{@code apiKeyVariable}: the name of the environment variable that holds the remote server's
 *       API key (the key itself never passes through here). Not set: {@code KEFU_REMOTE_API_KEY}.</li>
 * </ul>
 * Engines ignore the settings that have no meaning for them (threads for remote, baseUrl for onnx).
 */
public final class EngineOptions {
    private static final EngineOptions DEFAULTS = new Builder().build();

    private final Integer threads;
    private final Device device;
    private final Map<String, String> session;
    private final URI baseUrl;
    private final String apiKeyVariable;

    private EngineOptions(Builder b) {
        this.threads = b.threads;
        this.device = b.device;
        this.session = java.util.Collections.unmodifiableMap(new TreeMap<>(b.session));
        this.baseUrl = b.baseUrl;
        this.apiKeyVariable = b.apiKeyVariable;
    }

    /** @return options with nothing set: every engine uses its system properties, then its defaults */
    public static EngineOptions defaults() {
        return DEFAULTS;
    }

    /** @return a builder with nothing set */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder holding these options */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.threads = threads;
        b.device = device;
        b.session.putAll(session);
        b.baseUrl = baseUrl;
        b.apiKeyVariable = apiKeyVariable;
        return b;
    }

    /** @return compute threads, at least 1, if set */
    public OptionalInt threads() {
        return threads == null ? OptionalInt.empty() : OptionalInt.of(threads);
    }

    /** @return the device, if set */
    public Optional<Device> device() {
        return Optional.ofNullable(device);
    }

    /** @return the engine-specific settings, sorted by name; empty when none is set */
    public Map<String, String> session() {
        return session;
    }

    /** @return the engine-specific setting {@code name}, if set */
    public Optional<String> session(String name) {
        return Optional.ofNullable(session.get(name));
    }

    /**
     * @return the engine-specific setting {@code name} as a whole number, if set
     * @throws KefuException {@link ErrorCode#INVALID_CONFIG} naming the setting when it is not one
     */
    public OptionalInt sessionInt(String name) {
        Optional<String> value = session(name);
        if (value.isEmpty()) {
            return OptionalInt.empty();
        }
        try {
            return OptionalInt.of(Integer.parseInt(value.get().strip()));
        } catch (NumberFormatException e) {
            throw invalid(name, value.get(), "is not a whole number");
        }
    }

    /**
     * @return the engine-specific setting {@code name} as {@code true} or {@code false}, if set
     * @throws KefuException {@link ErrorCode#INVALID_CONFIG} naming the setting when it is neither
     */
    public Optional<Boolean> sessionBoolean(String name) {
        return session(name).map(value -> {
            String v = value.strip().toLowerCase(Locale.ROOT);
            if (!v.equals("true") && !v.equals("false")) {
                throw invalid(name, value, "is not true or false");
            }
            return Boolean.parseBoolean(v);
        });
    }

    /**
     * Refuses engine-specific settings an engine does not know, so that a misspelt name is not silently ignored.
     *
     * @param engine the engine's id, for the message
     * @param known the names the engine reads
     * @throws KefuException {@link ErrorCode#INVALID_CONFIG} listing the unknown names and the known ones
     */
    public void requireKnownSessionNames(String engine, Collection<String> known) {
        Set<String> unknown = new TreeSet<>(session.keySet());
        unknown.removeAll(known);
        if (!unknown.isEmpty()) {
            throw new KefuException(ErrorCode.INVALID_CONFIG, "engine '" + engine + "' has no session option "
                    + String.join(", ", unknown) + "; it knows " + (known.isEmpty() ? "none" : String.join(", ", new TreeSet<>(known))));
        }
    }

    private static KefuException invalid(String name, String value, String why) {
        return new KefuException(ErrorCode.INVALID_CONFIG, "engine session option " + name + "='" + value + "' " + why);
    }

    /** @return the remote server's API root, if set */
    public Optional<URI> baseUrl() {
        return Optional.ofNullable(baseUrl);
    }

    /** @return the name of the environment variable holding the remote API key, if set */
    public Optional<String> apiKeyVariable() {
        return Optional.ofNullable(apiKeyVariable);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof EngineOptions other && Objects.equals(threads, other.threads) && Objects.equals(device, other.device)
                && session.equals(other.session) && Objects.equals(baseUrl, other.baseUrl)
                && Objects.equals(apiKeyVariable, other.apiKeyVariable);
    }

    @Override
    public int hashCode() {
        return Objects.hash(threads, device, session, baseUrl, apiKeyVariable);
    }

    /** @return the options that are set; the API key variable by name only, as it holds no secret */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("EngineOptions[");
        String sep = "";
        if (threads != null) {
            sb.append("threads=").append(threads);
            sep = ", ";
        }
        if (device != null) {
            sb.append(sep).append("device=").append(device);
            sep = ", ";
        }
        if (!session.isEmpty()) {
            sb.append(sep).append("session=").append(session);
            sep = ", ";
        }
        if (baseUrl != null) {
            sb.append(sep).append("baseUrl=").append(baseUrl);
            sep = ", ";
        }
        if (apiKeyVariable != null) {
            sb.append(sep).append("apiKeyVariable=").append(apiKeyVariable);
        }
        return sb.append(']').toString();
    }

    /** Builds {@link EngineOptions}; nothing is set until a method sets it, and {@link #build()} validates. */
    public static final class Builder {
        private Integer threads;
        private Device device;
        private final Map<String, String> session = new TreeMap<>();
        private URI baseUrl;
        private String apiKeyVariable;

        private Builder() {
        }

        /** @param value compute threads, at least 1 (not set: the engine's property, then its choice) */
        public Builder threads(int value) {
            this.threads = value;
            return this;
        }

        /** @param value where to compute (not set: the engine's property, then its default device) */
        public Builder device(Device value) {
            this.device = Objects.requireNonNull(value, "device");
            return this;
        }

        /** @param value {@code cpu}, {@code cuda}, {@code cuda:N} or {@code auto}, read by {@link Device#parse} */
        public Builder device(String value) {
            return device(Device.parse(value));
        }

        /** @param name an engine-specific setting, as the engine documents it; @param value its value */
        public Builder session(String name, String value) {
            if (name == null || name.isBlank() || value == null) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "a session option needs a name and a value, got "
                        + name + "=" + value);
            }
            session.put(name.strip(), value);
            return this;
        }

        /** @param values engine-specific settings, added to those already set */
        public Builder session(Map<String, String> values) {
            values.forEach(this::session);
            return this;
        }

        /** @param value the remote server's API root, http or https, e.g. {@code http://127.0.0.1:8000/v1} */
        public Builder baseUrl(URI value) {
            this.baseUrl = Objects.requireNonNull(value, "baseUrl");
            return this;
        }

        /** @param value the remote server's API root as text */
        public Builder baseUrl(String value) {
            try {
                return baseUrl(new URI(Objects.requireNonNull(value, "baseUrl").strip()));
            } catch (java.net.URISyntaxException e) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "baseUrl '" + value + "' is not a URL: " + e.getMessage(), e);
            }
        }

        /** @param value the name (not the value) of the environment variable holding the remote API key */
        public Builder apiKeyVariable(String value) {
            this.apiKeyVariable = Objects.requireNonNull(value, "apiKeyVariable").strip();
            return this;
        }

        /**
         * @return the options
         * @throws KefuException {@link ErrorCode#INVALID_ARGUMENT} naming the setting out of range
         */
        public EngineOptions build() {
            if (threads != null && threads < 1) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "threads=" + threads + " must be at least 1");
            }
            if (baseUrl != null && !("http".equalsIgnoreCase(baseUrl.getScheme()) || "https".equalsIgnoreCase(baseUrl.getScheme()))
                    || baseUrl != null && baseUrl.getHost() == null) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "baseUrl=" + baseUrl + " must be an http or https URL with a host");
            }
            if (apiKeyVariable != null && !apiKeyVariable.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "apiKeyVariable must be the name of an environment variable"
                        + " (letters, digits, _), not its value");
            }
            return new EngineOptions(this);
        }
    }
}
