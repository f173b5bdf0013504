package io.kefu.runtime.data;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import io.kefu.runtime.format.Json;
import java.io.BufferedReader;
import java.io.IOException;

/** One JSON record per line; blank lines are skipped. Memory is bounded by the longest line. */
final class JsonlRecordSource extends RecordSource {
    private static final ObjectReader JSON = Json.oneValuePerText();

    private final CheckedUtf8Reader utf8;
    private final BufferedReader reader;
    private long line;
    private boolean seenRecord;

    JsonlRecordSource(String file, CheckedUtf8Reader utf8, BufferedReader reader) {
        super(file);
        this.utf8 = utf8;
        this.reader = reader;
    }

    @Override
    SourceRecord next() {
        try {
            while (true) {
                String text = reader.readLine();
                if (text == null) {
                    return null;
                }
                line++;
                CheckedUtf8Reader.Malformed bad = utf8.malformedOn(line);
                utf8.forgetBefore(line + 1);
                if (bad != null) {
                    return SourceRecord.failed(problem(line, Problem.RECORD, invalidUtf8(bad)), false);
                }
                if (text.isBlank()) {
                    continue;
                }
                boolean first = !seenRecord;
                seenRecord = true;
                try {
                    return SourceRecord.parsed(line, JSON.readTree(text));
                } catch (JsonEOFException e) {
                    if (first) {
                        // a pretty-printed JSON object: every following line would fail too
                        return SourceRecord.failed(problem(line, Problem.RECORD, JsonErrors.reason(e)
                                + "; a record spans several lines: JSONL needs one record per line, and a .json file"
                                + " needs an array of records [{...}, {...}]; reading stopped here"), true);
                    }
                    return SourceRecord.failed(problem(line, Problem.RECORD, JsonErrors.reason(e)), false);
                } catch (JsonProcessingException e) {
                    return SourceRecord.failed(problem(line, Problem.RECORD, JsonErrors.reason(e)), false);
                }
            }
        } catch (IOException e) {
            throw readFailure(e);
        }
    }

    @Override
    boolean isArray() {
        return false;
    }

    @Override
    public void close() {
        try {
            reader.close();
        } catch (IOException e) {
            throw readFailure(e);
        }
    }
}
