package io.kefu.notebook;

import java.util.ArrayList;
import java.util.List;

/**
 * A table of cells that displays as {@code text/html} in a notebook and as aligned columns in text.
 *
 * @param columns the header
 * @param rows    each row has one value per column
 */
public record Table(List<String> columns, List<List<String>> rows) {
    public Table {
        columns = List.copyOf(columns);
        rows = rows.stream().map(List::copyOf).toList();
        for (int i = 0; i < rows.size(); i++) {
            if (rows.get(i).size() != columns.size()) {
                throw new IllegalArgumentException("table row " + i + " has " + rows.get(i).size()
                        + " cells but there are " + columns.size() + " columns " + columns);
            }
        }
    }

    /** A table whose cells are the values' {@code String.valueOf}. */
    public static Table of(List<String> columns, List<? extends List<?>> rows) {
        List<List<String>> text = new ArrayList<>();
        for (List<?> row : rows) {
            text.add(row.stream().map(String::valueOf).toList());
        }
        return new Table(columns, text);
    }

    /** The table as an HTML {@code <table>} with escaped cells. */
    public String toHtml() {
        StringBuilder html = new StringBuilder("<table>\n<thead><tr>");
        for (String column : columns) {
            html.append("<th>").append(escape(column)).append("</th>");
        }
        html.append("</tr></thead>\n<tbody>\n");
        for (List<String> row : rows) {
            html.append("<tr>");
            for (String cell : row) {
                html.append("<td>").append(escape(cell)).append("</td>");
            }
            html.append("</tr>\n");
        }
        return html.append("</tbody>\n</table>").toString();
    }

    /** The table as text with padded columns. */
    @Override
    public String toString() {
        int[] widths = new int[columns.size()];
        for (int c = 0; c < widths.length; c++) {
            widths[c] = columns.get(c).length();
            for (List<String> row : rows) {
                widths[c] = Math.max(widths[c], row.get(c).length());
            }
        }
        StringBuilder text = new StringBuilder();
        appendRow(text, columns, widths);
        for (List<String> row : rows) {
            appendRow(text, row, widths);
        }
        return text.toString().stripTrailing();
    }

    private static void appendRow(StringBuilder text, List<String> cells, int[] widths) {
        for (int c = 0; c < cells.size(); c++) {
            String cell = cells.get(c);
            text.append(cell);
            if (c + 1 < cells.size()) {
                text.append(" ".repeat(widths[c] - cell.length() + 2));
            }
        }
        text.append('\n');
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
