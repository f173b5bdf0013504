package io.kefu.shop;

import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A second month of the sample shop, for the monthly re-training example: the shop starts selling a
 * new product in a new category ({@link #NEW_PRODUCT}, a down jacket) with a promotion of its own
 * ({@link #NEW_PROMOTION}, limited to that category so the facts of every earlier product stay as
 * they were), and customers ask about it.
 */
public final class ShopMonths {
    /** The product the shop adds in the second month. */
    public static final Product NEW_PRODUCT = new Product("1033", "轻薄短款羽绒服", "羽绒服", 459, List.of("S", "M", "L", "XL"),
            List.of("奶白", "曜黑"), stock(), "白鸭绒90% 面料锦纶100%", "专业干洗,不可机洗甩干", "tops", 7);

    /** The promotion the shop starts with it: 满399减60 on the new category. */
    public static final Promotion NEW_PROMOTION = new Promotion("P4", PromotionType.FULL_REDUCTION, 399, 60,
            LocalDate.of(2026, 11, 18), LocalDate.of(2026, 12, 31), List.of(NEW_PRODUCT.category()), "", "");

    /** The intents whose answers depend on the product asked about, and their weights in the new product's dialogs. */
    static final Map<Intent, Integer> PRODUCT_INTENTS = productIntents();

    private ShopMonths() {
    }

    /** @return the catalog with {@link #NEW_PRODUCT} and {@link #NEW_PROMOTION} added */
    public static ShopCatalog secondMonth(ShopCatalog catalog) {
        List<Product> products = new ArrayList<>(catalog.products());
        products.add(NEW_PRODUCT);
        List<Promotion> promotions = new ArrayList<>(catalog.promotions());
        promotions.add(NEW_PROMOTION);
        return new ShopCatalog(catalog.shopId(), catalog.shopName(), products, promotions, catalog.policies(), catalog.sizeCharts());
    }

    /**
     * Dialogs about the new product only (stock, size advice, promotions, material, hesitation), with
     * facts as the second month's catalog renders them; held-out questions from the test phrasings.
     *
     * @param secondMonth the catalog of {@link #secondMonth}
     * @param config seed, counts, day and tone; its intent weights are replaced by the product intents'
     * @param idPrefix put before every id, so the ids differ from those of the first month's dialogs
     */
    public static DialogGenerator.Generated newProductDialogs(ShopCatalog secondMonth, DialogGenerator.Config config, String idPrefix) {
        Product product = secondMonth.requireProduct(NEW_PRODUCT.id());
        ShopCatalog only = new ShopCatalog(secondMonth.shopId(), secondMonth.shopName(), List.of(product), secondMonth.promotions(),
                secondMonth.policies(), secondMonth.sizeCharts());
        DialogGenerator.Config productConfig = DialogGenerator.Config.builder().seed(config.seed()).day(config.day())
                .style(config.style()).trainCount(config.trainCount()).testCount(config.testCount()).weights(PRODUCT_INTENTS).build();
        return new DialogGenerator(productConfig).generate(only, idPrefix);
    }

    private static Map<String, Map<String, Integer>> stock() {
        Map<String, Map<String, Integer>> stock = new LinkedHashMap<>();
        stock.put("奶白", sizes(26, 41, 0, 12));
        stock.put("曜黑", sizes(8, 0, 33, 19));
        return stock;
    }

    private static Map<String, Integer> sizes(int s, int m, int l, int xl) {
        Map<String, Integer> bySize = new LinkedHashMap<>();
        bySize.put("S", s);
        bySize.put("M", m);
        bySize.put("L", l);
        bySize.put("XL", xl);
        return bySize;
    }

    private static Map<Intent, Integer> productIntents() {
        Map<Intent, Integer> w = new EnumMap<>(Intent.class);
        for (Intent intent : Intent.values()) {
            w.put(intent, 0);
        }
        // one product has few distinct promotion, material and hesitation dialogs (a phrasing each), many of stock and size
        w.put(Intent.STOCK_SIZE, 50);
        w.put(Intent.SIZE_ADVICE, 30);
        w.put(Intent.PROMOTION, 8);
        w.put(Intent.MATERIAL_CARE, 6);
        w.put(Intent.HESITATION, 6);
        return java.util.Collections.unmodifiableMap(w);
    }
}
