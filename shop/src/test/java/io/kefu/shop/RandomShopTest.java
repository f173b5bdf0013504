package io.kefu.shop;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RandomShopTest {
    private static final LocalDate DAY = LocalDate.of(2026, 11, 20);

    @Test
    void sameSeedSameShopOtherSeedOtherShop() {
        assertThat(RandomShop.generate(3, DAY)).isEqualTo(RandomShop.generate(3, DAY));
        assertThat(RandomShop.generate(3, DAY)).isNotEqualTo(RandomShop.generate(4, DAY));
    }

    @Test
    void shopsDifferInCategoriesPricesAndPolicies() {
        Set<String> names = new HashSet<>();
        Set<String> categories = new HashSet<>();
        Set<Boolean> cod = new HashSet<>();
        Set<Boolean> invoices = new HashSet<>();
        Set<Integer> returnDays = new HashSet<>();
        Set<Integer> prices = new HashSet<>();
        for (int seed = 0; seed < 30; seed++) {
            ShopCatalog shop = RandomShop.generate(seed, DAY);
            names.add(shop.shopName());
            shop.products().forEach(p -> categories.add(p.category()));
            shop.products().forEach(p -> prices.add(p.price()));
            cod.add(shop.policies().payment().cashOnDelivery());
            invoices.add(shop.policies().invoice().available());
            returnDays.add(shop.policies().returns().days());
            assertThat(shop.shopName()).isNotEqualTo("栀语女装");
        }
        assertThat(names).hasSizeGreaterThan(15);
        assertThat(categories).hasSizeGreaterThan(5);
        assertThat(prices).hasSizeGreaterThan(50);
        assertThat(cod).containsExactlyInAnyOrder(true, false);
        assertThat(invoices).containsExactlyInAnyOrder(true, false);
        assertThat(returnDays).contains(0, 7, 15);
    }

    @Test
    void randomShopsPassTheLoadersChecks(@TempDir Path dir) {
        for (int seed = 0; seed < 10; seed++) {
            ShopCatalog shop = RandomShop.generate(seed, DAY);
            Path folder = dir.resolve(shop.shopId());
            shop.write(folder);
            assertThat(ShopCatalog.load(folder)).isEqualTo(shop);
        }
    }

    @Test
    void dialogsOfRandomShopsAgreeWithTheirFacts() {
        List<String> problems = new ArrayList<>();
        for (int seed = 0; seed < 20; seed++) {
            ShopCatalog shop = RandomShop.generate(seed, DAY);
            DialogGenerator.Generated generated = new DialogGenerator(DialogGenerator.Config.builder().seed(seed)
                    .style(AnswerStyle.PLAIN).trainCount(80).testCount(15).build()).generate(shop, shop.shopId() + "-");
            List<ShopDialog> all = new ArrayList<>(generated.train());
            all.addAll(generated.test());
            for (ShopDialog d : all) {
                assertThat(d.id()).startsWith(shop.shopId() + "-");
                assertThat(d.system()).contains(shop.shopName());
                assertThat(BannedClaims.find(d.output())).as(d.output()).isEmpty();
                FactChecks.check(d.instruction(), d.input(), d.output()).forEach(p -> problems.add(d.id() + ": " + p + " | " + d.output()));
            }
        }
        assertThat(problems).isEmpty();
    }
}
