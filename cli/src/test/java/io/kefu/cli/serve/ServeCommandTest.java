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
