package io.kefu.cli.data;

import static org.assertj.core.api.Assertions.assertThat;

import io.kefu.cli.Cli;
import io.kefu.cli.KefuCli;
import io.kefu.shop.ShopCatalog;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenerateMonthsCommandTest {
    @Test
    void splitsTheSampleShopIntoTwoMonthsTheSecondWithTheNewProduct(@TempDir Path out) throws Exception {
        Path shop = GenerateShopCommandTest.sampleShop();
        Cli.Result result = Cli.run("data", "generate-months", "--shop", shop.toString(), "--out", out.toString());
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).contains("(400 dialogs)", "(200: 100 about earlier products, 100 about 1033 轻薄短款羽绒服)");

        List<String> train = Files.readAllLines(shop.resolve("train.jsonl"), StandardCharsets.UTF_8);
        assertThat(Files.readAllLines(out.resolve("month1.jsonl"), StandardCharsets.UTF_8)).isEqualTo(train.subList(0, 400));
        List<String> month2 = Files.readAllLines(out.resolve("month2.jsonl"), StandardCharsets.UTF_8);
        assertThat(month2).hasSize(200);
        assertThat(month2.subList(0, 100)).isEqualTo(train.subList(400, 500));
        assertThat(month2.subList(100, 200)).allSatisfy(line -> assertThat(line).contains("编号1033", "\"id\":\"month2-train-"));
        assertThat(Files.readAllLines(out.resolve("test-new-product.jsonl"), StandardCharsets.UTF_8)).hasSize(40)
                .allSatisfy(line -> assertThat(line).contains("编号1033"));
        ShopCatalog second = ShopCatalog.load(out.resolve("shop-month2"));
        assertThat(second.product("1033")).isPresent();
        assertThat(second.promotions()).anyMatch(p -> p.id().equals("P4"));

        Cli.Result again = Cli.run("data", "generate-months", "--shop", shop.toString(), "--out", out.resolve("again").toString());
        assertThat(again.exitCode()).isZero();
        for (String file : List.of("month1.jsonl", "month2.jsonl", "test-new-product.jsonl")) {
            assertThat(Files.readString(out.resolve("again").resolve(file))).as(file).isEqualTo(Files.readString(out.resolve(file)));
        }
    }

    @Test
    void refusesMoreDialogsThanTheShopHas(@TempDir Path out) {
        Cli.Result result = Cli.run("data", "generate-months", "--shop", GenerateShopCommandTest.sampleShop().toString(),
                "--out", out.toString(), "--month1", "550");
        assertThat(result.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(result.err()).contains("train.jsonl has 600 dialogs; --month1 550 and --old-in-month2 100 need 650");
        assertThat(out.resolve("month1.jsonl")).doesNotExist();
    }
}
