package io.kefu.engine.remote;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.model.EngineOptions;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code kefu.remote.*} settings: an engine session option ({@code maxAttempts}) wins over the
 * system property ({@code kefu.remote.maxAttempts}), which wins over its environment variable, whose
 * name is the property's in upper snake case ({@code KEFU_REMOTE_MAX_ATTEMPTS}).
 */
final class Settings {
    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");

    private static final String PREFIX = "kefu.remote.";

    /** The session options the remote engine reads, each the name of a {@code kefu.remote.*} property. */
    static final List<String> SESSION_OPTIONS = List.of("model", "apiKeyFile", "connectTimeout", "requestTimeout",
            "streamIdleTimeout", "maxAttempts", "initialBackoff", "maxBackoff", "jitter", "retrySeed", "maxRetryAfter",
            "maxParallelism", "streamUsage");

    private final Properties properties;
    private final Map<String, String> environment;
    private final EngineOptions options;

    Settings(Properties properties, Map<String, String> environment) {
        this(properties, environment, EngineOptions.defaults());
    }

    /**
     * @throws KefuException {@link ErrorCode#INVALID_CONFIG} naming a session option the remote engine does not read
     */
    Settings(Properties properties, Map<String, String> environment, EngineOptions options) {
        options.requireKnownSessionNames(RemoteEngine.ID, SESSION_OPTIONS);
        this.properties = properties;
        this.environment = environment;
        this.options = options;
    }

    /** @return the engine options these settings start from */
    EngineOptions options() {
        return options;
    }

    /** @return settings from {@link System#getProperties()} and {@link System#getenv()} */
    static Settings fromSystem() {
        return new Settings(System.getProperties(), System.getenv());
    }

    /** @return the environment variable that backs a property, e.g. {@code KEFU_REMOTE_MAX_ATTEMPTS} */
    static String environmentName(String property) {
        return property.replaceAll("([a-z])([A-Z])", "$1_$2").replace('.', '_').toUpperCase(Locale.ROOT);
    }

    /** @return where a setting came from, for error messages */
    String source(String property) {
        if (sessionOption(property).isPresent()) {
            return "engine session option " + property.substring(PREFIX.length());
        }
        return properties.getProperty(property) != null
                ? "system property " + property
                : "environment variable " + environmentName(property);
    }

    private Optional<String> sessionOption(String property) {
        return property.startsWith(PREFIX) ? options.session(property.substring(PREFIX.length())) : Optional.empty();
    }

    Optional<String> string(String property) {
        String value = sessionOption(property).orElse(properties.getProperty(property));
        if (value == null) {
            value = environment.get(environmentName(property));
        }
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.strip());
    }

    /** An environment variable only (secrets are never read from system properties, which {@code ps} shows). */
    Optional<String> environmentOnly(String name) {
        String value = environment.get(name);
        return value == null || value.isBlank() ? Optional.empty() : Optional.of(value);
    }

    Optional<Integer> integer(String property) {
        return string(property).map(value -> {
            try {
                return Integer.parseInt(value);
            } catch (NumberFormatException e) {
                throw invalid(property, value, "is not a whole number");
            }
        });
    }

    Optional<Long> longValue(String property) {
        return string(property).map(value -> {
            try {
                return Long.parseLong(value);
            } catch (NumberFormatException e) {
                throw invalid(property, value, "is not a whole number");
            }
        });
    }

    Optional<Boolean> bool(String property) {
        return string(property).map(value -> {
            if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
                return Boolean.parseBoolean(value);
            }
            throw invalid(property, value, "is not true or false");
        });
    }

    Optional<Duration> duration(String property) {
        return string(property).map(value -> {
            try {
                return parseDuration(value);
            } catch (IllegalArgumentException e) {
                throw invalid(property, value, "is not a duration such as 500ms, 10s, 2m or PT10S");
            }
        });
    }

    /** Parses {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h} or an ISO-8601 duration such as {@code PT10S}. */
    static Duration parseDuration(String text) {
        Matcher m = SHORT_DURATION.matcher(text.strip().toLowerCase(Locale.ROOT));
        if (m.matches()) {
            long amount = Long.parseLong(m.group(1));
            return switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                default -> Duration.ofHours(amount);
            };
        }
        try {
            return Duration.parse(text.strip());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(text, e);
        }
    }

    private KefuException invalid(String property, String value, String why) {
        return new KefuException(ErrorCode.INVALID_CONFIG, source(property) + "='" + value + "' " + why);
    }
}
