package io.kefu.shop;

import io.kefu.data.Provenance;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;

/**
 * Writes the question and answer of one {@link Scenario} from a catalog's facts. Answers follow a
 * small, fixed set of templates per intent (a tiny model can learn them) and take every number,
 * size and colour from the facts or the question, so each answer agrees with its prompt.
 *
 * <p>Handoff answers (complaints, requests for a person) use strategy {@link Intent#HANDOFF} and say
 * that a human colleague (人工客服同事) takes over.
 */
public final class DialogComposer {
    private final ShopCatalog catalog;
    private final LocalDate day;
    private final AnswerStyle style;

    /**
     * @param catalog the shop
     * @param day the day whose promotions are active
     * @param style the tone of answers
     */
    public DialogComposer(ShopCatalog catalog, LocalDate day, AnswerStyle style) {
        this.catalog = Objects.requireNonNull(catalog, "catalog");
        this.day = Objects.requireNonNull(day, "day");
        this.style = Objects.requireNonNull(style, "style");
    }

    /** @return the catalog answers are written from */
    public ShopCatalog catalog() {
        return catalog;
    }

    /** @return the day whose promotions are active */
    public LocalDate day() {
        return day;
    }

    /**
     * Composes a dialog.
     *
     * @param id the dialog's id
     * @param scenario what is asked
     * @param random draws the greeting and the template variant
     * @param provenance recorded on the dialog, or null
     */
    public ShopDialog compose(String id, Scenario scenario, Random random, Provenance provenance) {
        ProductFacts facts = catalog.factsFor(scenario.product(), day);
        Answer answer = answer(scenario, facts, random);
        return new ShopDialog(id, ShopPrompt.persona(catalog.shopName()), scenario.question(),
                FactsRenderer.render(facts), answer.text, scenario.intent().wireName(), answer.strategy, null, provenance);
    }

    private record Answer(String text, String strategy) {
    }

    private Answer answer(Scenario s, ProductFacts facts, Random random) {
        Text t = new Text(style, random);
        return switch (s.intent()) {
            case STOCK_SIZE -> stock(s, facts, t);
            case SIZE_ADVICE -> sizeAdvice(s, facts, t);
            case INVOICE -> invoice(facts.policies().invoice(), t);
            case DELIVERY_TIME -> delivery(s, facts.policies(), t);
            case RETURNS -> returns(facts.policies().returns(), t);
            case PROMOTION -> promotion(facts.promotions(), t);
            case HESITATION -> hesitation(facts, t);
            case PAYMENT_COD -> payment(s, facts.policies().payment(), t);
            case MATERIAL_CARE -> material(s.product(), t);
            case ORDER_STATUS -> new Answer(t.fill(t.pick(
                    "{hi},付款后" + facts.policies().dispatchHours() + "小时内发货,发货后可以在「我的订单」里查看物流{e}方便发一下订单号吗?我帮您查一下{e}",
                    "{hi},方便发一下订单号吗?我帮您查一下物流{e}本店付款后" + facts.policies().dispatchHours() + "小时内发货{o}{e}")),
                    "ask_order_id");
            case COMPLAINT -> new Answer(t.fill(t.pick(
                    "{hi},非常抱歉给您带来不好的体验!这边马上为您转接人工客服同事处理,请稍等{e}",
                    "{hi},实在抱歉让您不满意了,已为您转接人工客服同事,会尽快帮您处理{e}")), Intent.HANDOFF);
            case HUMAN_REQUEST -> new Answer(t.fill("{hi},好的,马上为您转接人工客服同事,请稍等{e}人工客服在线时间是"
                    + facts.policies().serviceHours() + "{o}{e}"), Intent.HANDOFF);
            case OUT_OF_SCOPE -> new Answer(t.fill(t.pick(
                    "{hi},这个问题我暂时帮不上忙{o}{e}商品、尺码、物流和售后的问题随时问我{o}{e}",
                    "{hi},这个我回答不了呢{e}关于商品、尺码、物流和售后,有问题随时找我{o}{e}")), "redirect");
        };
    }

