package io.kefu.cli.eval;

import io.kefu.cli.Cli;
import io.kefu.cli.KefuCli;
import io.kefu.eval.ab.ExperimentSplit;
import io.kefu.server.store.Database;
import io.kefu.server.store.ExperimentStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code kefu ab report --store}: which experiment it reads, and clear refusals. */
class AbReportStoreTest {
    @TempDir
    Path dir;

    private String storeWith(String... experiments) {
        String url = Database.h2Url(dir);
        try (Database db = Database.open(url)) {
            ExperimentStore store = new ExperimentStore(db, Clock.systemUTC());
            for (String experiment : experiments) {
                store.record(new ExperimentSplit(experiment, List.of(new ExperimentSplit.Arm("control", "rules", 1),
                        new ExperimentSplit.Arm("tuned", "base", 1))));
            }
        }
        return url;
    }

    @Test
    void theOnlyExperimentIsReadWithoutANameAndSeveralNeedOne() {
        String one = storeWith("launch");
        Cli.Result r = Cli.run("ab", "report", "--store", one);
        assertThat(r.exitCode()).as(r.err()).isZero();
        assertThat(r.out()).contains("experiment launch: control=rules:1,tuned=base:1").contains("Guardrails");

        storeWith("autumn");
        Cli.Result several = Cli.run("ab", "report", "--store", one);
        assertThat(several.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(several.err()).contains("several experiments").contains("launch, autumn").contains("--experiment");
        Cli.Result unknown = Cli.run("ab", "report", "--store", one, "--experiment", "winter");
        assertThat(unknown.exitCode()).isEqualTo(KefuCli.EXIT_FAILED);
        assertThat(unknown.err()).contains("--experiment winter: no such experiment").contains("recorded: launch, autumn");
        assertThat(Cli.run("ab", "report", "--store", one, "--experiment", "autumn", "--json").out()).contains("\"experiment\" : \"autumn\"");
    }

    @Test
    void badCommandLinesAreRefused() {
        Cli.Result missing = Cli.run("ab", "report", "--store", "jdbc:h2:file:" + dir.resolve("nowhere/shop"));
        assertThat(missing.exitCode()).isEqualTo(KefuCli.EXIT_FAILED);
        assertThat(missing.err()).contains("there is no H2 store at " + dir.resolve("nowhere/shop.mv.db"));
        assertThat(dir.resolve("nowhere")).doesNotExist();

        Cli.Result both = Cli.run("ab", "report", "--store", "jdbc:h2:mem:x", "--events", "e.csv");
        assertThat(both.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(both.err()).contains("mutually exclusive");
        Cli.Result neither = Cli.run("ab", "report");
        assertThat(neither.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(neither.err()).contains("--store").contains("--events");

        String url = storeWith("launch");
        Cli.Result p1Only = Cli.run("ab", "report", "--store", url, "--p1", "0.125");
        assertThat(p1Only.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(p1Only.err()).contains("--p2");
        Cli.Result noRate = Cli.run("ab", "report", "--store", url, "--p2", "0.135");
        assertThat(noRate.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(noRate.err()).contains("give --p1");
        Cli.Result split = Cli.run("ab", "report", "--store", url, "--split", "a=1,b=1");
        assertThat(split.exitCode()).isEqualTo(KefuCli.EXIT_USAGE);
        assertThat(split.err()).contains("--split");
    }
}
