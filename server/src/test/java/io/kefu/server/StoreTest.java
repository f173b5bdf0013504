package io.kefu.server.store;

import io.kefu.KefuException;
import io.kefu.shop.policy.Handoff;
import io.kefu.shop.policy.HandoffReason;
import io.kefu.shop.FactsRenderer;
import io.kefu.shop.Product;
import io.kefu.shop.Promotion;
import io.kefu.shop.ShopCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.LocalDate;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StoreTest {
    static final Path SHOP = Path.of(System.getProperty("kefu.repo.dir", ".."), "examples", "shop");

    @TempDir
    Path temp;

    @Test
    void theStoreRendersExactlyTheFactsTheCatalogGivesOnEveryDay() {
        ShopCatalog catalog = ShopCatalog.load(SHOP);
        ShopStore store = new ShopStore(Database.open(Database.h2Url(temp)));
        assertThat(store.loadIfEmpty(catalog)).isTrue();
        assertThat(store.loadIfEmpty(catalog)).isFalse();
        for (LocalDate day : new LocalDate[] {LocalDate.of(2026, 11, 5), LocalDate.of(2026, 11, 20), LocalDate.of(2026, 12, 20),
                LocalDate.of(2027, 3, 1)}) {
            for (Product product : catalog.products()) {
                assertThat(FactsRenderer.render(store.facts(Optional.of(product.id()), day)))
                        .as(product.id() + " on " + day).isEqualTo(FactsRenderer.render(catalog.factsFor(product, day)));
            }
            assertThat(FactsRenderer.render(store.facts(Optional.empty(), day))).isEqualTo(FactsRenderer.render(catalog.shopFacts(day)));
        }
    }

    @Test
    void stockChangesShowInTheNextFacts() {
        ShopStore store = new ShopStore(Database.open(Database.h2Url(temp)));
        store.loadIfEmpty(ShopCatalog.load(SHOP));
        store.setStock("1001", "米白", "XL", 7);
        assertThat(FactsRenderer.render(store.facts(Optional.of("1001"), LocalDate.of(2026, 11, 20)))).contains("米白 S=39 M=2 L=32 XL=7");
        assertThatThrownBy(() -> store.setStock("1001", "米白", "XXL", 1)).isInstanceOf(KefuException.class).hasMessageContaining("XXL");
        assertThatThrownBy(() -> store.facts(Optional.of("9999"), LocalDate.now())).hasMessageContaining("productId").hasMessageContaining("9999");
    }

    @Test
    void theWholeShopReadsBackAsItWasLoadedAndAsItWasChanged() {
        ShopCatalog catalog = ShopCatalog.load(SHOP);
        ShopStore store = new ShopStore(Database.open(Database.h2Url(temp)));
        store.loadIfEmpty(catalog);
        ShopCatalog back = store.catalog();
        assertThat(back.products()).isEqualTo(catalog.products());
        assertThat(back.policies()).isEqualTo(catalog.policies());
        assertThat(back.promotions()).extracting(Promotion::id).isEqualTo(catalog.promotions().stream().map(Promotion::id).toList());
        assertThat(new HashSet<>(back.sizeCharts())).isEqualTo(new HashSet<>(catalog.sizeCharts()));

        Product changed = store.updateProduct("1001", 199, Map.of("米白", Map.of("S", 0, "XL", 3)));
        assertThat(changed.price()).isEqualTo(199);
        assertThat(changed.stockOf("米白", "S")).isZero();
        assertThat(store.catalog().requireProduct("1001")).isEqualTo(changed);
        assertThatThrownBy(() -> store.updateProduct("1001", 5, Map.of("米白", Map.of("XXL", 1)))).hasMessageStartingWith("stock.米白.XXL:");
        assertThat(store.product("1001")).contains(changed);

        Promotion first = catalog.promotions().get(0);
        Promotion bigger = new Promotion(first.id(), first.type(), first.threshold(), first.amount() + 1, first.validFrom(), first.validTo(),
                first.categories(), first.howToGet(), first.audience());
        assertThat(store.putPromotion(bigger)).isFalse();
        assertThat(store.catalog().promotions().get(0)).isEqualTo(bigger);
        Promotion added = new Promotion("NEW", first.type(), first.threshold(), first.amount(), first.validFrom(), first.validTo(),
                List.of(), first.howToGet(), first.audience());
        assertThat(store.putPromotion(added)).isTrue();
        assertThat(store.catalog().promotions()).last().isEqualTo(added);

        store.replace(catalog);
        assertThat(store.catalog().products()).isEqualTo(catalog.products());
    }

    @Test
    void reopeningKeepsDataAndConversationsAreRecorded() {
        String url = Database.h2Url(temp);
        new ShopStore(Database.open(url)).loadIfEmpty(ShopCatalog.load(SHOP));
        Database again = Database.open(url);
        assertThat(new ShopStore(again).isLoaded()).isTrue();
        ConversationStore conversations = new ConversationStore(again);
        conversations.ensureSession("s1", null);
        conversations.addTurn("s1", "1001", new ConversationStore.Turn("M码有吗?", "有的", false, false), null, 12, null);
        conversations.addTurn("s1", "1001", new ConversationStore.Turn("L码呢?", "也有", false, true), null, 10, null);
        assertThat(conversations.history("s1", 10)).extracting(ConversationStore.Turn::question).containsExactly("M码有吗?", "L码呢?");
        assertThat(conversations.history("s1", 1)).extracting(ConversationStore.Turn::question).containsExactly("L码呢?");
        conversations.handOff(new Handoff("s1", "我要投诉", "转人工", HandoffReason.COMPLAINT, "complaint"));
        assertThat(conversations.openHandoffs()).singleElement().satisfies(h -> assertThat(h.reason()).isEqualTo("complaint"));
        assertThat(conversations.assignArm("s1", "exp", "treatment")).isEqualTo("treatment");
        assertThat(conversations.assignArm("s1", "exp", "control")).isEqualTo("treatment");
    }

    @Test
    void otherUrlsAreRefused() {
        assertThatThrownBy(() -> Database.open("jdbc:mysql://localhost/x")).isInstanceOf(KefuException.class)
                .hasMessageContaining("jdbc:postgresql");
    }
}