    private Answer stock(Scenario s, ProductFacts facts, Text t) {
        Product p = s.product();
        String size = s.size();
        if (!s.uses("color")) {
            List<String> parts = new ArrayList<>();
            boolean any = false;
            for (String color : p.colors()) {
                int n = p.stockOf(color, size);
                any |= n > 0;
                parts.add(n > 0 ? color + "还有" + n + "件" : color + "暂时缺货");
            }
            if (!any) {
                return new Answer(t.fill("{hi}," + size + "码各个颜色都暂时缺货{o}" + restock(p)), "restock_notice");
            }
            return new Answer(t.fill("{hi}," + size + "码" + String.join(",", parts) + "{e}"), "confirm_stock");
        }
        String color = s.color();
        int n = p.stockOf(color, size);
        String item = color + size + "码";
        if (n > 5) {
            String promo = facts.promotions().isEmpty() ? "" : "下单可享" + facts.promotions().get(0).label() + "{e}";
            return new Answer(t.fill(t.pick(
                    "{hi}," + item + "有货{o},现在还有" + n + "件{e}" + promo,
                    "{hi},有的{o}!" + item + "现在还有" + n + "件,喜欢可以放心下单{e}")), "confirm_stock");
        }
        if (n > 0) {
            return new Answer(t.fill("{hi}," + item + "只剩" + n + "件了,喜欢的话早点下单{o}{e}"), "low_stock");
        }
        String alternative = "";
        for (String other : p.colors()) {
            int m = p.stockOf(other, size);
            if (!other.equals(color) && m > 0) {
                alternative = other + size + "码还有" + m + "件,要不要看看?";
                break;
            }
        }
        if (alternative.isEmpty()) {
            for (String otherSize : p.sizes()) {
                if (p.stockOf(color, otherSize) > 0) {
                    alternative = color + otherSize + "码有现货,可以对照尺码表看看{e}";
                    break;
                }
            }
        }
        return new Answer(t.fill("{hi}," + item + "暂时缺货{o}" + restock(p) + alternative),
                alternative.isEmpty() ? "restock_notice" : "suggest_alternative");
    }

    private static String restock(Product p) {
        return p.restockDays() > 0 ? ",预计" + p.restockDays() + "天左右补货,可以先收藏{e}" : ",暂时没有补货计划{e}";
    }

    private Answer sizeAdvice(Scenario s, ProductFacts facts, Text t) {
        Optional<SizeChart.Advice> advice = facts.sizeChartOptional().flatMap(c -> c.recommend(s.heightCm(), s.weightKg()));
        if (advice.isEmpty()) {
            return new Answer(t.fill("{hi}," + s.heightCm() + "cm、" + s.weightKg()
                    + "kg超出了这款的尺码表范围,为您转接人工客服同事帮您推荐{e}"), Intent.HANDOFF);
        }
        String size = advice.get().size();
        String head = advice.get().mixed()
                ? "{hi}," + s.heightCm() + "cm和" + s.weightKg() + "kg在尺码表里对应的码数不一样,建议选大一点的" + size + "码,穿着更舒服{e}"
                : "{hi}," + s.heightCm() + "cm、" + s.weightKg() + "kg按尺码表建议选" + size + "码{o}{e}";
        Product p = s.product();
        List<String> inStock = new ArrayList<>();
        for (String color : p.colors()) {
            if (p.stockOf(color, size) > 0) {
                inStock.add(color);
            }
        }
        String tail = inStock.isEmpty()
                ? size + "码暂时缺货" + restock(p)
                : String.join("、", inStock) + "的" + size + "码" + (inStock.size() > 1 ? "都" : "") + "有货{e}";
        return new Answer(t.fill(head + tail), "size_recommend");
    }

    private Answer invoice(ShopPolicies.Invoice invoice, Text t) {
        if (!invoice.available()) {
            return new Answer(t.fill("{hi},本店暂不支持开发票{o},请您谅解{e}"), "inform");
        }
        String types = String.join("、", invoice.types());
        return new Answer(t.fill(t.pick(
                "{hi},可以开" + types + "{o}," + invoice.howTo() + "就可以{e}",
                "{hi},可以的{o},本店提供" + types + "," + invoice.howTo() + "即可{e}")), "inform");
    }

    private Answer delivery(Scenario s, ShopPolicies policies, Text t) {
        ShopPolicies.Carrier main = policies.defaultCarrier();
        String dispatch = "付款后" + policies.dispatchHours() + "小时内发货";
        if (s.uses("carrier")) {
            for (ShopPolicies.Carrier carrier : policies.carriers()) {
                if (carrier.name().equals(s.carrier())) {
                    String fee = carrier.extraFee() == 0 ? "包邮{o}" : "需要加" + carrier.extraFee() + "元{o}";
                    return new Answer(t.fill("{hi},可以发" + carrier.name() + "," + fee + "{e}" + dispatch + "{e}"), "inform");
                }
            }
            List<String> names = policies.carriers().stream().map(ShopPolicies.Carrier::name).toList();
            return new Answer(t.fill("{hi},暂时不支持" + s.carrier() + "{o},目前可以发" + String.join("、", names)
                    + "," + dispatch + "{e}"), "inform");
        }
        String carrier = main.name() + (main.extraFee() == 0 ? "包邮" : "");
        if (s.uses("city")) {
            return new Answer(t.fill("{hi}," + dispatch + ",默认" + carrier + ",寄到" + s.city() + "预计"
                    + policies.deliveryDaysTo(s.city()) + "天到{o}{e}"), "inform");
        }
        List<String> times = new ArrayList<>();
        for (ShopPolicies.DeliveryArea area : policies.areas()) {
            times.add(area.name() + area.days() + "天");
        }
        times.add("其他地区" + policies.otherAreaDays() + "天");
        return new Answer(t.fill("{hi}," + dispatch + ",默认" + carrier + "{e}一般" + String.join(",", times) + "能到{o}{e}"), "inform");
    }

