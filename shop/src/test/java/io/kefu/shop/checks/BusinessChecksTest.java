package io.kefu.shop.checks;

import static org.assertj.core.api.Assertions.assertThat;

import io.kefu.shop.FactsRenderer;
import io.kefu.shop.ProductFacts;
import io.kefu.shop.ShopCatalog;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A corpus of good and bad answers against one product's facts: each bad one is flagged for its reason, no good one is. */
class BusinessChecksTest {
    private static final String FACTS = String.join("\n",
            "请问S码还有吗?",
            "【店铺信息】",
            "商品:法式碎花连衣裙(编号1001),239元",
            "库存:米白 S=12 M=0 L=5 XL=3;雾蓝 S=0 M=8 L=2 XL=6",
            "补货:缺货尺码约7天补货",
            "材质:聚酯纤维95% 氨纶5%;洗护:30℃以下轻柔手洗,不可漂白",
            "尺码表:S 150-157cm 40-46kg;M 158-164cm 47-53kg",
            "活动:满299减50(至2026-12-31);满199减20券(商品页领券,至2026-12-15)",
            "发货:付款后48小时内发货;中通快递包邮;顺丰速运加15元",
            "时效:江浙沪1-2天;其他地区3-5天",
            "发票:电子普通发票(确认收货后在订单页申请)",
            "付款:微信支付、支付宝;支持货到付款,无手续费",
            "售后:7天无理由退换(吊牌完好、未洗涤未穿着);赠运费险",
            "人工客服:9:00-23:00");

    private final BusinessChecks checks = BusinessChecks.defaults();
    private final FactsText facts = FactsText.parse(FACTS);

    record Case(String answer, String intent, String strategy, Finding.Kind expected) {
    }

    private static final List<Case> BAD = List.of(
            new Case("亲,米白M码有货的,可以直接拍哦~", "stock_size", "confirm_stock", Finding.Kind.WRONG_STOCK),
            new Case("雾蓝S码还有10件,放心下单!", "stock_size", "confirm_stock", Finding.Kind.WRONG_STOCK),
            new Case("亲,S码还剩3件哦,抓紧下单~", "stock_size", "low_stock", Finding.Kind.WRONG_STOCK),
            new Case("不好意思,L码已经售罄了。", "stock_size", "inform", Finding.Kind.WRONG_STOCK),
            new Case("亲,XXL码也有货的哦!", "stock_size", "confirm_stock", Finding.Kind.UNKNOWN_SIZE),
            new Case("这款现在只要199元,很划算~", "promotion", "promotion", Finding.Kind.WRONG_PRICE),
            new Case("现在下单满100减30哦!", "promotion", "promotion", Finding.Kind.INVENTED_PROMOTION),
            new Case("亲,给您一张无门槛20元券,下单可用~", "promotion", "promotion", Finding.Kind.INVENTED_PROMOTION),
            new Case("今天全场8折,满减券也能叠加!", "promotion", "promotion", Finding.Kind.INVENTED_PROMOTION),
            new Case("领取50元优惠券再下单更划算哦!", "promotion", "promotion", Finding.Kind.INVENTED_PROMOTION),
            new Case("我们是全网最低价,放心买!", "promotion", "promotion", Finding.Kind.BANNED_CLAIM),
            new Case("这款是国家级品质认证的面料,有货哦。", "material_care", "inform", Finding.Kind.BANNED_CLAIM),
            new Case("亲,这款销量第一!", "hesitation", "gentle_nudge", Finding.Kind.BANNED_CLAIM),
            new Case("亲,您的问题我们会尽快处理的。", "complaint", "handoff", Finding.Kind.MISSING_HANDOFF),
            new Case("好的,请问还有什么可以帮您?", "human_request", "handoff", Finding.Kind.MISSING_HANDOFF),
            new Case("这款真的很好看,穿上很显瘦,快下单吧!", "hesitation", "gentle_nudge", Finding.Kind.STRATEGY_MISSED),
            new Case("亲,S码有货,我帮您转人工客服确认一下。", "stock_size", "confirm_stock", Finding.Kind.UNNEEDED_HANDOFF),
            new Case("", "stock_size", "confirm_stock", Finding.Kind.EMPTY),
            new Case("不知道。", "material_care", "inform", Finding.Kind.EVASIVE),
            new Case("这个我也不清楚,您自己看详情页吧。", "delivery_time", "inform", Finding.Kind.EVASIVE));

