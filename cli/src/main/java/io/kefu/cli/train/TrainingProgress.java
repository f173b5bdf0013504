package io.kefu.cli.train;

import io.kefu.cli.common.ProgressReporter;
import io.kefu.train.TrainingEvent;
import io.kefu.train.TrainingListener;
import java.io.PrintWriter;
import java.util.Locale;

/**
 * Shows a training run in the terminal: a line when it starts, a progress bar over the optimiser
 * steps (loss, learning rate, tokens per second, the trainer's own ETA), a line per epoch and per
 * checkpoint, and a line when it ends. Used by {@code kefu train} and {@code kefu quickstart}.
 */
public final class TrainingProgress implements TrainingListener, AutoCloseable {
    private final PrintWriter log;
    private final PrintWriter progress;
    private final boolean interactive;
    private final boolean showCheckpoints;
    private ProgressReporter steps;
    private TrainingEvent.Started started;
    private TrainingEvent.Finished finished;
    private TrainingEvent.PreferenceMargin margin;

    /**
     * @param log where the start, epoch, checkpoint and end lines go
     * @param progress where the step progress goes
     * @param interactive whether to draw a bar (see {@link ProgressReporter})
     * @param showCheckpoints whether to print a line per checkpoint written
     */
    public TrainingProgress(PrintWriter log, PrintWriter progress, boolean interactive, boolean showCheckpoints) {
        this.log = log;
        this.progress = progress;
        this.interactive = interactive;
        this.showCheckpoints = showCheckpoints;
    }

    @Override
    public void onEvent(TrainingEvent event) {
        if (event instanceof TrainingEvent.Started s) {
            started = s;
            print(String.format(Locale.ROOT, "training %d examples, %d steps, %,d of %,d parameters trainable%s", s.trainExamples(),
                    s.totalSteps(), s.trainableParameters(), s.totalParameters(),
                    s.resumedFromStep() > 0 ? ", resumed at step " + s.resumedFromStep() : ""));
            steps = ProgressReporter.start(interactive, progress, "train", "step", s.totalSteps(), s.resumedFromStep(),
                    ProgressReporter.PLAIN_INTERVAL);
        } else if (event instanceof TrainingEvent.Step s) {
            if (steps != null) {
                // a bar leaves room for little beside it; a log line can say everything
                String detail = interactive
                        ? String.format(Locale.ROOT, "loss %.4f  %.0f tok/s", s.loss(), s.tokensPerSecond())
                        : String.format(Locale.ROOT, "epoch %d  loss %.4f  lr %.2e  grad-norm %.3f  %.0f tok/s",
                                s.epoch(), s.loss(), s.learningRate(), s.gradNorm(), s.tokensPerSecond());
                steps.update(s.step(), detail, s.eta());
            }
        } else if (event instanceof TrainingEvent.EpochEnd e) {
            print(String.format(Locale.ROOT, "epoch %d  train loss %.4f%s", e.epoch(), e.trainLoss(),
                    Double.isNaN(e.validationLoss()) ? "" : String.format(Locale.ROOT, "  validation loss %.4f", e.validationLoss())));
        } else if (event instanceof TrainingEvent.Checkpoint c) {
            if (showCheckpoints) {
                print("checkpoint " + c.directory());
            }
        } else if (event instanceof TrainingEvent.Finished f) {
            finished = f;
            close();
            print(String.format(Locale.ROOT, "finished after %d steps, loss %.4f%s, %s", f.steps(), f.finalLoss(),
                    f.stoppedEarly() ? " (stopped early)" : "", ProgressReporter.formatDuration(f.elapsed())));
        } else if (event instanceof TrainingEvent.PreferenceMargin m) {
            margin = m;
            print(String.format(Locale.ROOT, "preference margin over %d pairs (mean log p(chosen) - log p(rejected)): %.2f -> %.2f nats",
                    m.pairs(), m.marginBefore(), m.marginAfter()));
        }
    }

    /** @return the start event, or null before training started */
    public TrainingEvent.Started started() {
        return started;
    }

    /** @return the end event, or null before training ended */
    public TrainingEvent.Finished finished() {
        return finished;
    }

    /** @return the margins of a preference run, or null before it ended (or for supervised training) */
    public TrainingEvent.PreferenceMargin margin() {
        return margin;
    }

    /** Ends the step progress (also when training failed half-way). Idempotent. */
    @Override
    public void close() {
        if (steps != null) {
            steps.close();
        }
    }

    private void print(String line) {
        if (steps != null) {
            steps.println(log, line);
        } else {
            log.println(line);
            log.flush();
        }
    }
}
