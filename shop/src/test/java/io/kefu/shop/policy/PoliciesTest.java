package io.kefu.shop.policy;

import io.kefu.chat.ChatChunk;
import io.kefu.chat.ChatRequest;
import io.kefu.chat.ChatStream;
import io.kefu.shop.checks.BusinessChecks;
import io.kefu.shop.checks.FactsText;
import io.kefu.shop.BannedClaims;
import io.kefu.shop.ShopCatalog;
import io.kefu.shop.ShopPrompt;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

class PoliciesTest {
    private static ShopCatalog catalog;

    @BeforeAll
    static void loadShop() {
        catalog = ShopCatalog.load(Path.of(System.getProperty("kefu.repo.dir", "."), "examples", "shop"));
    }

    /** Product 1001 on a day when 满299减50 and 满199减20券 run; sizes S-XL. */
    private static ChatRequest ask(String question, String... metadata) {
        var builder = ChatRequest.builder().messages(ShopPrompt.messages(catalog.factsFor("1001", LocalDate.of(2026, 11, 20)), question));
        for (int i = 0; i < metadata.length; i += 2) {
            builder.metadata(metadata[i], metadata[i + 1]);
        }
        return builder.build();
    }

    private static List<io.kefu.shop.checks.Finding> contradictions(ChatRequest request, String answer) {
        FactsText facts = FactsText.fromPrompt(request.messages()).orElseThrow();
        return BusinessChecks.defaults().check(answer, facts, null, null).findings().stream()
                .filter(f -> GroundingPolicy.CONTRADICTIONS.contains(f.kind())).toList();
    }

    @Test
    void anInventedCouponNeverReachesTheClient() {
        ScriptedModel model = new ScriptedModel("亲,现在有无门槛50元券,下单立减哦。");
        List<Handoff> queue = new CopyOnWriteArrayList<>();
        HandoffPolicy guarded = Policies.standard(model, BusinessChecks.defaults(), queue::add, -2.5);
        ChatRequest request = ask("这款有什么优惠吗?");

        GuardedAnswer answer = guarded.answer(request);

        assertThat(answer.response().text()).doesNotContain("50元券").doesNotContain("无门槛50");
        assertThat(contradictions(request, answer.response().text())).isEmpty();
        assertThat(model.requests).hasSize(2); // the answer and one retry
        assertThat(model.requests.get(1).messages().get(0).content()).contains("不要编造");
        assertThat(answer.fallback()).isTrue();
        assertThat(answer.response().text()).contains("满299减50");
        assertThat(answer.notes()).anyMatch(n -> n.contains("INVENTED_PROMOTION"));
    }

    @Test
    void aWrongSizeClaimIsRetriedAndTheCorrectedAnswerSent() {
        ScriptedModel model = new ScriptedModel("亲,XXL码有货的,放心拍。", "亲,这款只有S、M、L、XL码,XL码雾蓝有货哦。");
        HandoffPolicy guarded = Policies.standard(model, BusinessChecks.defaults(), HandoffSink.NONE, -2.5);
        ChatRequest request = ask("XXL码有货吗?");

        GuardedAnswer answer = guarded.answer(request);

        assertThat(answer.response().text()).doesNotContain("XXL").contains("XL码雾蓝有货");
        assertThat(answer.handoff()).isFalse();
        assertThat(answer.fallback()).isFalse();
        assertThat(model.requests).hasSize(2);
    }

    @Test
    void aWrongStockClaimThatPersistsIsAnsweredFromTheFacts() {
        // 米白 XL has 0 units in examples/shop
        ScriptedModel model = new ScriptedModel("米白XL码有货,还有20件。");
        HandoffPolicy guarded = Policies.standard(model, BusinessChecks.defaults(), HandoffSink.NONE, -2.5);
        ChatRequest request = ask("米白XL码还有吗?");

        GuardedAnswer answer = guarded.answer(request);

        assertThat(answer.response().text()).doesNotContain("20件");
        assertThat(contradictions(request, answer.response().text())).isEmpty();
        assertThat(answer.response().text()).contains("米白XL码暂时缺货");
    }

    @Test
    void aBannedClaimIsNeverSentWhole() {
        ScriptedModel model = new ScriptedModel("这款是全网最低价!面料很舒服。");
        HandoffPolicy guarded = Policies.standard(model, BusinessChecks.defaults(), HandoffSink.NONE, -2.5);

        GuardedAnswer answer = guarded.answer(ask("这款面料怎么样?"));

        assertThat(BannedClaims.find(answer.response().text())).isEmpty();
        assertThat(answer.response().text()).isEqualTo("面料很舒服。");
        assertThat(model.requests).hasSize(2);
        assertThat(model.requests.get(1).messages().get(0).content()).contains("不要使用");
        assertThat(CompliancePolicy.blocked(answer)).isTrue();
    }

    @Test
    void aBannedClaimInEverySentenceHandsOff() {
        List<Handoff> queue = new CopyOnWriteArrayList<>();
        HandoffPolicy guarded = Policies.standard(new ScriptedModel("最便宜的就是这款。"), BusinessChecks.defaults(), queue::add, -2.5);

        GuardedAnswer answer = guarded.answer(ask("哪款划算?"));

        assertThat(answer.handoff()).isTrue();
        assertThat(answer.reason()).isEqualTo(HandoffReason.COMPLIANCE_FAILED);
        assertThat(answer.response().text()).isEqualTo(HandoffPolicy.HANDOFF_ANSWER);
        assertThat(queue).singleElement().satisfies(h -> assertThat(h.reason()).isEqualTo(HandoffReason.COMPLIANCE_FAILED));
        assertThat(CompliancePolicy.blocked(answer)).isTrue();
    }

