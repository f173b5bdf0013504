package io.kefu.shop.augment;

import io.kefu.shop.AnswerStyle;
import io.kefu.shop.DialogComposer;
import io.kefu.shop.Intent;
import io.kefu.shop.Phrasings;
import io.kefu.shop.PhrasingPool;
import io.kefu.shop.Product;
import io.kefu.shop.Promotion;
import io.kefu.shop.Scenario;
import io.kefu.shop.ShopCatalog;
import io.kefu.shop.ShopDialog;
import io.kefu.shop.ShopPolicies;
import io.kefu.shop.SizeChart;
import io.kefu.data.Provenance;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Random;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;

/**
 * Fills the answer templates from a shop catalog over the cross product of products x colours x
 * sizes (so every stock level, sold-out sizes included) x promotion periods x intents x training
 * phrasings, and draws as many distinct dialogs as asked. Promotion periods are the days on which
 * the set of active promotions changes, so the same question is answered with and without a
 * promotion. Every dialog records {@code template(<product id>)} provenance naming its slots.
 */
public final class TemplateFiller {
    /** The provenance method of template-filled dialogs. */
    public static final String METHOD = "template";

    private static final List<String> OTHER_CITIES = List.of("北京", "成都");
    private static final List<String> METHODS = List.of("微信支付", "支付宝", "花呗", "信用卡", "云闪付");
    private static final String NOT_OFFERED_CARRIER = "京东快递";

    private final ShopCatalog catalog;
    private final LocalDate day;
    private final AnswerStyle style;
    private final Phrasings phrasings;

    /**
     * @param catalog the shop
     * @param day the reference day; the promotion periods around it are the other days used
     * @param style the answers' tone
     */
    public TemplateFiller(ShopCatalog catalog, LocalDate day, AnswerStyle style) {
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.day = Objects.requireNonNull(day, "day");
        this.style = Objects.requireNonNull(style, "style");
        this.phrasings = Phrasings.standard();
    }

    /** @return the days used: {@code day} plus each promotion's first day and the day after its last, sorted */
    public List<LocalDate> days() {
        TreeSet<LocalDate> days = new TreeSet<>();
        days.add(day);
        for (Promotion p : catalog.promotions()) {
            days.add(p.validFrom());
            days.add(p.validTo().plusDays(1));
        }
        return List.copyOf(days);
    }

    /** @return every scenario on one day (before promotion periods are crossed in), in a fixed order */
    public List<Scenario> scenarios() {
        List<Scenario> out = new ArrayList<>();
        ShopPolicies policies = catalog.policies();
        for (Product product : catalog.products()) {
            for (Intent intent : Intent.values()) {
                for (String phrasing : phrasings.of(intent, PhrasingPool.TRAIN)) {
                    addScenarios(out, intent, product, phrasing, policies);
                }
            }
        }
        return out;
    }

    private void addScenarios(List<Scenario> out, Intent intent, Product product, String phrasing, ShopPolicies policies) {
        boolean color = phrasing.contains("{color}");
        boolean size = phrasing.contains("{size}");
        if (color || size) {
            for (String c : color ? product.colors() : List.of(product.colors().get(0))) {
                for (String s : product.sizes()) {
                    out.add(new Scenario(intent, product, phrasing, c, s, 0, 0, null, null, null));
                }
            }
        } else if (phrasing.contains("{height}")) {
            SizeChart chart = catalog.sizeChart(product.sizeChart()).orElseThrow().forSizes(product.sizes());
            for (SizeChart.Row row : chart.rows()) {
                out.add(new Scenario(intent, product, phrasing, null, null, (row.heightMin() + row.heightMax()) / 2,
                        (row.weightMin() + row.weightMax()) / 2, null, null, null));
            }
        } else if (phrasing.contains("{city}")) {
            List<String> cities = new ArrayList<>(OTHER_CITIES);
            policies.areas().forEach(a -> cities.add(a.places().get(0)));
            for (String city : cities) {
                out.add(new Scenario(intent, product, phrasing, null, null, 0, 0, city, null, null));
            }
        } else if (phrasing.contains("{carrier}")) {
            List<String> carriers = new ArrayList<>();
            policies.carriers().forEach(c -> carriers.add(c.name()));
            if (!carriers.contains(NOT_OFFERED_CARRIER)) {
                carriers.add(NOT_OFFERED_CARRIER);
            }
            for (String carrier : carriers) {
                out.add(new Scenario(intent, product, phrasing, null, null, 0, 0, null, carrier, null));
            }
        } else if (phrasing.contains("{method}")) {
            for (String method : METHODS) {
                out.add(new Scenario(intent, product, phrasing, null, null, 0, 0, null, null, method));
            }
        } else {
            out.add(new Scenario(intent, product, phrasing, null, null, 0, 0, null, null, null));
        }
    }

    /**
     * Draws (scenario, day) combinations in a seeded order and composes them until {@code count}
     * dialogs with distinct prompts are made.
     *
     * @return at most {@code count} dialogs (fewer when the catalog has fewer combinations), ids
     *     {@code tpl-000001 ...}
     */
    public List<ShopDialog> fill(int count, long seed) {
        if (count < 0) {
            throw new io.kefu.KefuException(io.kefu.ErrorCode.INVALID_ARGUMENT, "count=" + count + ": must not be negative");
        }
        List<Scenario> scenarios = scenarios();
        List<LocalDate> days = days();
        int combinations = Math.multiplyExact(scenarios.size(), days.size());
        List<Integer> order = new ArrayList<>(combinations);
        for (int i = 0; i < combinations; i++) {
            order.add(i);
        }
        Random random = new Random(seed);
        Collections.shuffle(order, random);
        List<DialogComposer> composers = new ArrayList<>();
        for (LocalDate d : days) {
            composers.add(new DialogComposer(catalog, d, style));
        }
        // different days can give the same facts (a promotion that does not apply to the product): keep prompts distinct
        Set<String> prompts = new HashSet<>();
        List<ShopDialog> out = new ArrayList<>(Math.min(count, combinations));
        for (int i = 0; i < combinations && out.size() < count; i++) {
            Scenario scenario = scenarios.get(order.get(i) / days.size());
            int dayIndex = order.get(i) % days.size();
            String id = String.format("tpl-%06d", out.size() + 1);
            Provenance provenance = new Provenance(METHOD, scenario.product().id(), 0, describe(scenario, days.get(dayIndex)));
            ShopDialog dialog = composers.get(dayIndex).compose(id, scenario, random, provenance);
            if (prompts.add(dialog.instruction() + "\n" + dialog.input())) {
                out.add(dialog);
            }
        }
        return out;
    }

    private static String describe(Scenario s, LocalDate day) {
        StringBuilder d = new StringBuilder("intent=").append(s.intent().wireName()).append(" day=").append(day);
        if (s.uses("color")) {
            d.append(" color=").append(s.color());
        }
        if (s.uses("size")) {
            d.append(" size=").append(s.size());
        }
        if (s.uses("height")) {
            d.append(" height=").append(s.heightCm()).append(" weight=").append(s.weightKg());
        }
        if (s.uses("city")) {
            d.append(" city=").append(s.city());
        }
        if (s.uses("carrier")) {
            d.append(" carrier=").append(s.carrier());
        }
        if (s.uses("method")) {
            d.append(" method=").append(s.method());
        }
        return d.toString();
    }
}
