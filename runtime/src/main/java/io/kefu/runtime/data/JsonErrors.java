package io.kefu.runtime.data;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;

/** Turns Jackson's parse errors into short reasons without Jackson's source dumps. */
final class JsonErrors {
    private JsonErrors() {
    }

    /** @return e.g. {@code invalid JSON at column 17: Unexpected character ('}' (code 125)) ...} */
    static String reason(JsonProcessingException e) {
        JsonLocation where = e.getLocation();
        String column = where != null && where.getColumnNr() > 0 ? " at column " + where.getColumnNr() : "";
        return "invalid JSON" + column + ": " + clean(e.getOriginalMessage());
    }

    /** @return the line Jackson reports, or {@code fallback} when it has none */
    static long line(JsonProcessingException e, long fallback) {
        JsonLocation where = e.getLocation();
        return where != null && where.getLineNr() > 0 ? where.getLineNr() : fallback;
    }

    private static String clean(String message) {
        if (message == null) {
            return "unreadable";
        }
        String text = message;
        for (String cut : new String[] {"\n", " (start marker at", " at [Source"}) {
            int at = text.indexOf(cut);
            if (at >= 0) {
                text = text.substring(0, at);
            }
        }
        return text.strip();
    }
}
