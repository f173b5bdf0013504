package io.kefu.shop;

import static org.assertj.core.api.Assertions.assertThat;

import io.kefu.chat.ChatMessage;
import io.kefu.chat.Role;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FactsRendererTest {
    private static final LocalDate DAY = LocalDate.of(2026, 11, 20);

    @Test
    void rendersAProductsFactsExactly() {
        ShopCatalog shop = SampleShop.load();
        assertThat(FactsRenderer.render(shop.factsFor("1001", DAY))).isEqualTo(String.join("\n",
                "【店铺信息】",
                "商品:法式碎花连衣裙(编号1001),239元",
                "库存:米白 S=39 M=2 L=32 XL=0;雾蓝 S=14 M=25 L=0 XL=27",
                "补货:缺货尺码约5天补货",
                "材质:聚酯纤维95% 氨纶5%;洗护:30℃以下轻柔手洗,不可漂白",
                "尺码表:S 150-157cm 40-46kg;M 158-163cm 47-52kg;L 164-168cm 53-58kg;XL 169-173cm 59-65kg",
                "活动:满299减50(至2026-12-31);满199减20券(在商品页领取,至2026-12-15);无门槛10元券(限新客,关注店铺后领取,至2027-01-31)",
                "发货:付款后48小时内发货;中通快递包邮;顺丰速运加15元",
                "时效:江浙沪1-2天;偏远地区5-7天;其他地区3-5天",
                "发票:电子普通发票(确认收货后在订单页申请)",
                "付款:微信支付、支付宝、花呗;支持货到付款,无手续费",
                "售后:7天无理由退换(吊牌完好、未洗涤未穿着);赠运费险",
                "人工客服:9:00-23:00"));
    }

    @Test
    void shopWideFactsHaveNoProductLines() {
        String text = FactsRenderer.render(SampleShop.load().shopFacts(DAY));
        assertThat(text).startsWith(FactsRenderer.HEADER + "\n活动:").doesNotContain("商品:", "库存:", "尺码表");
    }

    @Test
    void rendersRefusalsAndMissingPromotions() {
        ShopPolicies policies = new ShopPolicies(24, List.of(new ShopPolicies.Carrier("韵达快递", 0)), List.of(), "2-4",
                new ShopPolicies.Invoice(false, List.of(), ""), new ShopPolicies.Payment(List.of("支付宝"), false, 0),
                new ShopPolicies.Returns(0, "", false, false), "10:00-22:00");
        Product tee = new Product("7", "T恤", "上衣", 59, List.of("M"), List.of("白色"), Map.of("白色", Map.of("M", 0)),
                "纯棉", "可机洗", "x", 0);
        String text = FactsRenderer.render(new ProductFacts("小店", tee, null, List.of(), policies));
        assertThat(text).contains("库存:白色 M=0", "补货:暂无补货计划", "活动:暂无", "发货:付款后24小时内发货;韵达快递包邮", "时效:其他地区2-4天", "发票:不支持开发票",
                "付款:支付宝;不支持货到付款", "售后:不支持无理由退换;不含运费险").doesNotContain("尺码表");
    }

    @Test
    void isDeterministic() {
        ShopCatalog shop = SampleShop.load();
        for (Product p : shop.products()) {
            assertThat(FactsRenderer.render(shop.factsFor(p, DAY))).isEqualTo(FactsRenderer.render(SampleShop.load().factsFor(p.id(), DAY)));
        }
    }

    @Test
    void promptIsPersonaThenQuestionAndFacts() {
        ShopCatalog shop = SampleShop.load();
        ProductFacts facts = shop.factsFor("1001", DAY);
        List<ChatMessage> messages = ShopPrompt.messages(facts, "米白S码有货吗?");
        assertThat(messages).hasSize(2);
        assertThat(messages.get(0)).isEqualTo(ChatMessage.system(ShopPrompt.persona("栀语女装")));
        assertThat(messages.get(1).role()).isEqualTo(Role.USER);
        assertThat(messages.get(1).content()).isEqualTo("米白S码有货吗?\n" + FactsRenderer.render(facts));
        assertThat(ShopPrompt.persona("栀语女装")).startsWith("你是栀语女装的客服");
    }

    @Test
    void generatedDialogsBecomeExamplesWithTheSamePrompt() {
        ShopCatalog shop = SampleShop.load();
        ShopDialog dialog = new DialogGenerator(DialogGenerator.Config.builder().trainCount(5).testCount(0).build())
                .generate(shop).train().get(0);
        var example = dialog.toExample();
        assertThat(example.prompt()).isEqualTo(ShopPrompt.messages(shop.shopName(), dialog.instruction(), dialog.input()));
        assertThat(example.answer()).contains(dialog.output());
        assertThat(example.intent()).isEqualTo(dialog.intent());
        assertThat(example.provenance().method()).isEqualTo("template");
    }
}
