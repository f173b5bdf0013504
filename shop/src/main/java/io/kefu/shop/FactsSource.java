package io.kefu.shop;

import io.kefu.ErrorCode;
import io.kefu.KefuException;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where a shop's live facts come from: products with their current price and stock, the promotions running, the
 * policies. The server reads it on every question; implementations read Kefu's own store, a shop's database through
 * a mapping file, or a shop's HTTP API.
 *
 * <p>Every method throws {@link FactsUnavailableException} when the facts cannot be read (the source is down, slow,
 * or sends data that does not make sense) — never an empty or made-up value in their place. Implementations are
 * thread-safe.
 */
public interface FactsSource extends AutoCloseable {
    /** @return the shop's name, as customers see it */
    String shopName();

    /** @return the product with this id, with its current stock; empty when the shop has no such product */
    Optional<Product> product(String id);

    /** @return the product with exactly this name, with its current stock; empty when the shop has none */
    Optional<Product> productNamed(String name);

    /** @return the size chart with this id, if the shop has it */
    Optional<SizeChart> sizeChart(String id);

    /** @return the promotions running on {@code day}, for any category, in the shop's order */
    List<Promotion> promotions(LocalDate day);

    /** @return the shop's shipping, invoice, payment and after-sales rules */
    ShopPolicies policies();

    /** @return what this source reads, for logs and messages (never a password) */
    String description();

    /**
     * The facts for a question asked on {@code day}: about one product (its size chart limited to its sizes, the
     * promotions that apply to its category), or shop-wide when {@code productId} is empty (the whole-shop
     * promotions only) — what {@link ShopCatalog#factsFor} and {@link ShopCatalog#shopFacts} build from files.
     *
     * @throws KefuException {@link ErrorCode#NOT_FOUND} naming an unknown product
     * @throws FactsUnavailableException when the facts cannot be read
     */
    default ProductFacts facts(Optional<String> productId, LocalDate day) {
        String shopName = shopName();
        ShopPolicies policies = policies();
        List<Promotion> running = promotions(day);
        if (productId.isEmpty()) {
            return new ProductFacts(shopName, null, null, applying(running, null), policies);
        }
        Product product = product(productId.get()).orElseThrow(() -> new KefuException(ErrorCode.NOT_FOUND,
                "productId: product '" + productId.get() + "' is not in the catalog of " + shopName));
        SizeChart chart = product.sizeChart().isEmpty() ? null
                : sizeChart(product.sizeChart()).map(c -> c.forSizes(product.sizes())).orElse(null);
        return new ProductFacts(shopName, product, chart, applying(running, product), policies);
    }

    /** @return the promotions of {@code running} that apply to the product (only whole-shop ones when it is null), in order */
    static List<Promotion> applying(List<Promotion> running, Product product) {
        List<Promotion> out = new ArrayList<>();
        for (Promotion promotion : running) {
            if (product == null ? promotion.categories().isEmpty() : promotion.appliesTo(product.category())) {
                out.add(promotion);
            }
        }
        return out;
    }

    /** Releases connections and threads; nothing by default. Idempotent. */
    @Override
    default void close() {
    }
}
