package io.kefu.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.kefu.server.facts.JdbcFactsSource;
import io.kefu.shop.policy.HandoffPolicy;
import io.kefu.shop.rules.RulesChatModel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Shops whose facts live in their own tables — on a real MariaDB and a real PostgreSQL that the test starts — read
 * through mapping files: {@code POST /chat} answers with the shop's own price and stock, follows the shop's changes,
 * and hands the conversation to a person while the shop's database is down or stalls.
 */
class ShopDatabaseFactsIT {
    /** The shop's own schema, nothing like Kefu's store: prices in fen, colours and sizes as SKU rows, a JSON policy document. */
    static final String[] SCHEMA = {
        "CREATE TABLE goods (code VARCHAR(32) PRIMARY KEY, title VARCHAR(200) NOT NULL, cat VARCHAR(64) NOT NULL,"
                + " price_fen INT NOT NULL, fabric VARCHAR(200), care_text VARCHAR(200), chart VARCHAR(32), restock INT)",
        "CREATE TABLE goods_sku (code VARCHAR(32) NOT NULL, colour VARCHAR(32) NOT NULL, size VARCHAR(8) NOT NULL, pos INT NOT NULL,"
                + " qty INT NOT NULL)",
        "CREATE TABLE promo (promo_id VARCHAR(16) NOT NULL, kind VARCHAR(32) NOT NULL, min_spend INT NOT NULL, saving INT NOT NULL,"
                + " starts DATE NOT NULL, ends DATE NOT NULL, cats VARCHAR(200), claim VARCHAR(100), who VARCHAR(32), pos INT NOT NULL)",
        "CREATE TABLE shop_policy (doc TEXT NOT NULL)",
        "CREATE TABLE size_row (chart VARCHAR(32) NOT NULL, pos INT NOT NULL, size VARCHAR(8) NOT NULL, h_min INT NOT NULL,"
                + " h_max INT NOT NULL, w_min INT NOT NULL, w_max INT NOT NULL)",
        "INSERT INTO goods VALUES ('A-77', '云朵针织开衫', '针织衫', 18800, '羊毛30% 腈纶70%', '冷水手洗,平铺晾干', 'knit', 6),"
                + " ('B-00', '未上架样衣', '针织衫', 9900, NULL, NULL, NULL, NULL)",
        "INSERT INTO goods_sku VALUES ('A-77', '奶油白', 'S', 1, 3), ('A-77', '奶油白', 'M', 2, 0), ('A-77', '奶油白', 'L', 3, 9),"
                + " ('A-77', '雾霾蓝', 'S', 4, 5), ('A-77', '雾霾蓝', 'M', 5, 12), ('A-77', '雾霾蓝', 'L', 6, 0)",
        "INSERT INTO promo VALUES ('W1', 'full_reduction', 300, 30, '2020-01-01', '2099-12-31', NULL, NULL, NULL, 1),"
                + " ('K1', 'coupon', 199, 20, '2020-01-01', '2099-12-31', '针织衫', '在商品页领取', NULL, 2),"
                + " ('OLD', 'full_reduction', 100, 10, '2019-01-01', '2019-12-31', NULL, NULL, NULL, 3)",
        "INSERT INTO size_row VALUES ('knit', 1, 'S', 150, 158, 40, 48), ('knit', 2, 'M', 159, 165, 49, 56), ('knit', 3, 'L', 166, 172, 57, 65)",
    };

    /** The queries, written once for both databases: parameters by name, every one bound by the driver. */
    static final String QUERIES = """
            queries:
              product:
                sql: >-
                  SELECT code, title, cat, price_fen / 100 AS price, fabric, care_text, chart, restock
                  FROM goods WHERE code = :id
                columns: {id: code, name: title, category: cat, material: fabric, care: care_text, sizeChart: chart, restockDays: restock}
              productByName:
                sql: "SELECT code, title, cat, price_fen / 100 AS price FROM goods WHERE title = :name"
                columns: {id: code, name: title, category: cat}
              stock:
                sql: "SELECT colour, size, qty FROM goods_sku WHERE code = :productId ORDER BY pos"
                columns: {color: colour, stock: qty}
              sizeChart:
                sql: "SELECT size, h_min, h_max, w_min, w_max FROM size_row WHERE chart = :id ORDER BY pos"
                columns: {heightMin: h_min, heightMax: h_max, weightMin: w_min, weightMax: w_max}
              promotions:
                sql: >-
                  SELECT promo_id, kind, min_spend, saving, starts, ends, cats, claim, who FROM promo
                  WHERE starts <= :day AND ends >= :day ORDER BY pos
                columns: {id: promo_id, type: kind, threshold: min_spend, amount: saving, validFrom: starts, validTo: ends,
                          categories: cats, howToGet: claim, audience: who}
              policies:
                sql: "SELECT doc FROM shop_policy"
                columns: {document: doc}
            """;

