package io.kefu.engine.remote;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads {@code kefu.remote.*} settings: a system property wins over its environment variable, whose
 * name is the property's in upper snake case ({@code kefu.remote.maxAttempts} ->
 * {@code KEFU_REMOTE_MAX_ATTEMPTS}).
 */
final class Settings {
    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");

    private final Properties properties;
    private final Map<String, String> environment;

    Settings(Properties properties, Map<String, String> environment) {
        this.properties = properties;
        this.environment = environment;
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
        return properties.getProperty(property) != null
                ? "system property " + property
                : "environment variable " + environmentName(property);
    }

    Optional<String> string(String property) {
        String value = properties.getProperty(property);
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
