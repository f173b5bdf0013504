package io.kefu.server.facts;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FactsMappingTest {
    static final String QUERIES = """
            queries:
              product: {sql: "SELECT * FROM goods WHERE code = :id", columns: {name: Title}}
              stock: {sql: "SELECT colour AS color, size, qty AS stock FROM sku WHERE code = :productId"}
              promotions: {sql: "SELECT * FROM promo"}
              policies: {sql: "SELECT doc AS document FROM shop_policy"}
            """;

    @TempDir
    Path temp;

    private Path write(String text) throws Exception {
        Path file = temp.resolve("facts.yaml");
        Files.writeString(file, text);
        return file;
    }

    @Test
    void readsAMappingWithItsDefaults() throws Exception {
        Path file = write("url: jdbc:postgresql://127.0.0.1:5432/shop?ssl=false\nuser: reader\npasswordEnv: SHOP_PW\nshopName: 云朵\n" + QUERIES);
        FactsMapping mapping = FactsMapping.load(file, Map.of("SHOP_PW", "s3cret")::get);
        assertThat(mapping.password()).isEqualTo("s3cret");
        assertThat(mapping.timeout()).hasSeconds(5);
        assertThat(mapping.poolSize()).isEqualTo(4);
        assertThat(mapping.redactedUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:5432/shop");
        FactsMapping.Query product = mapping.query("product").orElseThrow();
        assertThat(product.sql().jdbcSql()).isEqualTo("SELECT * FROM goods WHERE code = ?");
        assertThat(product.columns()).containsEntry("name", "title").containsEntry("restockDays", "restockdays");
        assertThat(mapping.query("sizeChart")).isEmpty();
    }

    @Test
    void readsThePasswordFromAFileBesideTheMapping() throws Exception {
        Files.writeString(temp.resolve("pw.txt"), "from-file\n");
        Path file = write("url: jdbc:mariadb://127.0.0.1/shop\npasswordFile: pw.txt\nshopName: 云朵\n" + QUERIES);
        assertThat(FactsMapping.load(file).password()).isEqualTo("from-file");
    }

    @Test
    void everyMistakeIsNamedWithFileAndLine() throws Exception {
        String head = "url: jdbc:mariadb://127.0.0.1/shop\nshopName: 云朵\n";
        assertRefused(head + "password: hunter2\n" + QUERIES, ":3: password: do not write the password");
        assertRefused(head + "passwordEnv: NOT_SET_ANYWHERE\n" + QUERIES, ":3: passwordEnv: the environment variable NOT_SET_ANYWHERE is not set");
        assertRefused(head + "colour: blue\n" + QUERIES, ":3: the mapping file: unknown key 'colour'");
        assertRefused(head + QUERIES.replace(":productId", ":product"), ":5: queries.stock.sql: unknown parameter :product");
        assertRefused(head + QUERIES.replace("code = :id", "code = '1001'"), ":4: queries.product.sql: must use [:id]");
        assertRefused(head + QUERIES.replace("columns: {name: Title}", "columns: {title: name}"),
                ":4: queries.product.columns: unknown key 'title'");
        assertRefused(head + QUERIES.replace("  policies: {sql: \"SELECT doc AS document FROM shop_policy\"}\n", ""),
                "queries: the query 'policies' is required");
        assertRefused("url: http://127.0.0.1/shop\nshopName: x\n" + QUERIES, ":1: url: expected a JDBC URL");
        assertRefused(head + "timeoutSeconds: 0\n" + QUERIES, ":3: timeoutSeconds: 0 is out of range [1, 300]");
        assertRefused(head + "queries: [\n", "not valid YAML");
    }

    private void assertRefused(String text, String message) throws Exception {
        Path file = write(text);
        assertThatThrownBy(() -> FactsMapping.load(file, name -> null)).isInstanceOf(KefuException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining(message)
                .satisfies(e -> assertThat(((KefuException) e).code()).isEqualTo(ErrorCode.INVALID_CONFIG))
                .hasMessageNotContaining("hunter2");
    }
}
