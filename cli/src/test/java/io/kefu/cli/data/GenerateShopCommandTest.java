package io.kefu.cli.data;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kefu.cli.Cli;
import io.kefu.cli.KefuCli;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenerateShopCommandTest {
    static Path sampleShop() {
        return Path.of(System.getProperty("kefu.repo.dir", "..")).resolve("examples").resolve("shop");
    }

    @Test
    void regeneratesTheCommittedSampleDataset(@TempDir Path out) throws Exception {
        Cli.Result result = Cli.run("data", "generate-shop", "--shop", sampleShop().toString(), "--out", out.toString(), "--seed", "42");
        assertThat(result.exitCode()).as(result.err()).isZero();
        assertThat(result.out()).contains("wrote 600 train and 130 test dialogs", "stock_size", "out_of_scope");
        assertThat(Files.readString(out.resolve("train.jsonl"))).isEqualTo(Files.readString(sampleShop().resolve("train.jsonl")));
        assertThat(Files.readString(out.resolve("test.jsonl"))).isEqualTo(Files.readString(sampleShop().resolve("test.jsonl")));
    }

    @Test
    void makesUpShopsForAMultiShopCorpus(@TempDir Path out) throws Exception {
        Cli.Result result = Cli.run("data", "generate-shop", "--random-shops", "3", "--train", "40", "--test", "10",
                "--out", out.toString(), "--seed", "9", "--json");
        assertThat(result.exitCode()).as(result.err()).isZero();
        JsonNode summary = new ObjectMapper().readTree(result.out());
        assertThat(summary.get("train").asInt()).isEqualTo(120);
        assertThat(summary.get("test").asInt()).isEqualTo(30);
        assertThat(summary.get("intents").get("stock_size").get("train").asInt()).isPositive();
        assertThat(Files.readAllLines(out.resolve("train.jsonl"))).hasSize(120);
        try (var shops = Files.list(out.resolve("shops"))) {
            assertThat(shops.filter(d -> Files.exists(d.resolve("catalog.json")))).hasSize(3);
        }
        assertThat(Files.readString(out.resolve("train.jsonl"))).contains("\"output\":\"您好,").doesNotContain("栀语女装");
    }

    @Test
    void usageErrorsExitTwo(@TempDir Path out) {
        Cli.Result both = Cli.run("data", "generate-shop", "--shop", sampleShop().toString(), "--random-shops", "2", "--out", out.toString());
        assertThat(both.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(both.err()).contains("exactly one of --shop DIR or --random-shops K");
        Cli.Result style = Cli.run("data", "generate-shop", "--shop", sampleShop().toString(), "--style", "loud", "--out", out.toString());
        assertThat(style.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(style.err()).contains("--style loud");
    }

    @Test
    void aBrokenShopFailsWithItsLocationAndWritesNothing(@TempDir Path dir) throws Exception {
        Path shop = dir.resolve("shop");
        Files.createDirectories(shop);
        for (String name : new String[] {"catalog.json", "promotions.json", "policies.json", "size_chart.json"}) {
            Files.copy(sampleShop().resolve(name), shop.resolve(name));
        }
        Files.writeString(shop.resolve("policies.json"), Files.readString(shop.resolve("policies.json")).replace("\"days\": 7", "\"days\": -7"));
        Path out = dir.resolve("out");
        Cli.Result result = Cli.run("data", "generate-shop", "--shop", shop.toString(), "--out", out.toString());
        assertThat(result.exitCode()).isEqualTo(KefuCli.EXIT_FAILED);
        assertThat(result.err()).contains("policies.json:").contains("returns.days: -7 is out of range");
        assertThat(out).doesNotExist();
    }
}
