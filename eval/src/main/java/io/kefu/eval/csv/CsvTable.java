package io.kefu.eval.csv;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A CSV file (RFC 4180: comma separated, fields with commas, quotes or line breaks quoted,
 * quotes doubled) with a header row. Rows remember the line they start on, for error messages.
 *
 * @param file where it was read from
 * @param header the column names
 * @param rows the data rows
 */
public record CsvTable(Path file, List<String> header, List<Row> rows) {
    /**
     * One data row.
     *
     * @param line the 1-based line the row starts on
     * @param values column name to value
     */
    public record Row(long line, Map<String, String> values) {
        /** @return the value of a column, or "" when the column is absent */
        public String get(String column) {
            return values.getOrDefault(column, "");
        }
    }

    /** Copies the lists. */
    public CsvTable {
        header = List.copyOf(header);
        rows = List.copyOf(rows);
    }

    /**
     * Reads a UTF-8 CSV file (a leading byte-order mark is ignored).
     *
     * @throws KefuException {@link ErrorCode#NOT_FOUND} when missing, {@link ErrorCode#INVALID_DATA}
     *     naming file:line for an unterminated quote, a row with more fields than the header, or no header
     */
    public static CsvTable read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (java.nio.file.NoSuchFileException e) {
            throw new KefuException(ErrorCode.NOT_FOUND, file + ": no such file");
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, file + ": cannot read: " + e.getMessage(), e);
        }
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        List<List<String>> records = new ArrayList<>();
        List<Long> lines = new ArrayList<>();
        List<String> fields = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        boolean quoted = false;
        boolean any = false;
        long line = 1;
        long recordLine = 1;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted) {
                if (c == '"') {
                    if (i + 1 < text.length() && text.charAt(i + 1) == '"') {
                        field.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    if (c == '\n') {
                        line++;
                    }
                    field.append(c);
                }
            } else if (c == '"') {
                quoted = true;
                any = true;
            } else if (c == ',') {
                fields.add(field.toString());
                field.setLength(0);
                any = true;
            } else if (c == '\n' || c == '\r') {
                if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
                    i++;
                }
                if (any || field.length() > 0) {
                    fields.add(field.toString());
                    records.add(fields);
                    lines.add(recordLine);
                }
                fields = new ArrayList<>();
                field.setLength(0);
                any = false;
                line++;
                recordLine = line;
            } else {
                field.append(c);
                any = true;
            }
        }
        if (quoted) {
            throw new KefuException(ErrorCode.INVALID_DATA, file + ":" + recordLine + ": a quoted field is never closed");
        }
        if (any || field.length() > 0) {
            fields.add(field.toString());
            records.add(fields);
            lines.add(recordLine);
        }
        if (records.isEmpty()) {
            throw new KefuException(ErrorCode.INVALID_DATA, file + ":1: empty file; expected a header row");
        }
        List<String> header = records.get(0).stream().map(String::trim).toList();
        List<Row> rows = new ArrayList<>();
        for (int r = 1; r < records.size(); r++) {
            List<String> values = records.get(r);
            if (values.size() > header.size()) {
                throw new KefuException(ErrorCode.INVALID_DATA, file + ":" + lines.get(r) + ": " + values.size()
                        + " fields but the header has " + header.size());
            }
            Map<String, String> map = new LinkedHashMap<>();
            for (int c = 0; c < values.size(); c++) {
                map.put(header.get(c), values.get(c));
            }
            rows.add(new Row(lines.get(r), map));
        }
        return new CsvTable(file, header, rows);
    }

    /** @throws KefuException {@link ErrorCode#INVALID_DATA} when a required column is missing */
    public void requireColumns(String... columns) {
        for (String column : columns) {
            if (!header.contains(column)) {
                throw new KefuException(ErrorCode.INVALID_DATA, file + ":1: missing column '" + column
                        + "' (header has " + header + ")");
            }
        }
    }

    /** @return the CSV text of a header and rows, quoting where needed, lines ending in CRLF-free \n */
    public static String format(List<String> header, List<List<String>> rows) {
        StringBuilder sb = new StringBuilder();
        appendRow(sb, header);
        for (List<String> row : rows) {
            appendRow(sb, row);
        }
        return sb.toString();
    }

    private static void appendRow(StringBuilder sb, List<String> values) {
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            String v = values.get(i) == null ? "" : values.get(i);
            if (v.contains(",") || v.contains("\"") || v.contains("\n") || v.contains("\r")) {
                sb.append('"').append(v.replace("\"", "\"\"")).append('"');
            } else {
                sb.append(v);
            }
        }
        sb.append('\n');
    }
}
