package io.kefu.runtime.data;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One record as read from a file, before it is interpreted: either its parsed JSON or the problem
 * that kept it from being parsed.
 *
 * @param line the line the record starts on
 * @param json the parsed record, or null when {@code problem} is set
 * @param problem why the record could not be read, or null
 * @param fatal true if reading cannot go on after this problem (a syntax error inside a JSON array)
 */
record SourceRecord(long line, JsonNode json, Problem problem, boolean fatal) {
    static SourceRecord parsed(long line, JsonNode json) {
        return new SourceRecord(line, json, null, false);
    }

    static SourceRecord failed(Problem problem, boolean fatal) {
        return new SourceRecord(problem.line(), null, problem, fatal);
    }
}
