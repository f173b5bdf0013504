package io.kefu.shop.augment;

import static org.assertj.core.api.Assertions.assertThat;

import io.kefu.chat.ChatMessage;
import io.kefu.shop.ShopDialog;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ParaphraserTest {
    private static ShopDialog dialog(String id, String question) {
        return new ShopDialog(id, "persona", question, "【店铺信息】", "亲亲,好的~", "x", "inform", null, null);
    }

    @Test
    void keepsGoodRewordingsAndCountsEachKindOfRejection() {
        List<ShopDialog> dialogs = List.of(
                dialog("a", "能开发票吗?"),
                dialog("b", "今天天气怎么样?"),
                dialog("c", "不合适能退吗?"),
                dialog("d", "发什么快递?"),
                dialog("e", "有优惠吗?"),
                dialog("f", "我160cm,50kg穿什么码?"),
                dialog("g", "什么面料?"));
        try (RuleBasedParaphraseModel model = new RuleBasedParaphraseModel()) {
            Paraphraser.Result result = Paraphraser.of(model).paraphrase(dialogs);
            assertThat(result.accepted()).extracting(ShopDialog::instruction).containsExactly("请问一下,能开发票吗?", "请问一下,什么面料?");
            assertThat(result.accepted()).extracting(ShopDialog::id).containsExactly("a~para", "g~para");
            assertThat(result.accepted().get(0).provenance().method()).isEqualTo("paraphrase");
            assertThat(result.accepted().get(0).provenance().source()).isEqualTo("a");
            assertThat(result.accepted().get(0).provenance().detail()).isEqualTo("model=rule-paraphraser");
            assertThat(result.accepted().get(0).output()).isEqualTo("亲亲,好的~");
            assertThat(result.rejected()).isEqualTo(Map.of(
                    Paraphraser.Rejection.EMPTY, 1,
                    Paraphraser.Rejection.IDENTICAL, 1,
                    Paraphraser.Rejection.TOO_LONG, 1,
                    Paraphraser.Rejection.BANNED_CLAIM, 1,
                    Paraphraser.Rejection.NUMBERS_CHANGED, 1));
            assertThat(result.rejectedTotal()).isEqualTo(5);
            assertThat(model.requests).hasSize(7);
            assertThat(model.requests.get(0).messages()).containsExactly(
                    ChatMessage.system(Paraphraser.INSTRUCTION), ChatMessage.user("能开发票吗?"));
        }
    }

    @Test
    void aRewordingWithTheSameNumbersIsAccepted() {
        Paraphraser paraphraser = Paraphraser.of(new RuleBasedParaphraseModel());
        assertThat(paraphraser.check("我160cm,50kg穿什么码?", "身高160cm体重50kg选哪个码")).isNull();
        assertThat(paraphraser.check("我160cm,50kg穿什么码?", "身高50kg体重160cm选哪个码")).isNull();
        assertThat(paraphraser.check("我160cm,50kg穿什么码?", "身高160cm选哪个码")).isEqualTo(Paraphraser.Rejection.NUMBERS_CHANGED);
        assertThat(paraphraser.check("有货吗?", "有货吗")).isEqualTo(Paraphraser.Rejection.IDENTICAL);
        assertThat(paraphraser.check("有货吗?", "还有吗\n第二行")).isEqualTo(Paraphraser.Rejection.TOO_LONG);
    }

    @Test
    void emptyInputMakesNoRequests() {
        RuleBasedParaphraseModel model = new RuleBasedParaphraseModel();
        Paraphraser.Result result = Paraphraser.of(model).paraphrase(List.of());
        assertThat(result.accepted()).isEmpty();
        assertThat(result.rejectedTotal()).isZero();
        assertThat(model.requests).isEmpty();
    }
}
