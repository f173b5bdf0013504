package io.kefu.shop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ShopCatalogTest {
    @Test
    void loadsTheSampleShop() {
        ShopCatalog shop = SampleShop.load();
        assertThat(shop.shopName()).isEqualTo("栀语女装");
        assertThat(shop.products()).hasSizeGreaterThanOrEqualTo(30);
        Product dress = shop.requireProduct("1001");
        assertThat(dress.name()).isEqualTo("法式碎花连衣裙");
        assertThat(dress.price()).isEqualTo(239);
        assertThat(dress.stockOf("米白", "S")).isEqualTo(39);
        assertThat(dress.stockOf("雾蓝", "L")).isZero();
        assertThat(shop.policies().returns().days()).isEqualTo(7);
        assertThat(shop.policies().payment().cashOnDelivery()).isTrue();
        assertThat(shop.promotions()).extracting(Promotion::label).contains("满299减50", "满199减20券", "无门槛10元券");
        for (Product p : shop.products()) {
            assertThat(p.material()).doesNotContain("100%");
            assertThat(shop.sizeChart(p.sizeChart())).isPresent();
        }
    }

    @Test
    void activePromotionsFollowValidityWindowsAndCategories() {
        ShopCatalog shop = SampleShop.load();
        Product coat = shop.products().stream().filter(p -> p.category().equals("外套")).findFirst().orElseThrow();
        Product dress = shop.requireProduct("1001");
        LocalDate day = LocalDate.of(2026, 11, 20);
        assertThat(shop.activePromotions(coat, day)).extracting(Promotion::id).containsExactly("P1", "C1", "C2", "P2");
        assertThat(shop.activePromotions(dress, day)).extracting(Promotion::id).containsExactly("P1", "C1", "C2");
        assertThat(shop.activePromotions(dress, LocalDate.of(2026, 6, 10))).extracting(Promotion::id).containsExactly("P0");
        assertThat(shop.activePromotions(dress, LocalDate.of(2026, 12, 31))).extracting(Promotion::id).containsExactly("P1", "C2", "P3");
        assertThat(shop.activePromotions(dress, LocalDate.of(2027, 3, 1))).isEmpty();
    }

    @Test
    void writeThenLoadGivesTheSameCatalog(@TempDir Path dir) {
        ShopCatalog shop = SampleShop.load();
        shop.write(dir);
        assertThat(ShopCatalog.load(dir)).isEqualTo(shop);
    }

    @Test
    void theOneDocumentFormHoldsTheSameCatalogAndLocatesItsProblems(@TempDir Path dir) throws Exception {
        ShopCatalog shop = SampleShop.load();
        String document = shop.toDocument();
        assertThat(ShopCatalog.parse("shop.json", document)).isEqualTo(shop);
        Files.writeString(dir.resolve("shop.json"), document);
        assertThat(ShopCatalog.load(dir.resolve("shop.json"))).isEqualTo(shop);

        String badPrice = document.replaceFirst("(\"price\"\\s*:\\s*)239", "$1-1");
        int line = (int) badPrice.substring(0, badPrice.indexOf("-1,")).lines().count();
        assertThatThrownBy(() -> ShopCatalog.parse("body", badPrice)).isInstanceOf(KefuException.class)
                .hasMessageStartingWith("body:" + line + " catalog.products[0].price: -1 is out of range");
        assertThatThrownBy(() -> ShopCatalog.parse("body", "{\"catalog\": {}, \"extra\": 1}")).hasMessageContaining("extra")
                .hasMessageContaining("unknown field");
    }

    @Test
    void aPromotionIsReadAloneWithItsIdFromOutside() {
        java.util.Set<String> categories = SampleShop.load().categories();
        Promotion p = ShopCatalog.parsePromotion("body", "{\"type\": \"full_reduction\", \"threshold\": 300, \"amount\": 40,"
                + " \"validFrom\": \"2026-11-01\", \"validTo\": \"2026-11-30\"}", "P9", categories);
        assertThat(p.label()).isEqualTo("满300减40");
        assertThat(p.id()).isEqualTo("P9");
        assertThatThrownBy(() -> ShopCatalog.parsePromotion("body", "{\"type\": \"full_reduction\", \"threshold\": 300,\n \"amount\": 400,"
                + " \"validFrom\": \"2026-11-01\", \"validTo\": \"2026-11-30\"}", "P9", categories))
                .hasMessageStartingWith("body:2 amount: amount 400 must be below the threshold 300");
        assertThatThrownBy(() -> ShopCatalog.parsePromotion("body", "{\"id\": \"P8\"}", "P9", categories)).hasMessageContaining("P9");
        assertThatThrownBy(() -> ShopCatalog.parsePromotion("body", "{\"colour\": 1}", "P9", categories)).hasMessageContaining("colour")
                .hasMessageContaining("unknown field");
    }

    @Test
    void missingFileIsNotFound(@TempDir Path dir) {
        assertThatThrownBy(() -> ShopCatalog.load(dir))
                .isInstanceOf(KefuException.class)
                .hasMessageContaining("size_chart.json")
                .hasMessageContaining("file not found")
                .extracting(e -> ((KefuException) e).code()).isEqualTo(ErrorCode.NOT_FOUND);
    }

    static Stream<Arguments> brokenCatalogs() {
        return Stream.of(
                Arguments.of("catalog.json", "\"price\": 239,", "\"price\": -5,", "catalog.json:11 products[0].price: -5 is out of range"),
                Arguments.of("catalog.json", "\"price\": 239,", "\"price\": \"239\",", "products[0].price: expected a whole number, got the string \"239\""),
                Arguments.of("catalog.json", "\"sizeChart\": \"tops\",\n      \"restockDays\": 5", "\"sizeChart\": \"hats\",\n      \"restockDays\": 5",
                        "products[0].sizeChart: unknown size chart \"hats\""),
                Arguments.of("catalog.json", "\"米白\": {\n          \"S\": 39", "\"象牙\": {\n          \"S\": 39",
                        "products[0].stock.象牙: colour \"象牙\" is not in colors [米白, 雾蓝]"),
                Arguments.of("catalog.json", "\"id\": \"1002\"", "\"id\": \"1001\"", "products[1].id: duplicate product id \"1001\""),
                Arguments.of("catalog.json", "\"name\": \"法式碎花连衣裙\",", "", "products[0].name: missing required field"),
                Arguments.of("catalog.json", "\"products\": [", "\"products\": [,", "catalog.json:6:"),
                Arguments.of("promotions.json", "\"validTo\": \"2026-12-31\"", "\"validTo\": \"2026-10-31\"",
                        "promotions[0].validTo: validTo 2026-10-31 is before validFrom 2026-11-01"),
                Arguments.of("promotions.json", "\"type\": \"full_reduction\"", "\"type\": \"discount\"",
                        "promotions[0].type: unknown promotion type \"discount\""),
                Arguments.of("promotions.json", "\"amount\": 50", "\"amount\": 500",
                        "promotions[0].amount: amount 500 must be below the threshold 299"),
                Arguments.of("promotions.json", "\"categories\": [\n        \"外套\"", "\"categories\": [\n        \"鞋子\"",
                        "promotions[3].categories: unknown category \"鞋子\""),
                Arguments.of("policies.json", "\"otherAreaDays\": \"3-5\"", "\"otherAreaDays\": \"三到五天\"",
                        "shipping.otherAreaDays: expected days like \"3-5\""),
                Arguments.of("policies.json", "\"cashOnDelivery\": true", "\"cashOnDelivery\": \"yes\"",
                        "payment.cashOnDelivery: expected true or false"),
                Arguments.of("size_chart.json", "\"height\": [\n            150,\n            157\n          ]",
                        "\"height\": [\n            157,\n            150\n          ]", "charts[0].rows[0].height: min 157 is greater than max 150"));
    }

    @ParameterizedTest
    @MethodSource("brokenCatalogs")
    void brokenFilesFailWithALocatedMessage(String file, String find, String replace, String expected, @TempDir Path dir) throws Exception {
        for (String name : new String[] {"catalog.json", "promotions.json", "policies.json", "size_chart.json"}) {
            Files.copy(SampleShop.dir().resolve(name), dir.resolve(name));
        }
        String text = Files.readString(dir.resolve(file), StandardCharsets.UTF_8);
        assertThat(text).contains(find);
        Files.writeString(dir.resolve(file), text.replaceFirst(java.util.regex.Pattern.quote(find),
                java.util.regex.Matcher.quoteReplacement(replace)), StandardCharsets.UTF_8);
        assertThatThrownBy(() -> ShopCatalog.load(dir))
                .isInstanceOf(KefuException.class)
                .hasMessageContaining(file)
                .hasMessageContaining(expected)
                .extracting(e -> ((KefuException) e).code()).isEqualTo(ErrorCode.INVALID_DATA);
    }

    @Test
    void sizeChartRecommendsTheLargerSizeWhenHeightAndWeightDisagree() {
        SizeChart chart = SampleShop.load().sizeChart("tops").orElseThrow();
        assertThat(chart.recommend(160, 50)).contains(new SizeChart.Advice("M", false));
        assertThat(chart.recommend(155, 50)).contains(new SizeChart.Advice("M", true));
        assertThat(chart.recommend(170, 45)).contains(new SizeChart.Advice("XL", true));
        assertThat(chart.recommend(140, 45)).isEmpty();
        assertThat(chart.recommend(160, 120)).isEmpty();
        assertThat(chart.forSizes(java.util.List.of("S", "M")).recommend(170, 60)).isEmpty();
    }
}
