package io.kefu.runtime.hub;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the hub is, who we are, where the cache lives and whether we may go online, read from
 * the same environment variables as Python's {@code huggingface_hub}:
 *
 * <ul>
 *   <li>{@code HF_ENDPOINT}: the hub or a mirror (default {@code https://huggingface.co});</li>
 *   <li>{@code HF_TOKEN}: an access token for gated or private models; else the file named by
 *       {@code HF_TOKEN_PATH} (default {@code $HF_HOME/token}), as written by {@code huggingface-cli login};</li>
 *   <li>{@code HF_HUB_CACHE}: the cache (default {@code $HF_HOME/hub}); {@code HF_HOME} defaults to
 *       {@code $XDG_CACHE_HOME/huggingface}, and that to {@code ~/.cache/huggingface};</li>
 *   <li>{@code HF_HUB_OFFLINE}: {@code 1}/{@code true}/{@code yes}/{@code on} resolves from the cache only (default off).</li>
 * </ul>
 *
 * @param endpoint the hub's base URL, without a trailing slash
 * @param token the access token, if any (never printed)
 * @param cacheDir the hub cache folder ({@code .../huggingface/hub})
 * @param offline whether to resolve from the cache only
 */
public record HubSettings(URI endpoint, Optional<String> token, Path cacheDir, boolean offline) {
    /** The public hub. */
    public static final String DEFAULT_ENDPOINT = "https://huggingface.co";

    /** Checks the fields and trims a trailing slash from the endpoint. */
    public HubSettings {
        Objects.requireNonNull(endpoint, "endpoint");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(cacheDir, "cacheDir");
        String scheme = endpoint.getScheme();
        if (endpoint.getHost() == null || !("https".equals(scheme) || "http".equals(scheme))) {
            throw new KefuException(ErrorCode.INVALID_CONFIG, "HF_ENDPOINT '" + endpoint + "' is not an http(s) URL");
        }
        String text = endpoint.toString();
        if (text.endsWith("/")) {
            endpoint = URI.create(text.substring(0, text.length() - 1));
        }
        token = token.map(String::strip).filter(t -> !t.isEmpty());
    }

    /** @return the settings of this process's environment */
    public static HubSettings fromEnvironment() {
        return fromEnvironment(System.getenv(), Path.of(System.getProperty("user.home")));
    }

    /**
     * @param env environment variables
     * @param userHome the home folder, for the {@code ~/.cache} default
     * @return the settings these variables describe
     */
    public static HubSettings fromEnvironment(Map<String, String> env, Path userHome) {
        Path cacheHome = value(env, "XDG_CACHE_HOME").map(Path::of).orElse(userHome.resolve(".cache"));
        Path hfHome = value(env, "HF_HOME").map(Path::of).orElse(cacheHome.resolve("huggingface"));
        Path cache = value(env, "HF_HUB_CACHE").or(() -> value(env, "HUGGINGFACE_HUB_CACHE"))
                .map(Path::of).orElse(hfHome.resolve("hub"));
        String endpoint = value(env, "HF_ENDPOINT").orElse(DEFAULT_ENDPOINT);
        URI uri;
        try {
            uri = URI.create(endpoint);
        } catch (IllegalArgumentException e) {
            throw new KefuException(ErrorCode.INVALID_CONFIG, "HF_ENDPOINT '" + endpoint + "' is not a URL: " + e.getMessage(), e);
        }
        Optional<String> token = value(env, "HF_TOKEN").or(() -> value(env, "HUGGING_FACE_HUB_TOKEN"))
                .or(() -> readToken(value(env, "HF_TOKEN_PATH").map(Path::of).orElse(hfHome.resolve("token"))));
        return new HubSettings(uri, token, cache, isTrue(value(env, "HF_HUB_OFFLINE").orElse("")));
    }

    /** @return a copy with another cache folder */
    public HubSettings withCacheDir(Path value) {
        return new HubSettings(endpoint, token, value, offline);
    }

    /** @return a copy that is offline or not */
    public HubSettings withOffline(boolean value) {
        return new HubSettings(endpoint, token, cacheDir, value);
    }

    @Override
    public String toString() {
        return "HubSettings[endpoint=" + endpoint + ", token=" + (token.isPresent() ? "(set)" : "(none)")
                + ", cacheDir=" + cacheDir + ", offline=" + offline + "]";
    }

    private static Optional<String> value(Map<String, String> env, String name) {
        return Optional.ofNullable(env.get(name)).map(String::strip).filter(v -> !v.isEmpty());
    }

    private static Optional<String> readToken(Path file) {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Files.readString(file, StandardCharsets.UTF_8).strip()).filter(t -> !t.isEmpty());
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, file + ": cannot read the hub token: " + e.getMessage(), e);
        }
    }

    private static boolean isTrue(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "1", "true", "yes", "on" -> true;
            default -> false;
        };
    }
}
