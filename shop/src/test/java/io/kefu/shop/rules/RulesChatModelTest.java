package io.kefu.shop.rules;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatMessage;
import io.kefu.chat.ChatRequest;
import io.kefu.shop.checks.BusinessChecks;
import io.kefu.shop.checks.FactsText;
import java.util.List;
import org.junit.jupiter.api.Test;

class RulesChatModelTest {
    private static final String FACTS = String.join("\n",
            "【店铺信息】",
            "商品:法式碎花连衣裙(编号1001),239元",
            "库存:米白 S=12 M=0 L=5 XL=3;雾蓝 S=0 M=8 L=2 XL=6",
            "尺码表:S 150-157cm 40-46kg;M 158-164cm 47-53kg;L 165-170cm 54-60kg",
            "活动:满299减50(至2026-12-31);满199减20券(商品页领券,至2026-12-15)",
            "售后:7天无理由退换(吊牌完好、未洗涤未穿着);赠运费险",
            "人工客服:9:00-23:00");

    private static String ask(RulesChatModel model, String question) {
        return model.chat(ChatRequest.of(List.of(ChatMessage.system("你是客服"), ChatMessage.user(question + "\n" + FACTS)))).text();
    }

    @Test
    void answersFromTheFactsAndPassTheChecks() {
        try (RulesChatModel model = new RulesChatModel()) {
            BusinessChecks checks = BusinessChecks.defaults();
            FactsText facts = FactsText.parse(FACTS);
            String stock = ask(model, "M码还有货吗?");
            assertThat(stock).contains("雾蓝M码有货,还有8件", "米白M码暂时缺货");
            assertThat(checks.check(stock, facts, "stock_size", "confirm_stock").findings()).isEmpty();
            String price = ask(model, "现在有什么优惠活动?");
            assertThat(price).contains("239元", "满299减50", "满199减20券");
            assertThat(checks.check(price, facts, "promotion", "promotion").findings()).isEmpty();
            assertThat(ask(model, "身高160穿什么码")).contains("M码");
            assertThat(ask(model, "我要投诉,质量太差")).contains("人工");
            assertThat(ask(model, "你们老板是谁")).contains("人工");
            String returns = ask(model, "有点犹豫,怕不合适");
            assertThat(checks.check(returns, facts, "hesitation", "gentle_nudge").strategyFollowed()).isTrue();
        }
    }

    @Test
    void closedModelRefuses() {
        RulesChatModel model = new RulesChatModel();
        model.close();
        model.close();
        assertThatThrownBy(() -> model.chat("在吗")).isInstanceOf(KefuException.class)
                .satisfies(e -> assertThat(((KefuException) e).code()).isEqualTo(ErrorCode.CLOSED));
    }
}
