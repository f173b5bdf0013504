package io.kefu.shop;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The current facts behind one answer: the product the customer looks at (if any) with its stock
 * and size chart, the promotions running now, and the shop's policies. {@link FactsRenderer}
 * turns it into prompt text; grounding checks compare answers against it.
 *
 * @param shopName the shop's name
 * @param product the product, or null for shop-wide questions
 * @param sizeChart the product's size chart, or null
 * @param promotions the promotions active now that apply to the product
 * @param policies the shop's policies
 */
public record ProductFacts(String shopName, Product product, SizeChart sizeChart, List<Promotion> promotions,
                           ShopPolicies policies) {
    /** Copies the promotions and checks for nulls. */
    public ProductFacts {
        Objects.requireNonNull(shopName, "shopName");
        promotions = List.copyOf(promotions);
        Objects.requireNonNull(policies, "policies");
    }

    /** @return the product, if the question is about one */
    public Optional<Product> productOptional() {
        return Optional.ofNullable(product);
    }

    /** @return the size chart, if the product has one */
    public Optional<SizeChart> sizeChartOptional() {
        return Optional.ofNullable(sizeChart);
    }
}
