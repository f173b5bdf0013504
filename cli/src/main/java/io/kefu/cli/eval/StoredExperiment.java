package io.kefu.cli.eval;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.eval.ab.ExperimentReport;
import io.kefu.eval.ab.ExperimentSplit;
import io.kefu.server.store.Database;
import io.kefu.server.store.ExperimentStore;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/** Reads an experiment of {@code kefu serve --arm} back from the store the server wrote, for {@code kefu ab report --store}. */
final class StoredExperiment {
    private StoredExperiment() {
    }

    /**
     * @param storeUrl the store's JDBC URL
     * @param experiment the experiment, or null for the only one recorded
     * @param confidence the intervals' confidence
     * @param planned the planned effect, or null
     * @throws KefuException {@link ErrorCode#NOT_FOUND} when the store or the experiment does not exist;
     *     {@link ErrorCode#INVALID_ARGUMENT} when no experiment is named and the store has several
     */
    static ExperimentReport report(String storeUrl, String experiment, double confidence, ExperimentReport.PlannedEffect planned) {
        requireExistingH2File(storeUrl);
        try (Database db = Database.open(storeUrl, new Database.Pool(2, Duration.ofSeconds(30)))) {
            ExperimentStore store = new ExperimentStore(db, Clock.systemUTC());
            String name = experiment != null ? experiment : onlyExperiment(store.experiments(), db.redacted());
            ExperimentSplit split = store.split(name).orElseThrow(() -> new KefuException(ErrorCode.NOT_FOUND, "--experiment " + name
                    + ": no such experiment in " + db.redacted() + "; recorded: " + describe(store.experiments())));
            return ExperimentReport.of(split, store.tallies(name), confidence, planned);
        }
    }

    private static String onlyExperiment(List<String> experiments, String where) {
        if (experiments.size() == 1) {
            return experiments.get(0);
        }
        if (experiments.isEmpty()) {
            throw new KefuException(ErrorCode.NOT_FOUND, "--store " + where + ": no A/B experiment is recorded (start one with kefu serve --arm)");
        }
        throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--store " + where + " holds several experiments; name one with --experiment: "
                + describe(experiments));
    }

    private static String describe(List<String> experiments) {
        return experiments.isEmpty() ? "none" : String.join(", ", experiments);
    }

    /** Opening an H2 file that is not there would create an empty store; a mistyped path is named instead. */
    private static void requireExistingH2File(String url) {
        String lower = url.toLowerCase(Locale.ROOT);
        if (!lower.startsWith("jdbc:h2:") || lower.startsWith("jdbc:h2:mem:") || lower.startsWith("jdbc:h2:tcp:")
                || lower.startsWith("jdbc:h2:ssl:")) {
            return;
        }
        String path = url.substring("jdbc:h2:".length());
        path = path.startsWith("file:") ? path.substring("file:".length()) : path;
        int settings = path.indexOf(';');
        path = settings >= 0 ? path.substring(0, settings) : path;
        if (path.startsWith("~")) {
            path = System.getProperty("user.home") + path.substring(1);
        }
        Path file = Path.of(path + ".mv.db");
        if (!Files.isRegularFile(file)) {
            throw new KefuException(ErrorCode.NOT_FOUND, "--store " + url + ": there is no H2 store at " + file);
        }
    }
}
