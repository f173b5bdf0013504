package io.kefu.shop.augment;

import static org.assertj.core.api.Assertions.assertThat;

import io.kefu.shop.BannedClaims;
import io.kefu.shop.DialogJsonl;
import io.kefu.shop.SampleShop;
import io.kefu.shop.ShopDialog;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class NegativeSamplerTest {
    private static final List<ShopDialog> TRAIN = DialogJsonl.read(SampleShop.dir().resolve("train.jsonl"));

    @Test
    void everyAnswerGetsARejectedBadAnswerBesideIt() {
        List<ShopDialog> pairs = new NegativeSampler().sample(TRAIN, 3);
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
            assertThat(kind.answers()).contains(pair.rejected());
            if (kind == NegativeSampler.Kind.ABSOLUTE_CLAIM) {
                assertThat(BannedClaims.find(pair.rejected())).isPresent();
            }
            if (source.intent().equals("complaint") || source.intent().equals("human_request")) {
                assertThat(kind).isEqualTo(NegativeSampler.Kind.REFUSED_HANDOFF);
                assertThat(pair.rejected()).doesNotContain("人工客服同事");
            }
            if (source.intent().equals("hesitation")) {
                assertThat(kind).isIn(NegativeSampler.Kind.PUSHY, NegativeSampler.Kind.ABSOLUTE_CLAIM);
            }
        }
        Set<String> kinds = pairs.stream().map(p -> p.provenance().detail()).collect(Collectors.toSet());
        assertThat(kinds).containsExactlyInAnyOrder("evasive", "pushy", "absolute_claim", "refused_handoff");
    }

    @Test
    void isDeterministicPerSeed() {
        assertThat(new NegativeSampler().sample(TRAIN, 3)).isEqualTo(new NegativeSampler().sample(TRAIN, 3));
        assertThat(new NegativeSampler().sample(TRAIN, 3)).isNotEqualTo(new NegativeSampler().sample(TRAIN, 4));
    }
}
