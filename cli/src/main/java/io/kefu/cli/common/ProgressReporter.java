package io.kefu.cli.common;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarConsumer;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The progress of one long piece of work (training steps, evaluated examples, generated lines).
 * On an interactive terminal it draws a bar that is rewritten in place. Anywhere else (a pipe, a CI
 * log, a test) it prints plain lines without escape codes, and only a few: the first update, the
 * last, and at most one per {@link #PLAIN_INTERVAL} in between, e.g.
 * {@code train: step 40/225 (17%)  loss 2.3184  eta 0:04:10}.
 */
public final class ProgressReporter implements AutoCloseable {
    /** Shortest time between two plain progress lines. */
    public static final Duration PLAIN_INTERVAL = Duration.ofSeconds(10);

    private final PrintWriter writer;
    private final String task;
    private final String unit;
    private final long total;
    private final ProgressBar bar;
    private final BarLine barLine;
    private final Duration plainInterval;
    private final long startNanos = System.nanoTime();
    private final long startDone;
    private volatile Duration eta;
    private long done;
    private String detail = "";
    /** When the last plain line was printed, 0 before the first. */
    private long lastPrintedNanos;
    private long lastPrintedDone;
    private boolean closed;

    private ProgressReporter(boolean interactive, PrintWriter writer, String task, String unit, long total, long startDone,
                             Duration plainInterval) {
        this.writer = writer;
        this.task = task;
        this.unit = unit;
        this.total = total;
        this.startDone = startDone;
        this.done = startDone;
        this.lastPrintedDone = startDone;
        this.plainInterval = plainInterval;
        if (interactive) {
            barLine = new BarLine(writer);
            bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(total).setStyle(ProgressBarStyle.ASCII)
                    .setConsumer(barLine).setUpdateIntervalMillis(250).startsFrom(startDone, Duration.ZERO)
                    .setEtaFunction(state -> Optional.ofNullable(eta)).build();
        } else {
            barLine = null;
            bar = null;
        }
    }

    /**
     * Starts reporting, as a bar when the command runs on an interactive terminal (see
     * {@link Terminal#isInteractive(CommandSpec)}), otherwise as plain lines.
     *
     * @param writer where the bar or the lines go
     * @param task a short name, e.g. {@code train} or a system's name
     * @param unit what is counted, singular, e.g. {@code step}
     * @param total how many there will be
     */
    public static ProgressReporter start(CommandSpec spec, PrintWriter writer, String task, String unit, long total) {
        return start(Terminal.isInteractive(spec), writer, task, unit, total, 0, PLAIN_INTERVAL);
    }

    /** As {@link #start(CommandSpec, PrintWriter, String, String, long)}, for work resumed after {@code startDone} units. */
    public static ProgressReporter start(boolean interactive, PrintWriter writer, String task, String unit, long total, long startDone,
                                  Duration plainInterval) {
        return new ProgressReporter(interactive, writer, task, unit, Math.max(total, 0), startDone, plainInterval);
    }

    /** @param done units finished so far */
    public void update(long done) {
        update(done, "", null);
    }

    /**
     * @param done units finished so far
     * @param detail a short status shown after the count, e.g. the loss, or empty
     * @param eta the time left as the work itself estimates it, or null to extrapolate the rate so far
     */
    public synchronized void update(long done, String detail, Duration eta) {
        if (closed) {
            return;
        }
        this.done = done;
        this.detail = detail;
        this.eta = eta != null ? eta : extrapolatedEta();
        if (bar != null) {
            bar.setExtraMessage(detail.isEmpty() ? "" : " " + detail);
            bar.stepTo(done);
            return;
        }
        long now = System.nanoTime();
        if (done > lastPrintedDone
                && (lastPrintedNanos == 0 || done >= total || now - lastPrintedNanos >= plainInterval.toNanos())) {
            printPlain(now);
        }
    }

    /** Prints a line of the command's own output without tearing the bar (it is drawn again below the line). */
    public void println(PrintWriter target, String line) {
        if (barLine != null) {
            barLine.clear();
        }
        target.println(line);
        target.flush();
        if (bar != null) {
            bar.refresh();
        }
    }

    /** Ends the bar (leaving it on screen) or prints the last plain line if it was not printed yet. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (bar != null) {
            bar.close();
            barLine.close(); // progressbar 0.10.1 skips it when the bar closes before its first scheduled refresh
        } else if (done > lastPrintedDone) {
            printPlain(System.nanoTime());
        }
    }

    private void printPlain(long now) {
        lastPrintedNanos = now;
        lastPrintedDone = done;
        StringBuilder line = new StringBuilder().append(task).append(": ").append(unit).append(' ').append(done).append('/').append(total);
        if (total > 0) {
            line.append(String.format(Locale.ROOT, " (%d%%)", done * 100 / total));
        }
        if (!detail.isEmpty()) {
            line.append("  ").append(detail);
        }
        if (eta != null && done < total) {
            line.append("  eta ").append(formatDuration(eta));
        }
        writer.println(line);
        writer.flush();
    }

    private Duration extrapolatedEta() {
        long finished = done - startDone;
        if (finished <= 0 || done >= total) {
            return done >= total ? Duration.ZERO : null;
        }
        double perUnit = (double) (System.nanoTime() - startNanos) / finished;
        return Duration.ofNanos((long) (perUnit * (total - done)));
    }

    /** @return {@code H:MM:SS} */
    public static String formatDuration(Duration d) {
        long s = Math.max(0, d.getSeconds());
        return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
    }

    /** The bar's one line on the command's writer, rewritten in place with a carriage return. */
    private static final class BarLine implements ProgressBarConsumer {
        private final PrintWriter writer;
        private final int width;
        private boolean closed;

        BarLine(PrintWriter writer) {
            this.writer = writer;
            // the library's console consumer knows the terminal's width; this one only borrows it
            this.width = Math.max(40, new ConsoleProgressBarConsumer(System.err).getMaxRenderedLength());
        }

        @Override
        public int getMaxRenderedLength() {
            return width;
        }

        @Override
        public synchronized void accept(String rendered) {
            String line = rendered.length() > width ? rendered.substring(0, width) : rendered;
            writer.print('\r');
            writer.print(line);
            writer.flush();
        }

        @Override
        public synchronized void clear() {
            writer.print('\r');
            writer.print(" ".repeat(width));
            writer.print('\r');
            writer.flush();
        }

        @Override
        public synchronized void close() {
            if (closed) {
                return;
            }
            closed = true;
            writer.println();
            writer.flush();
        }
    }
}
