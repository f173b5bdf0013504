package io.kefu.shop;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The shop folder's formats read from text (a shop API's answers): the same facts, the same located errors. */
class ShopJsonTest {
    static final Path SHOP = Path.of(System.getProperty("kefu.repo.dir", ".."), "examples", "shop");

    @Test
    void readsWhatTheShopFolderHolds() throws Exception {
        ShopCatalog files = ShopCatalog.load(SHOP);
        String policies = Files.readString(SHOP.resolve("policies.json"));
        String shop = "{\"shop\": {\"id\": \"zhiyu\", \"name\": \"栀语女装\"}, \"policies\": " + policies + ", \"promotions\": "
                + promotionsArray() + ", \"sizeCharts\": " + chartsArray() + "}";
        ShopCatalog read = ShopJson.shop("https://shop.test/kefu/shop", shop);
        assertThat(read.shopName()).isEqualTo(files.shopName());
        assertThat(read.policies()).isEqualTo(files.policies());
        assertThat(read.promotions()).isEqualTo(files.promotions());
        assertThat(read.sizeCharts()).isEqualTo(files.sizeCharts());
        assertThat(read.products()).isEmpty();
        assertThat(ShopJson.policies("doc", policies)).isEqualTo(files.policies());

        String product = "{\"id\": \"1001\", \"name\": \"法式碎花连衣裙\", \"category\": \"连衣裙\", \"price\": 239, \"sizes\": [\"S\", \"M\"],"
                + " \"colors\": [\"米白\"], \"stock\": {\"米白\": {\"S\": 3, \"M\": 0}}, \"material\": \"棉\", \"care\": \"手洗\", \"sizeChart\": \"tops\"}";
        Product p = ShopJson.product("https://shop.test/kefu/products/1001", product, files.sizeCharts());
        assertThat(p.stock()).isEqualTo(java.util.Map.of("米白", java.util.Map.of("S", 3, "M", 0)));
        assertThat(p.restockDays()).isZero();
    }

    @Test
    void aBadAnswerIsALocatedError() {
        String url = "https://shop.test/kefu/products/1001";
        assertThatThrownBy(() -> ShopJson.product(url, "{\"id\": \"1001\",\n \"price\": -5}", List.of()))
                .isInstanceOf(KefuException.class).hasMessageStartingWith(url + ":")
                .satisfies(e -> assertThat(((KefuException) e).code()).isEqualTo(ErrorCode.INVALID_DATA));
        assertThatThrownBy(() -> ShopJson.shop(url, "{\"shop\": ")).hasMessageContaining(url + ":1:").hasMessageContaining("invalid JSON");
        assertThatThrownBy(() -> ShopJson.policies(url, "")).hasMessageContaining(url + ":1: empty");
    }

    private static String promotionsArray() throws Exception {
        String text = Files.readString(SHOP.resolve("promotions.json"));
        return text.substring(text.indexOf('['), text.lastIndexOf(']') + 1);
    }

    private static String chartsArray() throws Exception {
        String text = Files.readString(SHOP.resolve("size_chart.json"));
        return text.substring(text.indexOf('['), text.lastIndexOf(']') + 1);
    }
}
