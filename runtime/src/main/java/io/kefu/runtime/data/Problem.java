package io.kefu.runtime.data;

import java.util.Objects;

/**
 * One located problem in a data file: what is wrong, where, and why.
 *
 * @param file the file, as the user named it
 * @param line the 1-based line (JSONL) or record start line (JSON array); 0 for a problem with
 *     the file as a whole (e.g. too few examples)
 * @param field the field at fault, in path notation such as {@code output},
 *     {@code messages[3].role} or {@code history[1][0]}; {@code record} for the record as a whole,
 *     {@code file} for the file as a whole
 * @param reason what is wrong and, where it helps, how to fix it
 */
public record Problem(String file, long line, String field, String reason) {
    /** Field name used for problems with a whole record (invalid JSON, duplicates, length). */
    public static final String RECORD = "record";
    /** Field name used for problems with the file as a whole. */
    public static final String FILE = "file";

    /** Checks for nulls. */
    public Problem {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(reason, "reason");
    }

    /** @return {@code file:line: field: reason}, or {@code file: field: reason} when the line is 0 */
    public String format() {
        return (line > 0 ? file + ":" + line : file) + ": " + field + ": " + reason;
    }

    @Override
    public String toString() {
        return format();
    }
}
