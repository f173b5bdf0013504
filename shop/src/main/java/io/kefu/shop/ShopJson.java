package io.kefu.shop;

import io.kefu.ErrorCode;
import io.kefu.KefuException;

import java.util.List;

/**
 * Reads a shop's facts from JSON text in the formats of the shop folder ({@code examples/shop/README.md}), for facts
 * that come from elsewhere than files (a shop's HTTP API, a JSON column). Every problem is a {@link KefuException}
 * ({@link ErrorCode#INVALID_DATA}) naming the origin, the line and the field.
 */
public final class ShopJson {
    private ShopJson() {
    }

    /**
     * The shop-wide facts:
     * {@code {"shop": {"id", "name"}, "policies": {...}, "promotions": [...], "sizeCharts": [...]}}, where
     * {@code policies} is {@code policies.json}, {@code promotions} the array of {@code promotions.json} and
     * {@code sizeCharts} the {@code charts} array of {@code size_chart.json}.
     *
     * @param origin where the text came from (a URL or file), for messages
     * @return a catalog with no products: its name, policies, promotions and size charts
     */
    public static ShopCatalog shop(String origin, String json) {
        JsonSource.Node root = JsonSource.parse(origin, json).root();
        JsonSource.Node shop = root.field("shop");
        List<SizeChart> charts = root.has("sizeCharts") ? ShopFiles.readSizeCharts(root.field("sizeCharts")) : List.of();
        List<Promotion> promotions = root.has("promotions") ? ShopFiles.readPromotions(root.field("promotions"), null) : List.of();
        return new ShopCatalog(shop.field("id").nonBlankText(), shop.field("name").nonBlankText(), List.of(), promotions,
                ShopFiles.readPolicies(root.field("policies")), charts);
    }

    /**
     * One product as {@code catalog.json} lists it: {@code {"id", "name", "category", "price", "sizes", "colors", "stock",
     * "material", "care", "sizeChart", "restockDays"?}}.
     *
     * @param charts the size charts its {@code sizeChart} must name
     */
    public static Product product(String origin, String json, List<SizeChart> charts) {
        return ShopFiles.readProduct(JsonSource.parse(origin, json).root(), charts);
    }

    /** @return the policies of a {@code policies.json} document */
    public static ShopPolicies policies(String origin, String json) {
        return ShopFiles.readPolicies(JsonSource.parse(origin, json).root());
    }
}
