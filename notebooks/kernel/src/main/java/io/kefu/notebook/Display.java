package io.kefu.notebook;

import java.util.List;
import java.util.UUID;

/**
 * What notebook cells call to show things (imported statically into every cell):
 * {@code display(chart)}, {@code display(table(...))}, {@code display(html("<b>hi</b>"))}, and
 * {@code var live = displayLive(chart); ... live.update(chart);} for an output that changes while
 * the cell runs (a loss curve during training).
 * <p>
 * A cell's last expression is displayed the same way without calling {@code display}.
 * Images ({@link java.awt.image.BufferedImage}, PNG bytes, XChart charts) show as {@code image/png};
 * {@link Table}s and {@link #html(String)} as {@code text/html}; anything else as text.
 */
public final class Display {
    /** Where displayed values go: the kernel's output, or standard output outside a kernel. */
    interface Sink {
        void show(Object value, String displayId);

        void update(String displayId, Object value);
    }

    private static final Sink PRINT = new Sink() {
        @Override
        public void show(Object value, String displayId) {
            System.out.println(Rendering.plainText(value));
        }

        @Override
        public void update(String displayId, Object value) {
            System.out.println(Rendering.plainText(value));
        }
    };

    private static volatile Sink sink = PRINT;

    private Display() {}

    /** Shows a value in the cell's output at once, richly where the kernel knows how. */
    public static void display(Object value) {
        sink.show(value, null);
    }

    /** Shows a value and returns a handle that replaces it in place with {@link Live#update(Object)}. */
    public static Live displayLive(Object value) {
        Live live = new Live(UUID.randomUUID().toString());
        sink.show(value, live.id());
        return live;
    }

    /** A value that displays as the given HTML. */
    public static Html html(String html) {
        return new Html(html);
    }

    /** A value that displays as an HTML table (and as aligned text where HTML is not shown). */
    public static Table table(List<String> columns, List<? extends List<?>> rows) {
        return Table.of(columns, rows);
    }

    /** HTML to be shown as is. */
    public record Html(String html) {
        @Override
        public String toString() {
            return html;
        }
    }

    /** An output that can be replaced in place; {@code id} is its Jupyter display id. */
    public record Live(String id) {
        /** Replaces the output with a new rendering of {@code value}. */
        public void update(Object value) {
            sink.update(id, value);
        }
    }

    static void setSink(Sink displaySink) {
        sink = displaySink;
    }
}
