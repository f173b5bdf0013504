package io.kefu.shop;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns {@link ProductFacts} into the compact facts text put into prompts. The one renderer used by
 * the dataset generator, evaluation, the rules baseline and the server, so a model reads at serving
 * time exactly what it learned to read.
 *
 * <p>Output (one fact group per line, no trailing newline; product lines only when there is a product).
 * Readers (evaluation checks, the rules baseline) find lines by their {@code 名称:} prefix, so the
 * line names and their order are a contract:
 * <pre>
 * 【店铺信息】
 * 商品:法式碎花连衣裙(编号1001),239元
 * 库存:米白 S=12 M=0 L=5 XL=3;雾蓝 S=0 M=8 L=2 XL=6
 * 补货:缺货尺码约7天补货
 * 材质:聚酯纤维95% 氨纶5%;洗护:30℃以下轻柔手洗,不可漂白
 * 尺码表:S 150-157cm 40-46kg;M 158-163cm 47-52kg;...
 * 活动:满299减50(至2026-12-31);满199减20券(在商品页领取,至2026-12-15)
 * 发货:付款后48小时内发货;中通快递包邮;顺丰速运加15元
 * 时效:江浙沪1-2天;偏远地区5-7天;其他地区3-5天
 * 发票:电子普通发票(确认收货后在订单页申请)
 * 付款:微信支付、支付宝、花呗;支持货到付款,无手续费
 * 售后:7天无理由退换(吊牌完好、未洗涤未穿着);赠运费险
 * 人工客服:9:00-23:00
 * </pre>
 * Deterministic: the same facts always give the same text.
 */
public final class FactsRenderer {
    /** The first line of every rendered facts text. */
    public static final String HEADER = "【店铺信息】";

    private FactsRenderer() {
    }

    /** @return the facts text for a prompt */
    public static String render(ProductFacts facts) {
        List<String> lines = new ArrayList<>();
        lines.add(HEADER);
        Product product = facts.product();
        if (product != null) {
            lines.add("商品:" + product.name() + "(编号" + product.id() + ")," + product.price() + "元");
            lines.add("库存:" + stock(product));
            lines.add("补货:" + (product.restockDays() > 0 ? "缺货尺码约" + product.restockDays() + "天补货" : "暂无补货计划"));
            lines.add("材质:" + product.material() + ";洗护:" + product.care());
            if (facts.sizeChart() != null) {
                lines.add("尺码表:" + sizeChart(facts.sizeChart()));
            }
        }
        lines.add("活动:" + promotions(facts.promotions()));
        ShopPolicies policies = facts.policies();
        lines.add("发货:" + shipping(policies));
        lines.add("时效:" + deliveryTimes(policies));
        lines.add("发票:" + invoice(policies.invoice()));
        lines.add("付款:" + payment(policies.payment()));
        lines.add("售后:" + returns(policies.returns()));
        lines.add("人工客服:" + policies.serviceHours());
        return String.join("\n", lines);
    }

    private static String stock(Product product) {
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, Map<String, Integer>> color : product.stock().entrySet()) {
            StringBuilder part = new StringBuilder(color.getKey());
            color.getValue().forEach((size, units) -> part.append(' ').append(size).append('=').append(units));
            parts.add(part.toString());
        }
        return String.join(";", parts);
    }

    private static String sizeChart(SizeChart chart) {
        List<String> parts = new ArrayList<>();
        for (SizeChart.Row row : chart.rows()) {
            parts.add(row.size() + " " + row.heightMin() + "-" + row.heightMax() + "cm "
                    + row.weightMin() + "-" + row.weightMax() + "kg");
        }
        return String.join(";", parts);
    }

    private static String promotions(List<Promotion> promotions) {
        if (promotions.isEmpty()) {
            return "暂无";
        }
        List<String> parts = new ArrayList<>();
        for (Promotion p : promotions) {
            List<String> notes = new ArrayList<>();
            if (!p.audience().isEmpty()) {
                notes.add("限" + p.audience());
            }
            if (!p.howToGet().isEmpty()) {
                notes.add(p.howToGet());
            }
            notes.add("至" + p.validTo());
            parts.add(p.label() + "(" + String.join(",", notes) + ")");
        }
        return String.join(";", parts);
    }

    private static String shipping(ShopPolicies policies) {
        List<String> parts = new ArrayList<>();
        parts.add("付款后" + policies.dispatchHours() + "小时内发货");
        for (ShopPolicies.Carrier carrier : policies.carriers()) {
            parts.add(carrier.name() + (carrier.extraFee() == 0 ? "包邮" : "加" + carrier.extraFee() + "元"));
        }
        return String.join(";", parts);
    }

    private static String deliveryTimes(ShopPolicies policies) {
        List<String> parts = new ArrayList<>();
        for (ShopPolicies.DeliveryArea area : policies.areas()) {
            parts.add(area.name() + area.days() + "天");
        }
        parts.add("其他地区" + policies.otherAreaDays() + "天");
        return String.join(";", parts);
    }

    private static String invoice(ShopPolicies.Invoice invoice) {
        if (!invoice.available()) {
            return "不支持开发票";
        }
        return String.join("、", invoice.types()) + "(" + invoice.howTo() + ")";
    }

    private static String payment(ShopPolicies.Payment payment) {
        String cod;
        if (!payment.cashOnDelivery()) {
            cod = "不支持货到付款";
        } else {
            cod = "支持货到付款," + (payment.codFee() == 0 ? "无手续费" : "手续费" + payment.codFee() + "元");
        }
        return String.join("、", payment.methods()) + ";" + cod;
    }

    private static String returns(ShopPolicies.Returns returns) {
        String rule;
        if (returns.days() == 0) {
            rule = "不支持无理由退换";
        } else {
            rule = returns.days() + "天无理由" + (returns.exchange() ? "退换" : "退货") + "(" + returns.condition() + ")";
        }
        return rule + ";" + (returns.shippingInsurance() ? "赠运费险" : "不含运费险");
    }
}