    private Answer returns(ShopPolicies.Returns returns, Text t) {
        if (returns.days() == 0) {
            return new Answer(t.fill("{hi},本店暂不支持无理由退换{o},有质量问题可以找人工客服处理{e}"), "inform");
        }
        String rule = returns.days() + "天无理由" + (returns.exchange() ? "退换" : "退货");
        String insurance = returns.shippingInsurance() ? "还送运费险,退换更放心{e}" : "退回的运费需要自理{o}{e}";
        return new Answer(t.fill(t.pick(
                "{hi},支持" + rule + "{o}," + returns.condition() + "就可以{e}" + insurance,
                "{hi},放心{o},本店支持" + rule + ",只要" + returns.condition() + "{e}" + insurance)), "reassure");
    }

    private Answer promotion(List<Promotion> promotions, Text t) {
        if (promotions.isEmpty()) {
            return new Answer(t.fill("{hi},目前暂时没有进行中的活动{o},关注店铺,有活动会及时通知您{e}"), "inform");
        }
        List<String> labels = new ArrayList<>();
        List<String> howTo = new ArrayList<>();
        for (Promotion p : promotions) {
            labels.add(p.label() + (p.audience().isEmpty() ? "" : "(限" + p.audience() + ")"));
            if (!p.howToGet().isEmpty()) {
                howTo.add(p.label() + p.howToGet());
            }
        }
        String text = "{hi},现在有" + String.join("、", labels) + "{o}{e}"
                + (howTo.isEmpty() ? "下单时自动优惠{e}" : String.join(",", howTo) + "{e}");
        return new Answer(t.fill(text), "promotion");
    }

    private Answer hesitation(ProductFacts facts, Text t) {
        ShopPolicies.Returns returns = facts.policies().returns();
        StringBuilder text = new StringBuilder(t.pick("{hi},不着急,慢慢挑{e}", "{hi},理解的,买衣服就是要喜欢才好{e}"));
        if (returns.days() > 0) {
            text.append("这款支持").append(returns.days()).append("天无理由").append(returns.exchange() ? "退换" : "退货");
            text.append(returns.shippingInsurance() ? ",还送运费险" : "").append(',');
        }
        if (!facts.promotions().isEmpty()) {
            text.append("现在还有").append(facts.promotions().get(0).label()).append(',');
        }
        text.append("喜欢可以先加购物车{o}{e}");
        return new Answer(t.fill(text.toString()), "gentle_nudge");
    }

    private Answer payment(Scenario s, ShopPolicies.Payment payment, Text t) {
        String methods = String.join("、", payment.methods());
        if (s.uses("method")) {
            if (payment.methods().contains(s.method())) {
                return new Answer(t.fill("{hi},可以用" + s.method() + "付款{o}{e}"), "inform");
            }
            return new Answer(t.fill("{hi},暂不支持" + s.method() + "{o},可以用" + methods + "付款{e}"), "inform");
        }
        if (!payment.cashOnDelivery()) {
            return new Answer(t.fill("{hi},本店暂不支持货到付款{o},可以用" + methods + "付款{e}"), "inform");
        }
        String fee = payment.codFee() == 0 ? "不收手续费" : "手续费" + payment.codFee() + "元";
        return new Answer(t.fill("{hi},支持货到付款{o}," + fee + "{e}也可以用" + methods + "付款{e}"), "inform");
    }

    private Answer material(Product p, Text t) {
        return new Answer(t.fill(t.pick(
                "{hi}," + p.name() + "的面料是" + p.material() + ",洗护建议" + p.care() + "{e}",
                "{hi},这款是" + p.material() + "的,洗的时候" + p.care() + "{o}{e}")), "inform");
    }

    /** Fills the style's {@code {hi}}, {@code {o}} and {@code {e}} and draws template variants. */
    private static final class Text {
        private final AnswerStyle style;
        private final Random random;
        private final String greeting;

        Text(AnswerStyle style, Random random) {
            this.style = style;
            this.random = random;
            this.greeting = style.greetings().get(random.nextInt(style.greetings().size()));
        }

        String pick(String... variants) {
            return variants[random.nextInt(variants.length)];
        }

        String fill(String template) {
            String text = template.replace("{hi}", greeting).replace("{o}", style.particle()).replace("{e}", style.ending());
            return style.ending().equals("。") ? text.replace("。,", ",").replace("!。", "!").replace("?。", "?") : text;
        }
    }
}
