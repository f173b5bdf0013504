package io.kefu.shop.augment;

import static org.assertj.core.api.Assertions.assertThat;

import io.kefu.shop.BannedClaims;
import io.kefu.shop.DialogJsonl;
import io.kefu.shop.SampleShop;
import io.kefu.shop.ShopDialog;
import io.kefu.shop.checks.BusinessChecks;
import io.kefu.shop.checks.FactsText;
import io.kefu.shop.checks.Finding;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class NegativeSamplerTest {
    private static final List<ShopDialog> TRAIN = DialogJsonl.read(SampleShop.dir().resolve("train.jsonl"));

    @Test
    void everyAnswerGetsARejectedBadAnswerTheChecksTellApart() {
        List<ShopDialog> pairs = new NegativeSampler().sample(TRAIN, 3);
        BusinessChecks checks = BusinessChecks.defaults();
        assertThat(pairs).hasSameSizeAs(TRAIN);
        for (int i = 0; i < pairs.size(); i++) {
            ShopDialog pair = pairs.get(i);
            ShopDialog source = TRAIN.get(i);
            assertThat(pair.output()).isEqualTo(source.output());
            assertThat(pair.instruction()).isEqualTo(source.instruction());
            assertThat(pair.rejected()).isNotBlank().isNotEqualTo(pair.output());
            assertThat(pair.id()).isEqualTo(source.id() + "~neg");
            assertThat(pair.provenance().method()).isEqualTo("negative");
            assertThat(pair.provenance().source()).isEqualTo(source.id());
            NegativeSampler.Kind kind = NegativeSampler.Kind.valueOf(pair.provenance().detail().toUpperCase(java.util.Locale.ROOT));
            FactsText facts = FactsText.parse(source.input());
            if (kind.finding().isPresent()) {
                Finding.Kind finding = kind.finding().get();
                assertThat(checks.check(pair.rejected(), facts, source.intent(), source.strategy()).has(finding))
                        .as("%s: '%s' is flagged %s", source.id(), pair.rejected(), finding).isTrue();
                assertThat(checks.check(source.output(), facts, source.intent(), source.strategy()).has(finding))
                        .as("%s: the good answer is not", source.id()).isFalse();
            }
            if (kind == NegativeSampler.Kind.ABSOLUTE_CLAIM) {
                assertThat(BannedClaims.find(pair.rejected())).isPresent();
            }
            if (kind != NegativeSampler.Kind.WRONG_STOCK && kind != NegativeSampler.Kind.UNFOUNDED_PROMISE) {
                assertThat(kind.answers()).contains(pair.rejected());
            }
            if (source.intent().equals("complaint") || source.intent().equals("human_request")) {
                assertThat(kind).isIn(NegativeSampler.Kind.REFUSED_HANDOFF, NegativeSampler.Kind.EVASIVE);
                assertThat(pair.rejected()).doesNotContain("人工客服同事");
            }
            if (source.intent().equals("hesitation")) {
                assertThat(kind).isIn(NegativeSampler.Kind.PUSHY, NegativeSampler.Kind.ABSOLUTE_CLAIM, NegativeSampler.Kind.EVASIVE);
            }
        }
        Map<String, Long> kinds = pairs.stream().collect(Collectors.groupingBy(p -> p.provenance().detail(), Collectors.counting()));
        assertThat(kinds).containsOnlyKeys("evasive", "pushy", "absolute_claim", "refused_handoff", "wrong_stock", "unfounded_promise");
        assertThat(kinds.get("wrong_stock")).as("stock questions get stock mistakes").isGreaterThan(10);
        assertThat(kinds.get("unfounded_promise")).isGreaterThan(10);
    }

    @Test
    void stockAndPromotionMistakesContradictTheDialogsOwnFacts() {
        FactsText facts = FactsText.parse(TRAIN.get(0).input());
        Random random = new Random(1);
        for (int i = 0; i < 50; i++) {
            String stock = NegativeSampler.generate(NegativeSampler.Kind.WRONG_STOCK, facts, random).orElseThrow();
            assertThat(BusinessChecks.defaults().check(stock, facts, "stock_size", "confirm_stock").has(Finding.Kind.WRONG_STOCK))
                    .as(stock).isTrue();
            String promise = NegativeSampler.generate(NegativeSampler.Kind.UNFOUNDED_PROMISE, facts, random).orElseThrow();
            assertThat(BusinessChecks.defaults().check(promise, facts, "promotion", "promotion").has(Finding.Kind.INVENTED_PROMOTION))
                    .as(promise).isTrue();
        }
        FactsText noStock = FactsText.parse("【店铺信息】\n发货:付款后48小时内发货");
        assertThat(NegativeSampler.generate(NegativeSampler.Kind.WRONG_STOCK, noStock, random)).isEmpty();
    }

    @Test
    void isDeterministicPerSeed() {
        assertThat(new NegativeSampler().sample(TRAIN, 3)).isEqualTo(new NegativeSampler().sample(TRAIN, 3));
        assertThat(new NegativeSampler().sample(TRAIN, 3)).isNotEqualTo(new NegativeSampler().sample(TRAIN, 4));
    }
}
