package io.kefu.shop;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Random;

/**
 * Draws random {@link Scenario}s for a catalog: a phrasing from a pool, then values for the slots it
 * uses (a colour and size the product has, a height and weight inside its size chart, a city,
 * a carrier, a payment method).
 */
public final class ScenarioSampler {
    /** Cities customers name that are in no shop's named delivery area unless the shop lists them. */
    static final List<String> CITIES = List.of("北京", "广州", "深圳", "成都", "武汉", "西安", "重庆", "长沙", "天津", "青岛",
            "厦门", "郑州", "沈阳", "昆明", "哈尔滨", "合肥", "福州", "济南");
    /** Carriers customers ask for; some shops offer them, some do not. */
    static final List<String> CARRIERS = List.of("顺丰速运", "京东快递", "圆通快递", "中通快递", "韵达快递", "EMS", "极兔速递");
    /** Payment methods customers ask about. */
    static final List<String> METHODS = List.of("微信支付", "支付宝", "花呗", "信用卡", "云闪付", "数字人民币");

    private final ShopCatalog catalog;
    private final Phrasings phrasings;

    /**
     * @param catalog the shop whose products and policies fill the slots
     * @param phrasings the question phrasings to draw from (usually {@link Phrasings#standard()})
     */
    public ScenarioSampler(ShopCatalog catalog, Phrasings phrasings) {
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.phrasings = Objects.requireNonNull(phrasings, "phrasings");
    }

    /** @return a random scenario of {@code intent} with a phrasing from {@code pool} */
    public Scenario sample(Intent intent, PhrasingPool pool, Random random) {
        Product product = catalog.products().get(random.nextInt(catalog.products().size()));
        List<String> options = phrasings.of(intent, pool);
        String phrasing = options.get(random.nextInt(options.size()));
        String color = product.colors().get(random.nextInt(product.colors().size()));
        String size = product.sizes().get(random.nextInt(product.sizes().size()));
        if (intent == Intent.STOCK_SIZE && random.nextInt(3) == 0) {
            // sold-out sizes are what customers most need a right answer about: ask about one a third of the time
            List<String[]> soldOut = new ArrayList<>();
            for (String c : product.colors()) {
                for (String s : product.sizes()) {
                    if (product.stockOf(c, s) == 0) {
                        soldOut.add(new String[] {c, s});
                    }
                }
            }
            if (!soldOut.isEmpty()) {
                String[] pick = soldOut.get(random.nextInt(soldOut.size()));
                color = pick[0];
                size = pick[1];
            }
        }
        int height = 0;
        int weight = 0;
        if (intent == Intent.SIZE_ADVICE) {
            SizeChart chart = catalog.sizeChart(product.sizeChart()).orElseThrow().forSizes(product.sizes());
            int index = random.nextInt(chart.rows().size());
            SizeChart.Row row = chart.rows().get(index);
            height = between(row.heightMin(), row.heightMax(), random);
            // now and then a weight from the neighbouring row, so that advice sometimes has to reconcile the two
            int weightIndex = random.nextInt(4) == 0 ? Math.min(chart.rows().size() - 1, index + 1) : index;
            SizeChart.Row weightRow = chart.rows().get(weightIndex);
            weight = between(weightRow.weightMin(), weightRow.weightMax(), random);
        }
        String city = pickCity(random);
        String carrier = random.nextBoolean() && catalog.policies().carriers().size() > 1
                ? catalog.policies().carriers().get(1 + random.nextInt(catalog.policies().carriers().size() - 1)).name()
                : CARRIERS.get(random.nextInt(CARRIERS.size()));
        String method = METHODS.get(random.nextInt(METHODS.size()));
        return new Scenario(intent, product, phrasing, color, size, height, weight, city, carrier, method);
    }

    private String pickCity(Random random) {
        List<String> places = new ArrayList<>(CITIES);
        for (ShopPolicies.DeliveryArea area : catalog.policies().areas()) {
            places.addAll(area.places());
        }
        return places.get(random.nextInt(places.size()));
    }

    private static int between(int min, int max, Random random) {
        return min + random.nextInt(max - min + 1);
    }
}
