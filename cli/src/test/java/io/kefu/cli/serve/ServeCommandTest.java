package io.kefu.cli.serve;

import io.kefu.KefuException;
import io.kefu.cli.Cli;
import io.kefu.cli.KefuCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code kefu serve} refuses bad command lines before it starts anything. */
class ServeCommandTest {
    @TempDir
    Path dir;

    @Test
    void anEngineModelIsRequired() {
        Cli.Result r = Cli.run("serve", "--engine", "djl", "--store", "jdbc:h2:mem:serve-test");
        assertThat(r.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(r.err()).contains("--model is required with --engine djl");
    }

    @Test
    void anotherInterfaceNeedsAnApiKey() {
        Cli.Result r = Cli.run("serve", "--engine", "rules", "--bind", "0.0.0.0", "--store", "jdbc:h2:mem:serve-test");
        assertThat(r.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(r.err()).contains("0.0.0.0").contains("--api-key-file");
    }

    @Test
    void theBatchSizeMustBePositiveAndTheRulesBaselineLoadsNoAdapters() {
        Cli.Result zero = Cli.run("serve", "--engine", "rules", "--max-batch", "0", "--store", "jdbc:h2:mem:serve-test");
        assertThat(zero.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(zero.err()).contains("--max-batch must be at least 1");
        Cli.Result runtime = Cli.run("serve", "--engine", "rules", "--allow-runtime-adapters", "--store", "jdbc:h2:mem:serve-test");
        assertThat(runtime.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(runtime.err()).contains("--allow-runtime-adapters: the rules baseline takes no adapters");
    }

    @Test
    void servingWithoutAShopSaysWhatToPass() throws Exception {
        Cli.Result r = Cli.run("serve", "--engine", "rules", "--port", "0", "--data-dir", dir.resolve("data").toString());
        assertThat(r.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(r.err()).contains("no shop to serve").contains("--shop DIR").contains("kefu shop import");
        assertThat(dir.resolve("data/store/shop.mv.db")).as("the store lives in the data folder").exists();
        Path config = dir.resolve("serve.yaml");
        Files.writeString(config, "engine: rules\nallowed-host: [file.example, other.example]\nserved-model-name: [from-file]\n");
        Cli.Result listed = Cli.run("serve", "--config", config.toString(), "--allowed-host", "flag.example", "--data-dir",
                dir.resolve("data").toString());
        assertThat(listed.out()).as("a repeatable flag on the command line replaces the file's list")
                .contains("  allowed-host: [\"flag.example\"]    # flag").contains("  served-model-name: [\"from-file\"]    # file");
        assertThat(listed.err()).contains("no shop to serve");
        Cli.Result missing = Cli.run("serve", "--engine", "rules", "--shop", dir.resolve("nowhere").toString(), "--store", "jdbc:h2:mem:serve-test");
        assertThat(missing.err()).contains("--shop").contains("nowhere");
    }

    @Test
    void theConfigFileIsCheckedKeyByKeyWithItsLine() throws Exception {
        Path config = dir.resolve("serve.yaml");
        Files.writeString(config, "engine: rules\nmax-batch: 4\nmax-bacth: 8\n");
        Cli.Result unknown = Cli.run("serve", "--config", config.toString());
        assertThat(unknown.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(unknown.err()).contains(config + ":3: unknown key 'max-bacth'").contains("max-batch");

        Files.writeString(config, "engine: rules\nhandoff:\n  keywords: [举报]\n  opening: 9\n");
        assertThat(Cli.run("serve", "--config", config.toString()).err()).contains(config + ":4: unknown key 'handoff.opening'");

        Files.writeString(config, "engine: rules\nport: eighty\n");
        Cli.Result badValue = Cli.run("serve", "--config", config.toString());
        assertThat(badValue.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(badValue.err()).contains(config + ":2: key 'port'").contains("eighty");

        Files.writeString(config, "engine: rules\nport: [1, 2]\n");
        assertThat(Cli.run("serve", "--config", config.toString()).err()).contains(config + ":2: key 'port' takes one value");

        Files.writeString(config, "engine: rules\nengine: djl\n");
        assertThat(Cli.run("serve", "--config", config.toString()).err()).contains(config + ":2: key 'engine' appears twice");

        Files.writeString(config, "engine: rules\ncompliance:\n  banned-claims:\n    爆款: 全网最低\n");
        assertThat(Cli.run("serve", "--config", config.toString()).err()).contains(config + ":4:").contains("全网最低");

        Files.writeString(config, "handoff:\n  desk-hours: 9-23\n");
        assertThat(Cli.run("serve", "--config", config.toString()).err()).contains(config + ":2:").contains("HH:MM-HH:MM");

        Files.writeString(config, "port: 0\n");
        assertThat(Cli.run("serve", "--config", config.toString()).err()).contains("--engine is required");
        assertThat(Cli.run("serve", "--config", dir.resolve("none.yaml").toString()).err()).contains("none.yaml").contains("does not exist");
    }

    @Test
    void theEffectiveConfigurationReadsBackAsTheSameConfiguration() throws Exception {
        Path config = dir.resolve("serve.yaml");
        Files.writeString(config, String.join("\n", "engine: rules", "max-batch: 3", "allowed-host: [a.example]", "served-model-name: [shop-kefu]",
                "assistant:", "  persona: \"你是{shop}的助手。\"", "  history-turns: 2", "compliance:", "  banned-claims:", "    爆款: 人气款",
                "handoff:", "  keywords: [退货地址]", "  desk-hours: \"08:30-22:00\"", "  desk-time-zone: Asia/Shanghai", ""));
        String first = effective(Cli.run("serve", "--config", config.toString(), "--timeout", "77", "--data-dir", dir.resolve("a").toString()));
        assertThat(first).contains("max-batch: 3").contains("timeout: 77").contains("\"爆款\": \"人气款\"").contains("desk-hours: \"08:30-22:00\"");

        Path printed = dir.resolve("printed.yaml");
        Files.writeString(printed, first);
        String second = effective(Cli.run("serve", "--config", printed.toString()));
        assertThat(withoutComments(second)).isEqualTo(withoutComments(first));
    }

    /** The effective configuration a run printed (it stops at the missing shop). */
    private static String effective(Cli.Result r) {
        assertThat(r.err()).contains("no shop to serve");
        return r.out().lines().takeWhile(l -> !l.startsWith("kefu serve:")).collect(java.util.stream.Collectors.joining("\n", "", "\n"));
    }

    private static String withoutComments(String yaml) {
        return yaml.lines().filter(l -> !l.startsWith("#")).map(l -> l.replaceAll("    # \\w+$", "")).collect(java.util.stream.Collectors.joining("\n"));
    }

    @Test
    void anyOptionOfTheCommandIsAKeyOfTheFile() throws Exception {
        picocli.CommandLine.Model.CommandSpec serve = new picocli.CommandLine(new ServeCommand()).getCommandSpec();
        Path config = dir.resolve("serve.yaml");
        Files.writeString(config, "facts: jdbc:postgresql://db/shop\nexperiment: launch\narm:\n  control: rules:50\n  tuned: adapter:shop-lora:50\n"
                + "adapter: [shop-lora=out/shop-lora]\n");

        ServeConfigFile file = ServeConfigFile.load(config, serve);

        assertThat(file.defaultOf(serve.findOption("--facts"))).isEqualTo("jdbc:postgresql://db/shop");
        assertThat(file.defaultOf(serve.findOption("--experiment"))).isEqualTo("launch");
        assertThat(file.repeatableArguments(name -> false)).as("a mapping of arms keeps their order, control first")
                .containsExactly("--arm", "control=rules:50", "--arm", "tuned=adapter:shop-lora:50", "--adapter", "shop-lora=out/shop-lora");
        assertThat(file.repeatableArguments(name -> name.equals("--arm"))).as("given on the command line")
                .containsExactly("--adapter", "shop-lora=out/shop-lora");

        // an option as another command version may have it: one of key=value pairs typed as a map
        picocli.CommandLine.Model.OptionSpec labels = picocli.CommandLine.Model.OptionSpec.builder("--label").type(java.util.Map.class)
                .auxiliaryTypes(String.class, String.class).build();
        Files.writeString(config, "label:\n  team: shop\n  tier: gold\n");
        ServeConfigFile mapped = ServeConfigFile.load(config, picocli.CommandLine.Model.CommandSpec.create().addOption(labels));
        assertThat(mapped.repeatableArguments(name -> false)).containsExactly("--label", "team=shop", "--label", "tier=gold");
    }

    @Test
    void secretsInPrintedValuesAreMasked() {
        assertThat(EffectiveConfig.redact("jdbc:postgresql://db:5432/kefu?user=kefu&password=p4ss&ssl=true"))
                .isEqualTo("jdbc:postgresql://db:5432/kefu?user=kefu&password=<redacted>&ssl=true");
        assertThat(EffectiveConfig.redact("jdbc:h2:file:/x/shop;PASSWORD=p4ss;MODE=PostgreSQL")).isEqualTo("jdbc:h2:file:/x/shop;PASSWORD=<redacted>;MODE=PostgreSQL");
        assertThat(EffectiveConfig.redact("http://admin:p$4ss@127.0.0.1:8000/v1?token=t0k")).isEqualTo("http://admin:<redacted>@127.0.0.1:8000/v1?token=<redacted>");
        assertThat(EffectiveConfig.value("--hf-token", "t0k")).isEqualTo(EffectiveConfig.REDACTED);
        assertThat(EffectiveConfig.value("--model", "models/qwen")).isEqualTo("\"models/qwen\"");
    }

    @Test
    void theFactsSourceMustBeOneKefuCanRead() {
        Cli.Result unknown = Cli.run("serve", "--engine", "rules", "--facts", "facts.txt", "--store", "jdbc:h2:mem:serve-test");
        assertThat(unknown.exitCode()).isNotZero();
        assertThat(unknown.err()).contains("--facts facts.txt: expected a JDBC URL (jdbc:...), a mapping file (.yaml) or an http(s):// URL");
        Cli.Result missing = Cli.run("serve", "--engine", "rules", "--facts", dir.resolve("none.yaml").toString(), "--store",
                "jdbc:h2:mem:serve-test");
        assertThat(missing.exitCode()).isNotZero();
        assertThat(missing.err()).contains("none.yaml: no such mapping file");
        Cli.Result mariadb = Cli.run("serve", "--engine", "rules", "--facts", "jdbc:mariadb://127.0.0.1/shop?password=p", "--store",
                "jdbc:h2:mem:serve-test");
        assertThat(mariadb.exitCode()).isNotZero();
        assertThat(mariadb.err()).contains("write a mapping file").doesNotContain("password=p");
        Cli.Result plain = Cli.run("serve", "--engine", "rules", "--facts", "http://shop.example.com/api", "--store", "jdbc:h2:mem:serve-test");
        assertThat(plain.exitCode()).isNotZero();
        assertThat(plain.err()).contains("plain http is taken only for a loopback host");
    }

    @Test
    void adapterSpecsAndKeyFilesAreChecked() throws Exception {
        assertThat(ServeCommand.parseAdapters(java.util.List.of("shop=out/a", "promo=out/b"))).containsOnlyKeys("shop", "promo");
        assertThatThrownBy(() -> ServeCommand.parseAdapters(java.util.List.of("out/a"))).isInstanceOf(KefuException.class)
                .hasMessageContaining("NAME=DIR");
        assertThatThrownBy(() -> ServeCommand.parseAdapters(java.util.List.of("a=x", "a=y"))).hasMessageContaining("used twice");
        Files.writeString(dir.resolve("key"), "  s3cret\n");
        assertThat(ServeCommand.readKey(dir.resolve("key"))).isEqualTo("s3cret");
        Files.writeString(dir.resolve("empty"), "\n");
        assertThatThrownBy(() -> ServeCommand.readKey(dir.resolve("empty"))).hasMessageContaining("empty");
        assertThatThrownBy(() -> ServeCommand.readKey(dir.resolve("missing"))).hasMessageContaining("missing");
    }
}