    private static final List<Case> GOOD = List.of(
            new Case("亲,米白S码有货的,还有12件,可以放心下单~", "stock_size", "confirm_stock", null),
            new Case("雾蓝M码有现货,米白M码暂时缺货,大约7天补货哦。", "stock_size", "confirm_stock", null),
            new Case("亲,这款239元,满299减50,还可以领满199减20券,到手219元。", "promotion", "promotion", null),
            new Case("亲,这款支持7天无理由退换,还赠送运费险,不合适可以换码,您可以放心下单~", "hesitation", "gentle_nudge", null),
            new Case("非常抱歉给您带来不好的体验,马上为您转接人工客服同事处理。", "complaint", "handoff", null),
            new Case("顺丰速运需要加15元,默认中通快递包邮哦。", "delivery_time", "inform", null),
            new Case("亲,根据身高160cm、体重50kg,推荐您选M码,雾蓝M码有货哦。", "size_advice", "size_recommend", null),
            new Case("面料是聚酯纤维95%和氨纶5%,建议30℃以下轻柔手洗。", "material_care", "inform", null),
            new Case("这个我不清楚,马上帮您转人工客服同事确认。", "out_of_scope", "handoff", null));

    @Test
    void everyBadAnswerIsFlaggedForItsReason() {
        for (Case c : BAD) {
            CheckResult r = checks.check(c.answer(), facts, c.intent(), c.strategy());
            assertThat(r.has(c.expected())).as("'%s' should be flagged %s, findings %s", c.answer(), c.expected(), r.findings()).isTrue();
        }
    }

    @Test
    void correctAnswersAreClean() {
        for (Case c : GOOD) {
            CheckResult r = checks.check(c.answer(), facts, c.intent(), c.strategy());
            assertThat(r.findings()).as(c.answer()).isEmpty();
        }
    }

    @Test
    void factsAreReadBackFromTheRenderedText() {
        assertThat(facts.product()).isEqualTo("法式碎花连衣裙");
        assertThat(facts.price()).isEqualTo(239.0);
        assertThat(facts.stock().get("雾蓝")).containsEntry("M", 8).containsEntry("S", 0);
        assertThat(facts.promotions()).containsExactly(new FactsText.Promotion(299, 50, false), new FactsText.Promotion(199, 20, true));
        assertThat(facts.allowedAmounts()).contains(239.0, 219.0, 15.0, 299.0).doesNotContain(189.0);
        assertThat(facts.priceAmounts()).containsExactlyInAnyOrder(239.0, 219.0);
    }

    @Test
    void factsFromTheRealRendererAndExampleCatalog() {
        Path shop = Path.of(System.getProperty("kefu.repo.dir", ".")).resolve("examples/shop");
        ShopCatalog catalog = ShopCatalog.load(shop);
        ProductFacts pf = catalog.factsFor(catalog.products().get(0), LocalDate.of(2026, 12, 1));
        FactsText parsed = FactsText.parse(FactsRenderer.render(pf));
        assertThat(parsed.price()).isEqualTo(pf.product().price());
        assertThat(parsed.stock()).isEqualTo(pf.product().stock());
        assertThat(parsed.promotions()).hasSize(pf.promotions().size());
        String size = pf.product().sizes().get(0);
        String colour = pf.product().stock().keySet().iterator().next();
        int units = pf.product().stock().get(colour).get(size);
        String claim = colour + size + "码有货,还有" + units + "件";
        CheckResult r = checks.check(claim, parsed, "stock_size", "confirm_stock");
        assertThat(r.has(Finding.Kind.WRONG_STOCK)).isEqualTo(units == 0);
    }

    @Test
    void bannedListIsConfigurable() {
        BusinessChecks custom = BusinessChecks.builder().bannedClaims(List.of("秒杀")).build();
        assertThat(custom.check("限时秒杀!", facts, null, null).has(Finding.Kind.BANNED_CLAIM)).isTrue();
        assertThat(custom.check("全网最低", facts, null, null).has(Finding.Kind.BANNED_CLAIM)).isFalse();
        assertThat(checks.bannedClaims()).contains("最低价", "全网最低", "第一", "最佳", "国家级", "100%");
    }
}