    @TempDir
    static Path temp;
    static MariaDbServer mariadb;
    static PostgresServer postgres;

    @BeforeAll
    static void startDatabases() throws Exception {
        mariadb = MariaDbServer.start();
        postgres = PostgresServer.start();
    }

    @AfterAll
    static void stopDatabases() throws Exception {
        if (mariadb != null) {
            mariadb.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void aMariaDbShopAnswersFromItsOwnTables() throws Exception {
        mariadb.execute("CREATE DATABASE shop CHARACTER SET utf8mb4",
                "CREATE USER 'kefu_reader'@'127.0.0.1' IDENTIFIED BY 'r3ader-Secret'",
                "GRANT SELECT ON shop.* TO 'kefu_reader'@'127.0.0.1'");
        String url = "jdbc:mariadb://127.0.0.1:" + mariadb.port() + "/shop";
        createShop(url + "?user=root");
        Files.writeString(temp.resolve("mariadb-reader.password"), "r3ader-Secret\n");
        Path mapping = temp.resolve("mariadb-facts.yaml");
        Files.writeString(mapping, "url: " + url + "\nuser: kefu_reader\npasswordFile: mariadb-reader.password\ntimeoutSeconds: 2\n"
                + "shopName: 云朵针织\n" + QUERIES, StandardCharsets.UTF_8);
        answersFromTheShopsTablesAndHandsOffWhileTheyAreDown(mapping, url + "?user=root", () -> mariadb.stopServer(),
                () -> mariadb.startServer(), () -> mariadb.pause(), () -> mariadb.resume());
    }

    @Test
    void aPostgresShopAnswersFromItsOwnTables() throws Exception {
        String url = postgres.jdbcUrl();
        createShop(url);
        Path mapping = temp.resolve("postgres-facts.yaml");
        Files.writeString(mapping, "url: " + url.substring(0, url.indexOf('?')) + "\nuser: kefu\ntimeoutSeconds: 2\nshopName: 云朵针织\n" + QUERIES,
                StandardCharsets.UTF_8);
        answersFromTheShopsTablesAndHandsOffWhileTheyAreDown(mapping, url, () -> postgres.stopServer(), () -> postgres.startServer(),
                () -> postgres.pause(), () -> postgres.resume());
    }

    private void answersFromTheShopsTablesAndHandsOffWhileTheyAreDown(Path mapping, String adminUrl, Step stop, Step start, Step pause,
                                                                      Step resume) throws Exception {
        try (JdbcFactsSource source = JdbcFactsSource.open(mapping)) {
            assertThat(source.productNamed("云朵针织开衫")).map(p -> p.id() + " " + p.price() + " " + p.stockOf("奶油白", "L"))
                    .contains("A-77 188 9");
            assertThat(source.productNamed("没有这件")).isEmpty();
            assertThat(source.sizeChart("knit")).map(c -> c.rows().size()).contains(3);
        }
        Path store = Files.createTempDirectory(temp, "store");
        try (KefuServer server = KefuServer.start(ServerConfig.builder().baseModel(new RulesChatModel())
                .storeUrl("jdbc:h2:file:" + store.resolve("shop")).facts(JdbcFactsSource.open(mapping)).port(0).build())) {
            Http http = new Http(server.port());
            JsonNode price = http.post("/chat", RulesServerIT.ask("这件多少钱?", "A-77", null)).json();
            assertThat(price.get("handoff").asBoolean()).isFalse();
            assertThat(price.get("answer").asText()).contains("188元").contains("满300减30").contains("满199减20券").doesNotContain("满100减10");
            assertThat(texts(price.get("facts"))).containsExactly(
                    "商品:云朵针织开衫(编号A-77),188元",
                    "库存:奶油白 S=3 M=0 L=9;雾霾蓝 S=5 M=12 L=0",
                    "补货:缺货尺码约6天补货",
                    "材质:羊毛30% 腈纶70%;洗护:冷水手洗,平铺晾干",
                    "尺码表:S 150-158cm 40-48kg;M 159-165cm 49-56kg;L 166-172cm 57-65kg",
                    "活动:满300减30(至2099-12-31);满199减20券(在商品页领取,至2099-12-31)",
                    "发货:付款后48小时内发货;中通快递包邮;顺丰速运加15元",
                    "时效:江浙沪1-2天;偏远地区5-7天;其他地区3-5天",
                    "发票:电子普通发票(确认收货后在订单页申请)",
                    "付款:微信支付、支付宝、花呗;支持货到付款,无手续费",
                    "售后:7天无理由退换(吊牌完好、未洗涤未穿着);赠运费险",
                    "人工客服:9:00-23:00");
            JsonNode stock = http.post("/chat", RulesServerIT.ask("M码有货吗?", "A-77", null)).json();
            assertThat(stock.get("answer").asText()).isEqualTo("您好,雾霾蓝M码有货,还有12件,奶油白M码暂时缺货。");

            // the shop's own system sells the last ones: the next answer says so
            update(adminUrl, "UPDATE goods_sku SET qty = 0 WHERE code = 'A-77' AND colour = '雾霾蓝' AND size = 'M'");
            String session = stock.get("sessionId").asText();
            JsonNode soldOut = http.post("/chat", RulesServerIT.ask("M码还有吗?", "A-77", session)).json();
            assertThat(soldOut.get("answer").asText()).contains("雾霾蓝M码暂时缺货").doesNotContain("有货");

            assertThat(http.post("/chat", RulesServerIT.ask("有货吗?", "NOPE-1", null)).status()).isEqualTo(404);
            // a product the shop's tables hold no SKUs for has no stock to tell: a person answers, nothing is guessed
            JsonNode noSkus = http.post("/chat", RulesServerIT.ask("有货吗?", "B-00", null)).json();
            assertThat(noSkus.get("handoff").asBoolean()).isTrue();
            assertThat(noSkus.get("reason").asText()).isEqualTo("facts_unavailable");

            stop.run();
            // a longer outage (several questions) must not delay noticing that it is back
            for (int i = 0; i < 3; i++) {
                assertThat(http.post("/chat", RulesServerIT.ask("L码有货吗?", "A-77", session)).json().get("handoff").asBoolean()).isTrue();
            }
            Http.Reply down = http.post("/chat", RulesServerIT.ask("L码有货吗?", "A-77", session));
            assertThat(down.status()).isEqualTo(200);
            assertThat(down.json().get("handoff").asBoolean()).isTrue();
            assertThat(down.json().get("reason").asText()).isEqualTo("facts_unavailable");
            assertThat(down.json().get("answer").asText()).isEqualTo(HandoffPolicy.HANDOFF_ANSWER);
            assertThat(down.json().get("facts")).isEmpty();
            assertThat(server.conversations().openHandoffs()).anySatisfy(h -> {
                assertThat(h.sessionId()).isEqualTo(session);
                assertThat(h.reason()).isEqualTo("facts_unavailable");
            });

            start.run();
            JsonNode back = http.post("/chat", RulesServerIT.ask("L码有货吗?", "A-77", session)).json();
            assertThat(back.get("handoff").asBoolean()).isFalse();
            assertThat(back.get("answer").asText()).contains("奶油白L码有货,还有9件");

            // a database that stalls (a frozen host, a partition) costs a question about the timeout (2 s), then a hand-off
            pause.run();
            try {
                long began = System.nanoTime();
                JsonNode stalled = http.post("/chat", RulesServerIT.ask("L码有货吗?", "A-77", session)).json();
                assertThat(stalled.get("reason").asText()).isEqualTo("facts_unavailable");
                assertThat(java.time.Duration.ofNanos(System.nanoTime() - began)).isLessThan(java.time.Duration.ofSeconds(10));
            } finally {
                resume.run();
            }
        }
    }

    private static void createShop(String url) throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            for (String sql : SCHEMA) {
                s.execute(sql);
            }
            try (PreparedStatement p = c.prepareStatement("INSERT INTO shop_policy VALUES (?)")) {
                p.setString(1, Files.readString(RulesServerIT.SHOP.resolve("policies.json")));
                p.executeUpdate();
            }
        }
    }

    private static void update(String url, String sql) throws Exception {
        try (Connection c = DriverManager.getConnection(url); Statement s = c.createStatement()) {
            assertThat(s.executeUpdate(sql)).isEqualTo(1);
        }
    }

    private static java.util.List<String> texts(JsonNode array) {
        java.util.List<String> out = new java.util.ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    @FunctionalInterface
    interface Step {
        void run() throws Exception;
    }
}
