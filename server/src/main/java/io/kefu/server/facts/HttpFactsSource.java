package io.kefu.server.facts;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.shop.FactsSource;
import io.kefu.shop.FactsUnavailableException;
import io.kefu.shop.Product;
import io.kefu.shop.ProductFacts;
import io.kefu.shop.Promotion;
import io.kefu.shop.ShopCatalog;
import io.kefu.shop.ShopJson;
import io.kefu.shop.ShopPolicies;
import io.kefu.shop.SizeChart;

import java.net.InetAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A shop's facts read from its HTTP JSON API, in the shop folder's formats ({@link ShopJson}):
 * <ul>
 *   <li>{@code GET {base}/shop}: {@code {"shop": {"id", "name"}, "policies", "promotions", "sizeCharts"}};</li>
 *   <li>{@code GET {base}/products/{id}}: one product as {@code catalog.json} lists it, with its current stock; 404 when
 *       there is no such product;</li>
 *   <li>{@code GET {base}/products?name={name}}: the same, looked up by name.</li>
 * </ul>
 * Answers are cached for a short time-to-live (default 5 s), so a burst of questions costs the shop's API one call per
 * product, and a changed price or stock shows within the TTL. A failed call and a product that does not exist are not
 * cached, and nothing stale is used in place of a failed call: an answer past its TTL that cannot be fetched again is {@link FactsUnavailableException}, as is a timeout
 * (default 3 s per call), a status other than 200 (and 404 for a product), or a body that is not valid facts.
 *
 * <p>Build with {@link #builder(URI)}; plain {@code http} is taken only for a loopback host.
 */
public final class HttpFactsSource implements FactsSource {
    /** The largest answer taken; a longer one is not facts Kefu can use. */
    static final int MAX_BODY_BYTES = 4 * 1024 * 1024;
    /** Cached answers kept at most; past it the expired ones go (product ids come from customers' requests). */
    static final int MAX_CACHED = 10_000;

    private final URI base;
    private final Duration timeout;
    private final long ttlNanos;
    private final String bearerToken;
    private final HttpClient client;
    private final ConcurrentHashMap<String, Cached<?>> cache = new ConcurrentHashMap<>();

    private record Cached<T>(T value, long expiresAt) {
    }

    private HttpFactsSource(Builder b) {
        String text = b.base.toString();
        this.base = URI.create(text.endsWith("/") ? text.substring(0, text.length() - 1) : text);
        this.timeout = b.timeout;
        this.ttlNanos = b.ttl.toNanos();
        this.bearerToken = b.bearerToken;
        this.client = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** @param base the API's base URL, e.g. {@code https://shop.example.com/kefu} */
    public static Builder builder(URI base) {
        return new Builder(base);
    }

    @Override
    public String shopName() {
        return shop().shopName();
    }

    @Override
    public Optional<Product> product(String id) {
        return productAt(productPath(id), shop().sizeCharts());
    }

    @Override
    public Optional<Product> productNamed(String name) {
        return productAt("/products?name=" + URLEncoder.encode(name, StandardCharsets.UTF_8), shop().sizeCharts());
    }

    /** The same facts as the default, with the shop-wide part fetched (or taken from the cache) once. */
    @Override
    public ProductFacts facts(Optional<String> productId, LocalDate day) {
        ShopCatalog shop = shop();
        if (productId.isEmpty()) {
            return shop.shopFacts(day);
        }
        Product product = productAt(productPath(productId.get()), shop.sizeCharts()).orElseThrow(() -> new KefuException(ErrorCode.NOT_FOUND,
                "productId: product '" + productId.get() + "' is not in the catalog of " + shop.shopName()));
        return new ShopCatalog(shop.shopId(), shop.shopName(), List.of(product), shop.promotions(), shop.policies(), shop.sizeCharts())
                .factsFor(product, day);
    }

    private static String productPath(String id) {
        return "/products/" + URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private Optional<Product> productAt(String path, List<SizeChart> charts) {
        return cached(path, () -> get(path, true).map(body -> parse(path, () -> ShopJson.product(base + path, body, charts))));
    }

    @Override
    public Optional<SizeChart> sizeChart(String id) {
        return shop().sizeChart(id);
    }

    @Override
    public List<Promotion> promotions(LocalDate day) {
        return shop().promotions().stream().filter(p -> p.activeOn(day)).toList();
    }

    @Override
    public ShopPolicies policies() {
        return shop().policies();
    }

    @Override
    public String description() {
        return base.toString();
    }

    /** The shop-wide facts: a catalog without products. */
    private ShopCatalog shop() {
        return cached("/shop", () -> {
            String body = get("/shop", false).orElseThrow();
            return parse("/shop", () -> ShopJson.shop(base + "/shop", body));
        });
    }

    @SuppressWarnings("unchecked")
    private <T> T cached(String key, java.util.function.Supplier<T> fetch) {
        long now = System.nanoTime();
        Cached<?> hit = cache.get(key);
        if (hit != null && hit.expiresAt() - now > 0) {
            return (T) hit.value();
        }
        T value = fetch.get();
        if (value instanceof Optional<?> found && found.isEmpty()) {
            return value;
        }
        if (cache.size() >= MAX_CACHED) {
            long at = System.nanoTime();
            cache.values().removeIf(entry -> entry.expiresAt() - at <= 0);
            if (cache.size() >= MAX_CACHED) {
                cache.clear();
            }
        }
        cache.put(key, new Cached<>(value, System.nanoTime() + ttlNanos));
        return value;
    }

    private <T> T parse(String path, java.util.function.Supplier<T> parser) {
        try {
            return parser.get();
        } catch (KefuException e) {
            throw new FactsUnavailableException("GET " + base + path + " sent facts that cannot be used: " + e.getMessage(), e);
        }
    }

    /** @return the body of a 200 answer; empty for a 404 when {@code notFoundIsEmpty} */
    private Optional<String> get(String path, boolean notFoundIsEmpty) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).timeout(timeout).header("Accept", "application/json").GET();
        if (bearerToken != null) {
            request.header("Authorization", "Bearer " + bearerToken);
        }
        HttpResponse<byte[]> response;
        java.util.concurrent.CompletableFuture<HttpResponse<byte[]>> call = client.sendAsync(request.build(),
                HttpResponse.BodyHandlers.ofByteArray());
        try {
            // the request's own timeout ends with the headers; this one bounds the body too
            response = call.get(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            call.cancel(true);
            throw new FactsUnavailableException("GET " + base + path + " did not answer within " + timeout.toMillis() + " ms", e);
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof HttpTimeoutException) {
                throw new FactsUnavailableException("GET " + base + path + " did not answer within " + timeout.toMillis() + " ms", cause);
            }
            throw new FactsUnavailableException("GET " + base + path + " failed: " + cause, cause);
        } catch (InterruptedException e) {
            call.cancel(true);
            Thread.currentThread().interrupt();
            throw new FactsUnavailableException("GET " + base + path + " was interrupted", e);
        }
        if (response.statusCode() == 404 && notFoundIsEmpty) {
            return Optional.empty();
        }
        if (response.statusCode() != 200) {
            throw new FactsUnavailableException("GET " + base + path + " answered " + response.statusCode());
        }
        byte[] body = response.body();
        if (body.length > MAX_BODY_BYTES) {
            throw new FactsUnavailableException("GET " + base + path + " answered more than " + MAX_BODY_BYTES + " bytes");
        }
        return Optional.of(new String(body, StandardCharsets.UTF_8));
    }

    /** Drops the cache. Idempotent. */
    @Override
    public void close() {
        cache.clear();
    }

    /** Builds an {@link HttpFactsSource}; {@link #build()} checks the URL. */
    public static final class Builder {
        private final URI base;
        private Duration timeout = Duration.ofSeconds(3);
        private Duration ttl = Duration.ofSeconds(5);
        private String bearerToken;

        private Builder(URI base) {
            this.base = Objects.requireNonNull(base, "base");
        }

        /** @param value how long one call may take, connecting included (default 3 s) */
        public Builder timeout(Duration value) { this.timeout = Objects.requireNonNull(value, "timeout"); return this; }

        /** @param value how long an answer is reused (default 5 s; zero: never) */
        public Builder ttl(Duration value) { this.ttl = Objects.requireNonNull(value, "ttl"); return this; }

        /** @param value sent as {@code Authorization: Bearer ...} on every call (default: none) */
        public Builder bearerToken(String value) { this.bearerToken = value; return this; }

        /**
         * @throws KefuException {@link ErrorCode#INVALID_ARGUMENT} for a URL that is not http(s), plain http to a host that
         *     is not loopback, a query or fragment in the base, or a timeout or TTL out of range
         */
        public HttpFactsSource build() {
            String scheme = base.getScheme() == null ? "" : base.getScheme().toLowerCase(java.util.Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || base.getHost() == null) {
                throw invalid("expected an http(s) URL such as https://shop.example.com/kefu");
            }
            if (base.getRawQuery() != null || base.getRawFragment() != null || base.getRawUserInfo() != null) {
                throw invalid("the base URL may not have a user part, query or fragment (send a token with " + FactsSources.TOKEN_VARIABLE + ")");
            }
            if (scheme.equals("http") && !loopback(base.getHost())) {
                throw invalid("plain http is taken only for a loopback host; use https");
            }
            if (timeout.toMillis() < 100 || timeout.compareTo(Duration.ofMinutes(5)) > 0) {
                throw invalid("the timeout must be 100 ms to 5 min, got " + timeout.toMillis() + " ms");
            }
            if (ttl.isNegative() || ttl.compareTo(Duration.ofHours(1)) > 0) {
                throw invalid("the cache TTL must be 0 to 1 h, got " + ttl.toMillis() + " ms");
            }
            return new HttpFactsSource(this);
        }

        private KefuException invalid(String why) {
            // scheme, host, port and path only: a user part or query could hold credentials
            String shown = base.getScheme() + "://" + base.getHost() + (base.getPort() < 0 ? "" : ":" + base.getPort())
                    + (base.getRawPath() == null ? "" : base.getRawPath());
            return new KefuException(ErrorCode.INVALID_ARGUMENT, "facts URL " + shown + ": " + why);
        }

        /** Whether the host is {@code localhost} or a loopback address literal; decided without a DNS lookup. */
        private static boolean loopback(String host) {
            String literal = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
            if (literal.equalsIgnoreCase("localhost")) {
                return true;
            }
            if (!literal.matches("[0-9.]+") && !literal.contains(":")) {
                return false;
            }
            try {
                return InetAddress.getByName(literal).isLoopbackAddress();
            } catch (UnknownHostException e) {
                return false;
            }
        }
    }
}
