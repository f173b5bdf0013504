package io.kefu.server.facts;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.server.store.Database;
import io.kefu.server.store.ShopStore;
import io.kefu.shop.FactsSource;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

/** Opens the {@link FactsSource} a command line names ({@code kefu serve --facts ...}). */
public final class FactsSources {
    /** The environment variable whose value an HTTP facts source sends as {@code Authorization: Bearer ...}, when set. */
    public static final String TOKEN_VARIABLE = "KEFU_FACTS_TOKEN";

    private FactsSources() {
    }

    /**
     * @param spec {@code jdbc:...} (the shop tables of a Kefu store at that URL), a mapping file ({@code .yaml} or
     *     {@code .yml}, see {@link JdbcFactsSource}), or an {@code http(s)://} base URL (see {@link HttpFactsSource})
     * @param timeout the timeout of one call to an HTTP source and of the Kefu store's pool
     * @throws KefuException {@link ErrorCode#INVALID_ARGUMENT} naming {@code --facts} for anything else, and what the
     *     source's own opening throws
     */
    public static FactsSource open(String spec, Duration timeout) {
        String lower = spec.toLowerCase(Locale.ROOT);
        if (lower.startsWith("jdbc:")) {
            if (!lower.startsWith("jdbc:h2:") && !lower.startsWith("jdbc:postgresql:")) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--facts " + redacted(spec) + ": a JDBC URL names another Kefu store"
                        + " (jdbc:h2:... or jdbc:postgresql:...); for the shop's own database write a mapping file (.yaml)");
            }
            return ShopStore.open(spec, new Database.Pool(Database.Pool.DEFAULT_SIZE, timeout));
        }
        if (lower.startsWith("http://") || lower.startsWith("https://")) {
            URI uri;
            try {
                uri = new URI(spec);
            } catch (URISyntaxException e) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--facts " + spec + ": not a URL: " + e.getReason());
            }
            return HttpFactsSource.builder(uri).timeout(timeout).bearerToken(System.getenv(TOKEN_VARIABLE)).build();
        }
        if (lower.endsWith(".yaml") || lower.endsWith(".yml")) {
            Path file = Path.of(spec);
            if (!Files.isRegularFile(file)) {
                throw new KefuException(ErrorCode.NOT_FOUND, "--facts " + spec + ": no such mapping file");
            }
            return JdbcFactsSource.open(file);
        }
        throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--facts " + redacted(spec)
                + ": expected a JDBC URL (jdbc:...), a mapping file (.yaml) or an http(s):// URL");
    }

    /** @return the spec without a query string, which may hold credentials */
    private static String redacted(String spec) {
        int query = spec.indexOf('?');
        return query < 0 ? spec : spec.substring(0, query) + "?...";
    }
}
