package io.kefu.cli.shop;

import io.kefu.cli.Cli;
import io.kefu.cli.KefuCli;
import io.kefu.server.store.Database;
import io.kefu.server.store.ShopStore;
import io.kefu.shop.ShopCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code kefu shop import|export|set-stock} on real H2 stores: what goes in comes out, changed only where asked. */
class ShopCommandTest {
    static final Path SHOP = Path.of(System.getProperty("kefu.repo.dir", ".."), "examples", "shop");

    @TempDir
    Path dir;

    @Test
    void importSetStockExportRoundTrip() throws Exception {
        Path dataDir = dir.resolve("data");
        Cli.Result imported = Cli.run("shop", "import", SHOP.toString(), "--data-dir", dataDir.toString());
        assertThat(imported.exitCode()).as(imported.err()).isZero();
        assertThat(imported.out()).contains("imported 栀语女装");
        assertThat(dataDir.resolve("store/shop.mv.db")).exists();

        Cli.Result again = Cli.run("shop", "import", SHOP.toString(), "--data-dir", dataDir.toString());
        assertThat(again.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(again.err()).contains("already holds the shop 栀语女装").contains("--replace");

        Cli.Result set = Cli.run("shop", "set-stock", "1001", "米白", "M", "17", "--data-dir", dataDir.toString());
        assertThat(set.exitCode()).as(set.err()).isZero();
        assertThat(set.out()).contains("1001 米白 M: 17 in stock");
        Cli.Result badSize = Cli.run("shop", "set-stock", "1001", "米白", "XXXL", "1", "--data-dir", dataDir.toString());
        assertThat(badSize.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(badSize.err()).contains("XXXL").contains("no such size");
        assertThat(Cli.run("shop", "set-stock", "9999", "米白", "M", "1", "--data-dir", dataDir.toString()).err()).contains("9999");

        Path folder = dir.resolve("out/shop");
        Path file = dir.resolve("out/shop.json");
        assertThat(Cli.run("shop", "export", "--out", folder.toString(), "--data-dir", dataDir.toString()).exitCode()).isZero();
        assertThat(Cli.run("shop", "export", "--out", file.toString(), "--data-dir", dataDir.toString()).exitCode()).isZero();
        ShopCatalog sample = ShopCatalog.load(SHOP);
        ShopCatalog fromFolder = ShopCatalog.load(folder);
        assertThat(ShopCatalog.load(file)).isEqualTo(fromFolder);
        assertThat(fromFolder.requireProduct("1001").stockOf("米白", "M")).isEqualTo(17);
        assertThat(sample.requireProduct("1001").stockOf("米白", "M")).isNotEqualTo(17);
        assertThat(fromFolder.products().subList(1, sample.products().size())).isEqualTo(sample.products().subList(1, sample.products().size()));
        assertThat(fromFolder.policies()).isEqualTo(sample.policies());

        // the one-document file goes into another store (PostgreSQL takes the same through --store)
        String otherStore = "jdbc:h2:file:" + dir.resolve("other/shop");
        Cli.Result fromFile = Cli.run("shop", "import", file.toString(), "--store", otherStore);
        assertThat(fromFile.exitCode()).as(fromFile.err()).isZero();
        try (Database db = Database.open(otherStore)) {
            assertThat(new ShopStore(db).catalog().products()).isEqualTo(fromFolder.products());
        }
        Cli.Result replaced = Cli.run("shop", "import", SHOP.toString(), "--replace", "--store", otherStore);
        assertThat(replaced.exitCode()).as(replaced.err()).isZero();
        try (Database db = Database.open(otherStore)) {
            assertThat(new ShopStore(db).catalog().requireProduct("1001")).isEqualTo(sample.requireProduct("1001"));
        }
    }

    @Test
    void aBadShopFileIsRefusedWithItsLineAndTheStoreStaysEmpty() throws Exception {
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, ShopCatalog.load(SHOP).toDocument().replaceFirst("(\"price\"\\s*:\\s*)\\d+", "$1-7"));
        Cli.Result r = Cli.run("shop", "import", bad.toString(), "--data-dir", dir.resolve("data").toString());
        assertThat(r.exitCode()).isNotZero();
        assertThat(r.err()).contains(bad + ":").contains("catalog.products[0].price: -7 is out of range");
        Cli.Result export = Cli.run("shop", "export", "--out", dir.resolve("x").toString(), "--data-dir", dir.resolve("data").toString());
        assertThat(export.exitCode()).isNotZero();
        assertThat(export.err()).contains("holds no shop");
    }
}
