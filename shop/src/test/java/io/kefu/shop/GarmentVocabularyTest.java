package io.kefu.shop;

import static org.assertj.core.api.Assertions.assertThat;

import io.kefu.chat.ChatMessage;
import io.kefu.chat.ChatRequest;
import io.kefu.shop.checks.BusinessChecks;
import io.kefu.shop.checks.Finding;
import io.kefu.shop.checks.FactsText;
import io.kefu.shop.rules.RulesChatModel;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The business checks and the rules baseline read the same sizes, because both read them from the vocabulary. */
class GarmentVocabularyTest {
    // A product that comes in no letter size at all, so every letter size is an unknown one.
    private static final String FACTS = String.join("\n",
            "【店铺信息】",
            "商品:儿童套装(编号2001),99元",
            "库存:" + GarmentVocabulary.COLOURS.get(0) + " 110=4 120=6",
            "人工客服:9:00-23:00");

    @Test
    void checksAndRulesSeeEveryLetterSize() {
        BusinessChecks checks = BusinessChecks.defaults();
        FactsText facts = FactsText.parse(FACTS);
        try (RulesChatModel rules = new RulesChatModel()) {
            for (String size : GarmentVocabulary.LETTER_SIZES) {
                String answer = "亲," + size + "码有货的哦!";
                assertThat(checks.check(answer, facts, "stock_size", "confirm_stock").has(Finding.Kind.UNKNOWN_SIZE))
                        .as("the checks read %s as a size", size).isTrue();
                String reply = rules.chat(ChatRequest.of(List.of(ChatMessage.user(size.toLowerCase() + "码还有货吗?\n" + FACTS)))).text();
                assertThat(reply).as("the rules read %s as a size", size).contains("这款没有" + size + "码");
            }
        }
    }

    @Test
    void longerSizesAreNotReadAsShorterOnes() {
        assertThat(GarmentVocabulary.findSizes("XXL和3XL,还有S", false)).containsExactly("XXL", "3XL", "S");
        assertThat(GarmentVocabulary.findSizes("Logo款 xl", false)).isEmpty();
        assertThat(GarmentVocabulary.findSizes("Logo款 xl", true)).containsExactly("XL");
    }

}