    @Test
    void aStreamedBannedClaimIsCutBeforeAnyOfItLeaves() {
        ScriptedModel model = new ScriptedModel("您好,这款面料透气。它是全网最低价,快来买!");
        CompliancePolicy compliance = new CompliancePolicy(model);
        StringBuilder sent = new StringBuilder();
        try (ChatStream stream = compliance.stream(ask("面料?"))) {
            for (ChatChunk chunk : stream) {
                sent.append(chunk.text());
            }
            assertThat(stream.response().text()).isEqualTo(sent.toString());
        }
        assertThat(BannedClaims.find(sent.toString())).isEmpty();
        assertThat(sent.toString()).startsWith("您好,这款面料透气。").doesNotContain("最低");
        assertThat(model.cancelled).isTrue();
    }

    @Test
    void aCleanStreamPassesWhole() {
        CompliancePolicy compliance = new CompliancePolicy(new ScriptedModel("您好,M码有货。"));
        StringBuilder sent = new StringBuilder();
        try (ChatStream stream = compliance.stream(ask("M码有吗?"))) {
            stream.forEach(c -> sent.append(c.text()));
        }
        assertThat(sent).hasToString("您好,M码有货。");
    }

    @Test
    void aComplaintHandsOffAndLandsInTheQueue() {
        ScriptedModel model = new ScriptedModel("好的");
        List<Handoff> queue = new CopyOnWriteArrayList<>();
        HandoffPolicy guarded = Policies.standard(model, BusinessChecks.defaults(), queue::add, -2.5);

        GuardedAnswer answer = guarded.answer(ask("我要投诉,收到的裙子破了个洞", PolicyChatModel.SESSION_ID, "s-42"));

        assertThat(answer.handoff()).isTrue();
        assertThat(answer.reason()).isEqualTo(HandoffReason.COMPLAINT);
        assertThat(answer.response().text()).contains("人工客服");
        assertThat(model.requests).isEmpty();
        assertThat(queue).singleElement().satisfies(h -> {
            assertThat(h.sessionId()).isEqualTo("s-42");
            assertThat(h.question()).isEqualTo("我要投诉,收到的裙子破了个洞");
            assertThat(h.reason()).isEqualTo(HandoffReason.COMPLAINT);
        });
    }

    @Test
    void aRefundDisputeAndARequestForAPersonHandOff() {
        List<Handoff> queue = new CopyOnWriteArrayList<>();
        HandoffPolicy guarded = Policies.standard(new ScriptedModel("好的"), BusinessChecks.defaults(), queue::add, -2.5);

        assertThat(guarded.answer(ask("你们拒绝退款是什么意思")).reason()).isEqualTo(HandoffReason.COMPLAINT);
        assertThat(guarded.answer(ask("帮我转人工")).reason()).isEqualTo(HandoffReason.HUMAN_REQUEST);
        assertThat(queue).hasSize(2);
    }

    @Test
    void lowConfidenceHandsOffAndAsksTheModelForLogprobs() {
        ScriptedModel model = new ScriptedModel(-4.0, "M码有货。");
        List<Handoff> queue = new CopyOnWriteArrayList<>();
        HandoffPolicy guarded = Policies.standard(model, BusinessChecks.defaults(), queue::add, -2.5);

        GuardedAnswer answer = guarded.answer(ask("M码有吗?"));

        assertThat(model.requests.get(0).parameters().logprobs()).isTrue();
        assertThat(answer.handoff()).isTrue();
        assertThat(answer.reason()).isEqualTo(HandoffReason.LOW_CONFIDENCE);
        assertThat(answer.response().text()).isEqualTo(HandoffPolicy.HANDOFF_ANSWER);
        assertThat(queue).singleElement().satisfies(h -> assertThat(h.detail()).contains("-4.000"));
    }

    @Test
    void confidentAnswersPass() {
        GuardedAnswer answer = Policies.standard(new ScriptedModel(-0.2, "您好,雾蓝M码有货。"), BusinessChecks.defaults(),
                HandoffSink.NONE, -2.5).answer(ask("雾蓝M码有吗?"));
        assertThat(answer.handoff()).isFalse();
        assertThat(answer.response().text()).isEqualTo("您好,雾蓝M码有货。");
        assertThat(answer.notes()).isEmpty();
        assertThat(CompliancePolicy.blocked(answer)).isFalse();
    }

    @Test
    void repeatedFailuresHandOff() {
        ScriptedModel model = new ScriptedModel("您好,雾蓝M码有货。");
        GuardedAnswer answer = Policies.standard(model, BusinessChecks.defaults(), HandoffSink.NONE, -2.5)
                .answer(ask("雾蓝M码有吗?", PolicyChatModel.RECENT_FAILURES, "2"));
        assertThat(answer.reason()).isEqualTo(HandoffReason.REPEATED_FAILURE);
        assertThat(model.requests).isEmpty();
    }
}
