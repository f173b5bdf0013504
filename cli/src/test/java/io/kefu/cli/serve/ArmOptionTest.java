package io.kefu.cli.serve;

import io.kefu.cli.Cli;
import io.kefu.cli.KefuCli;
import io.kefu.eval.ab.ExperimentSplit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code kefu serve --arm}: the split it parses, and every mistake named with its {@code --arm} before anything starts. */
class ArmOptionTest {
    @TempDir
    Path dir;

    @Test
    void armsNameASystemAndAnIntegerWeightControlFirst() {
        ExperimentSplit split = ArmOption.split(null, List.of("control=rules:20", "plain=base:30", "tuned=adapter:shop-lora:50"),
                List.of("shop-lora"), false);
        assertThat(split.experiment()).isEqualTo("default");
        assertThat(split.arms()).containsExactly(new ExperimentSplit.Arm("control", "rules", 20), new ExperimentSplit.Arm("plain", "base", 30),
                new ExperimentSplit.Arm("tuned", "adapter:shop-lora", 50));
        assertThat(ArmOption.split("launch", List.of("a=rules:1", "b=rules:3"), List.of(), true).experiment()).isEqualTo("launch");
        assertThat(ArmOption.split(null, List.of(), List.of(), false)).isNull();
    }

    /** Runs {@code kefu serve} with the arms; a model folder that does not exist shows that nothing was loaded before the check. */
    private Cli.Result serve(String... arms) {
        List<String> args = new ArrayList<>(List.of("serve", "--engine", "djl", "--model", dir.resolve("no-model").toString(),
                "--adapter", "shop-lora=" + dir.resolve("no-adapter"), "--store", "jdbc:h2:mem:arm-option-test"));
        for (String arm : arms) {
            args.addAll(List.of("--arm", arm));
        }
        return Cli.run(args.toArray(String[]::new));
    }

    private void assertRefused(Cli.Result r, String... fragments) {
        assertThat(r.exitCode()).as(r.err()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(r.err()).contains(fragments).doesNotContain("Exception").doesNotContain("no-model");
    }

    @Test
    void anUnknownAdapterIsNamedWithTheAdaptersServed() {
        assertRefused(serve("control=rules:50", "tuned=adapter:shop-lroa:50"), "--arm tuned=adapter:shop-lroa:50",
                "no adapter 'shop-lroa' is served", "--adapter shop-lroa=DIR", "served: shop-lora");
        Cli.Result rules = Cli.run("serve", "--engine", "rules", "--store", "jdbc:h2:mem:arm-option-test", "--arm", "control=rules:1",
                "--arm", "tuned=adapter:shop:1");
        assertRefused(rules, "--arm tuned=adapter:shop:1", "no adapter 'shop' is served");
        Cli.Result base = Cli.run("serve", "--engine", "rules", "--store", "jdbc:h2:mem:arm-option-test", "--arm", "control=rules:1",
                "--arm", "plain=base:1");
        assertRefused(base, "--arm plain=base:1", "--engine rules serves no base model");
        assertRefused(serve("control=rules:1", "tuned=gpt-4:1"), "--arm tuned=gpt-4:1", "'gpt-4' is not a system", "adapter:NAME");
    }

    @Test
    void weightsMustBePositiveIntegers() {
        for (String weight : List.of("0", "-5", "1.5", "abc", "", "99999999999")) {
            assertRefused(serve("control=rules:50", "tuned=adapter:shop-lora:" + weight), "--arm tuned=adapter:shop-lora:" + weight,
                    "the weight '" + weight + "' must be a positive integer");
        }
        assertRefused(serve("control=rules", "tuned=base:1"), "--arm control=rules", "NAME=SYSTEM:WEIGHT");
        assertRefused(serve("rules:50", "tuned=base:1"), "--arm rules:50", "NAME=SYSTEM:WEIGHT");
    }

    @Test
    void armNamesAreDistinctAndThereAreAtLeastTwo() {
        assertRefused(serve("control=rules:50", "control=adapter:shop-lora:50"), "--arm control=adapter:shop-lora:50",
                "the arm name 'control' is used twice");
        assertRefused(serve("control=rules:50"), "--arm control=rules:50", "at least two arms");
        assertRefused(serve("con trol=rules:50", "tuned=base:50"), "--arm con trol=rules:50", "'con trol'");
        Cli.Result noArms = Cli.run("serve", "--engine", "rules", "--store", "jdbc:h2:mem:arm-option-test", "--experiment", "launch");
        assertRefused(noArms, "--experiment launch", "--arm");
    }

    @Test
    void theHelpShowsTheArmOption() throws Exception {
        Cli.Result help = Cli.run("serve", "--help");
        assertThat(help.out()).contains("--arm=NAME=SYSTEM:WEIGHT").contains("--experiment=NAME");
        assertThat(Files.exists(dir.resolve("no-model"))).isFalse();
    }
}
