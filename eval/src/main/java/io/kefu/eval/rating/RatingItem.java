package io.kefu.eval.rating;

import java.util.Map;

/**
 * One question to rate: what the customer asked, the shop facts the answer should rest on, and
 * each compared system's answer.
 *
 * @param id a stable id (e.g. the example's line)
 * @param question the customer's question
 * @param facts the shop facts shown to the rater
 * @param answers system name to its answer
 */
public record RatingItem(String id, String question, String facts, Map<String, String> answers) {
    /** Copies the map, keeping its order. */
    public RatingItem {
        answers = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(answers));
    }
}
