package io.kefu.shop;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.LocalDate;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ShopMonthsTest {
    private static final LocalDate DAY = DialogGenerator.Config.Builder.DEFAULT_DAY;

    @Test
    void theSecondMonthAddsTheProductAndItsPromotionWithoutChangingAnyEarlierProductsFacts() {
        ShopCatalog first = SampleShop.load();
        ShopCatalog second = ShopMonths.secondMonth(first);
        assertThat(second.products()).hasSize(first.products().size() + 1).contains(ShopMonths.NEW_PRODUCT);
        assertThat(first.product(ShopMonths.NEW_PRODUCT.id())).isEmpty();
        assertThat(first.products()).noneMatch(p -> p.category().equals(ShopMonths.NEW_PRODUCT.category()));
        for (Product product : first.products()) {
            assertThat(FactsRenderer.render(second.factsFor(product.id(), DAY)))
                    .as(product.id()).isEqualTo(FactsRenderer.render(first.factsFor(product.id(), DAY)));
        }
        assertThat(second.activePromotions(ShopMonths.NEW_PRODUCT, DAY)).contains(ShopMonths.NEW_PROMOTION);
        assertThat(FactsRenderer.render(second.factsFor(ShopMonths.NEW_PRODUCT.id(), DAY))).contains("轻薄短款羽绒服(编号1033),459元",
                ShopMonths.NEW_PROMOTION.label());
    }

    @Test
    void theNewProductsDialogsAreAboutItAndItsHeldOutQuestionsAreNotInTraining() {
        ShopCatalog second = ShopMonths.secondMonth(SampleShop.load());
        DialogGenerator.Generated dialogs = ShopMonths.newProductDialogs(second,
                DialogGenerator.Config.builder().seed(42).trainCount(100).testCount(40).build(), "month2-");
        assertThat(dialogs.train()).hasSize(100);
        assertThat(dialogs.test()).hasSize(40);
        Set<String> trainQuestions = new HashSet<>();
        for (ShopDialog d : dialogs.train()) {
            assertThat(d.id()).startsWith("month2-train-");
            assertThat(d.input()).contains("编号1033");
            assertThat(ShopMonths.PRODUCT_INTENTS.get(Intent.fromWireName(d.intent()).orElseThrow())).isPositive();
            trainQuestions.add(d.instruction());
        }
        assertThat(dialogs.test()).allSatisfy(d -> {
            assertThat(d.input()).contains("编号1033");
            assertThat(trainQuestions).doesNotContain(d.instruction());
        });
        assertThat(dialogs.train()).extracting(ShopDialog::intent).contains("stock_size", "size_advice", "promotion", "material_care",
                "hesitation");
    }
}
