package io.kefu.cli.common;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProgressReporterTest {
    @Test
    void plainLinesAreFewAndFreeOfEscapes() {
        StringWriter text = new StringWriter();
        try (ProgressReporter p = ProgressReporter.start(false, new PrintWriter(text), "train", "step", 100, 0, Duration.ofHours(1))) {
            p.update(0);
            for (int step = 1; step <= 100; step++) {
                p.update(step, "loss 1.5000", Duration.ofSeconds(100 - step));
            }
        }
        // the first step and the last; the others fall inside the interval
        assertThat(text.toString().lines()).containsExactly(
                "train: step 1/100 (1%)  loss 1.5000  eta 0:01:39",
                "train: step 100/100 (100%)  loss 1.5000");
    }

    @Test
    void closePrintsWhereWorkStoppedWhenThatLineWasSkipped() {
        StringWriter text = new StringWriter();
        ProgressReporter p = ProgressReporter.start(false, new PrintWriter(text), "rules", "example", 10, 0, Duration.ofHours(1));
        p.update(2);
        p.update(6);
        p.close();
        p.close();
        p.update(8);
        List<String> lines = text.toString().lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).startsWith("rules: example 2/10 (20%)");
        assertThat(lines.get(1)).startsWith("rules: example 6/10 (60%)");
    }

    @Test
    void resumedWorkCountsFromWhereItResumed() {
        StringWriter text = new StringWriter();
        try (ProgressReporter p = ProgressReporter.start(false, new PrintWriter(text), "train", "step", 10, 10, Duration.ZERO)) {
            p.update(10);
        }
        assertThat(text.toString()).isEmpty();
    }

    @Test
    void onATerminalTheBarIsRewrittenInPlaceAndLinesPrintAboveIt() {
        StringWriter text = new StringWriter();
        PrintWriter writer = new PrintWriter(text);
        try (ProgressReporter p = ProgressReporter.start(true, writer, "train", "step", 4, 0, ProgressReporter.PLAIN_INTERVAL)) {
            p.update(2, "loss 2.0000", Duration.ofSeconds(5));
            p.println(writer, "epoch 1  train loss 2.0000");
            p.update(4, "loss 1.0000", Duration.ZERO);
        }
        String shown = text.toString();
        assertThat(shown).contains("\r", "epoch 1  train loss 2.0000\n", "train", "4/4", "loss 1.0000").endsWith("\n");
        assertThat(shown).doesNotContain("train: step");
    }
}
