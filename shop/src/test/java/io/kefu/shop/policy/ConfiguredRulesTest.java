package io.kefu.shop.policy;

import io.kefu.KefuException;
import io.kefu.chat.ChatChunk;
import io.kefu.chat.ChatRequest;
import io.kefu.chat.ChatStream;
import io.kefu.shop.Persona;
import io.kefu.shop.ShopCatalog;
import io.kefu.shop.ShopPrompt;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The shop's own rules (a serve.yaml's compliance and handoff sections, its persona) change what the policies do. */
class ConfiguredRulesTest {
    private static final ZoneId SHANGHAI = ZoneId.of("Asia/Shanghai");
    private static ShopCatalog catalog;

    @BeforeAll
    static void loadShop() {
        catalog = ShopCatalog.load(Path.of(System.getProperty("kefu.repo.dir", "."), "examples", "shop"));
    }

    private static ChatRequest ask(String question) {
        return ChatRequest.builder().messages(ShopPrompt.messages(catalog.factsFor("1001", LocalDate.of(2026, 11, 20)), question)).build();
    }

    private static ComplianceRules replacing(String claim, String replacement) {
        Map<String, String> claims = new LinkedHashMap<>();
        claims.put(claim, replacement);
        return ComplianceRules.defaultsWith(claims);
    }

    @Test
    void aClaimWithAReplacementIsReplacedWithoutAskingAgain() {
        ScriptedModel model = new ScriptedModel("您好,这款是店里的爆款,面料透气。");
        CompliancePolicy compliance = new CompliancePolicy(model, replacing("爆款", "人气款"));

        GuardedAnswer answer = compliance.answer(ask("面料怎么样?"));

        assertThat(answer.response().text()).isEqualTo("您好,这款是店里的人气款,面料透气。");
        assertThat(answer.handoff()).isFalse();
        assertThat(answer.fallback()).isFalse();
        assertThat(answer.notes()).singleElement().asString().contains("replaced").contains("爆款");
        assertThat(CompliancePolicy.blocked(answer)).as("a replaced claim is not a blocked answer").isFalse();
        assertThat(model.requests).hasSize(1);
    }

    @Test
    void aDefaultClaimGivenAReplacementIsReplacedAndOthersStillCut() {
        ScriptedModel model = new ScriptedModel("这款是最低价。它是第一名!");
        GuardedAnswer answer = new CompliancePolicy(model, replacing("最低价", "活动价")).answer(ask("贵吗?"));

        assertThat(answer.response().text()).isEqualTo("这款是活动价。");
        assertThat(model.requests).as("asked once more for the claim without a replacement").hasSize(2);
        assertThat(CompliancePolicy.blocked(answer)).isTrue();
    }

    @Test
    void aStreamedClaimSplitAcrossChunksIsReplacedAndTheStreamGoesOn() {
        ScriptedModel model = new ScriptedModel("您好,这款是爆款哦,放心拍。");
        CompliancePolicy compliance = new CompliancePolicy(model, replacing("爆款", "人气款"));
        StringBuilder sent = new StringBuilder();
        try (ChatStream stream = compliance.stream(ask("好吗?"))) {
            for (ChatChunk chunk : stream) {
                sent.append(chunk.text());
            }
            assertThat(stream.response().text()).isEqualTo(sent.toString());
        }
        assertThat(sent).hasToString("您好,这款是人气款哦,放心拍。");
        assertThat(model.cancelled).isFalse();
    }

    @Test
    void replacementsMustNotHoldABannedClaim() {
        assertThatThrownBy(() -> replacing("爆款", "全网最低")).isInstanceOf(KefuException.class).hasMessageContaining("全网最低");
        assertThatThrownBy(() -> new ComplianceRules(List.of("a"), Map.of("b", "c"))).hasMessageContaining("'b'");
    }

    @Test
    void reportsAndFalseAdvertisingHandOffByDefaultAndConfiguredKeywordsToo() {
        List<Handoff> queue = new CopyOnWriteArrayList<>();
        ScriptedModel model = new ScriptedModel("好的");
        HandoffPolicy guarded = Policies.standard(model, ComplianceRules.defaults(), HandoffRules.defaultsWith(List.of("退货地址"),
                Optional.empty()), queue::add, -2.5, Clock.systemUTC());

        assertThat(guarded.answer(ask("我要举报你们虚假宣传")).reason()).isEqualTo(HandoffReason.COMPLAINT);
        assertThat(guarded.answer(ask("退货地址是哪里")).reason()).isEqualTo(HandoffReason.COMPLAINT);
        assertThat(guarded.answer(ask("面料怎么样")).handoff()).isFalse();
        assertThat(queue).hasSize(2);
    }

    @Test
    void outsideDeskHoursTheHandoffSaysWhenPeopleAreBack() {
        DeskHours desk = DeskHours.parse("09:00-23:00", SHANGHAI);
        HandoffRules rules = HandoffRules.defaultsWith(List.of(), Optional.of(desk));
        Clock night = Clock.fixed(Instant.parse("2026-11-20T18:30:00Z"), SHANGHAI); // 02:30 in Shanghai
        Clock day = Clock.fixed(Instant.parse("2026-11-20T02:30:00Z"), SHANGHAI);   // 10:30
        List<Handoff> queue = new CopyOnWriteArrayList<>();

        GuardedAnswer closed = Policies.standard(new ScriptedModel("好的"), ComplianceRules.defaults(), rules, queue::add, -2.5, night)
                .answer(ask("帮我转人工"));
        GuardedAnswer open = Policies.standard(new ScriptedModel("好的"), ComplianceRules.defaults(), rules, queue::add, -2.5, day)
                .answer(ask("帮我转人工"));

        assertThat(closed.response().text()).isEqualTo(HandoffPolicy.closedDeskAnswer(desk)).contains("09:00-23:00");
        assertThat(open.response().text()).doesNotContain("不在线").contains("人工客服");
        assertThat(queue).extracting(Handoff::answer).containsExactly(closed.response().text(), open.response().text());
    }

    @Test
    void deskHoursMayRunPastMidnightAndAreChecked() {
        DeskHours late = DeskHours.parse("20:00-2:00", SHANGHAI);
        assertThat(late.isOpen(Instant.parse("2026-11-20T17:00:00Z"))).isTrue();  // 01:00
        assertThat(late.isOpen(Instant.parse("2026-11-20T19:00:00Z"))).isFalse(); // 03:00
        assertThatThrownBy(() -> DeskHours.parse("9-23", SHANGHAI)).hasMessageContaining("HH:MM-HH:MM");
    }

    @Test
    void aPersonaNamesTheShopWhereItSaysShop() {
        Persona persona = new Persona("你是{shop}的小助手,回答要简短。");
        ChatRequest request = ShopPrompt.request(persona, catalog.factsFor("1001", LocalDate.of(2026, 11, 20)), List.of(), "有M码吗").build();
        assertThat(request.messages().get(0).content()).isEqualTo("你是栀语女装的小助手,回答要简短。");
        assertThat(ShopPrompt.persona("栀语女装")).isEqualTo(Persona.DEFAULT.render("栀语女装"));
        assertThatThrownBy(() -> new Persona(" ")).hasMessageContaining("persona");
    }
}
