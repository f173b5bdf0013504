package io.kefu.cli.retrain;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kefu.train.TrainingConfig;
import io.kefu.train.TrainingEvent;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * What the month's preference training did, for the verdict: trained (with its settings and the
 * chosen-over-rejected margin before and after), or why not.
 *
 * @param status {@code trained}, {@code none} (no record has a rejected answer) or {@code skipped} ({@code --no-preference})
 * @param pairs records with a rejected answer
 * @param config the preference run's settings, when it ran
 * @param margin the margins on the pairs, when it ran
 * @param supervised the supervised adapter it started from (and compared with), when it ran
 */
record PreferenceStep(String status, int pairs, Optional<TrainingConfig> config, Optional<TrainingEvent.PreferenceMargin> margin,
                      Optional<Path> supervised) {
    static PreferenceStep none() {
        return new PreferenceStep("none", 0, Optional.empty(), Optional.empty(), Optional.empty());
    }

    static PreferenceStep skipped(int pairs) {
        return new PreferenceStep("skipped", pairs, Optional.empty(), Optional.empty(), Optional.empty());
    }

    static PreferenceStep trained(int pairs, TrainingConfig config, TrainingEvent.PreferenceMargin margin, Path supervised) {
        return new PreferenceStep("trained", pairs, Optional.of(config), Optional.of(margin), Optional.of(supervised));
    }

    /** @return one line for the console and the verdict */
    String summary() {
        return switch (status) {
            case "none" -> "none: the new data has no rejected answers";
            case "skipped" -> "skipped (--no-preference): " + pairs + " records have a rejected answer";
            default -> {
                TrainingConfig c = config.orElseThrow();
                TrainingEvent.PreferenceMargin m = margin.orElseThrow();
                yield String.format(Locale.ROOT, "trained on %d pairs (%s, beta %s, ftx %s, %d epoch%s at lr %s): mean log p(chosen)"
                                + " - log p(rejected) %.2f -> %.2f nats", pairs, c.prefLoss().name().toLowerCase(Locale.ROOT),
                        c.prefBeta(), c.prefFtx(), c.epochs(), c.epochs() == 1 ? "" : "s", c.learningRate(), m.marginBefore(),
                        m.marginAfter());
            }
        };
    }

    /** Writes the step into the verdict's {@code preference_training} object. */
    void writeTo(ObjectNode node) {
        node.put("status", status);
        node.put("pairs", pairs);
        node.put("summary", summary());
        config.ifPresent(c -> {
            node.put("loss", c.prefLoss().name().toLowerCase(Locale.ROOT));
            node.put("beta", c.prefBeta());
            node.put("ftx", c.prefFtx());
            node.put("epochs", c.epochs());
            node.put("learning_rate", c.learningRate());
        });
        margin.ifPresent(m -> {
            node.put("margin_before", m.marginBefore());
            node.put("margin_after", m.marginAfter());
        });
        supervised.ifPresent(dir -> node.put("supervised_adapter", dir.toString()));
    }
}
