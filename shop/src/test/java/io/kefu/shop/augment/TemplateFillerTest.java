package io.kefu.shop.augment;

import static org.assertj.core.api.Assertions.assertThat;

import io.kefu.shop.AnswerStyle;
import io.kefu.shop.BannedClaims;
import io.kefu.shop.FactChecks;
import io.kefu.shop.Intent;
import io.kefu.shop.SampleShop;
import io.kefu.shop.ShopCatalog;
import io.kefu.shop.ShopDialog;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class TemplateFillerTest {
    private static final ShopCatalog SHOP = SampleShop.load();
    private static final TemplateFiller FILLER = new TemplateFiller(SHOP, LocalDate.of(2026, 11, 20), AnswerStyle.WARM);

    @Test
    void crossesProductsSizesStockAndPromotionPeriods() {
        assertThat(FILLER.days()).contains(LocalDate.of(2026, 11, 20), LocalDate.of(2026, 6, 1), LocalDate.of(2026, 6, 21));
        assertThat(FILLER.scenarios().size()).isGreaterThan(5000);
        assertThat(FILLER.scenarios().stream().map(s -> s.product().id()).distinct().count()).isEqualTo(SHOP.products().size());
    }

    @Test
    void fillsDistinctDialogsThatAgreeWithTheirFacts() {
        List<ShopDialog> dialogs = FILLER.fill(800, 11);
        assertThat(dialogs).hasSize(800);
        Set<String> prompts = new HashSet<>();
        List<String> problems = new ArrayList<>();
        for (ShopDialog d : dialogs) {
            assertThat(prompts.add(d.instruction() + "\n" + d.input())).as(d.id()).isTrue();
            assertThat(d.provenance().method()).isEqualTo("template");
            assertThat(d.input()).contains("(编号" + d.provenance().source() + ")");
            assertThat(d.provenance().detail()).startsWith("intent=" + d.intent() + " day=");
            assertThat(BannedClaims.find(d.output())).isEmpty();
            FactChecks.check(d.instruction(), d.input(), d.output()).forEach(p -> problems.add(d.id() + ": " + p));
        }
        assertThat(problems).isEmpty();
        assertThat(dialogs.stream().map(ShopDialog::intent).collect(Collectors.toSet()))
                .containsExactlyInAnyOrderElementsOf(Arrays.stream(Intent.values()).map(Intent::wireName).toList());
        assertThat(dialogs).anyMatch(d -> d.input().contains("活动:暂无"));
        assertThat(dialogs).anyMatch(d -> d.input().contains("满199减30"));
        assertThat(dialogs).anyMatch(d -> d.output().contains("暂时缺货"));
    }

    @Test
    void isDeterministicPerSeed() {
        assertThat(FILLER.fill(50, 1)).isEqualTo(FILLER.fill(50, 1));
        assertThat(FILLER.fill(50, 1)).isNotEqualTo(FILLER.fill(50, 2));
    }
}
