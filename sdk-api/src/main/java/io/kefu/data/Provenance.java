package io.kefu.data;

/**
 * Where an example came from, so that every augmented example can be traced to its origin.
 *
 * @param method how it was made: {@code "file"} for records read from disk, otherwise the
 *     augmentation ({@code "template"}, {@code "synonym"}, {@code "paraphrase"}, {@code "negative"} ...)
 * @param source the file it was read from, or the id of the example/catalog entry it was derived from
 * @param line the 1-based line (JSONL) or record start line (JSON array) in {@code source}; 0 when not from a file
 * @param detail free text, e.g. which synonym rule or paraphrasing model was applied; may be empty
 */
public record Provenance(String method, String source, long line, String detail) {
    /** Checks for nulls. */
    public Provenance {
        java.util.Objects.requireNonNull(method, "method");
        java.util.Objects.requireNonNull(source, "source");
        java.util.Objects.requireNonNull(detail, "detail");
    }

    /** @return the provenance of a record read from a file */
    public static Provenance file(String source, long line) {
        return new Provenance("file", source, line, "");
    }

    /** @return {@code source:line} for records read from files, otherwise {@code method(source)} */
    public String location() {
        return line > 0 ? source + ":" + line : method + "(" + source + ")";
    }
}
