package io.kefu.runtime.data;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kefu.runtime.format.Json;
import java.io.BufferedReader;
import java.io.IOException;

/**
 * The elements of a top-level JSON array, streamed with Jackson's token API: only one record is
 * held in memory at a time. Each record is located by the line its opening brace is on. A syntax
 * error ends the file: nothing after it can be trusted.
 */
final class JsonArrayRecordSource extends RecordSource {
    private static final ObjectMapper MAPPER = Json.mapper();

    private final CheckedUtf8Reader utf8;
    private final JsonParser parser;
    private boolean started;
    private boolean done;

    JsonArrayRecordSource(String file, CheckedUtf8Reader utf8, BufferedReader reader) throws IOException {
        super(file);
        this.utf8 = utf8;
        this.parser = MAPPER.getFactory().createParser(reader);
    }

    @Override
    SourceRecord next() {
        if (done) {
            return null;
        }
        long line = parser.currentLocation().getLineNr();
        boolean inRecord = false;
        try {
            JsonToken token = parser.nextToken();
            if (!started) {
                started = true; // RecordSource.open saw '[' first
                token = parser.nextToken();
            }
            line = parser.currentTokenLocation().getLineNr();
            if (token == JsonToken.END_ARRAY) {
                return finish();
            }
            if (token == null) {
                return unclosed(line);
            }
            inRecord = true;
            JsonNode record = MAPPER.readTree(parser);
            long end = parser.currentLocation().getLineNr();
            CheckedUtf8Reader.Malformed bad = utf8.malformedBetween(line, end);
            utf8.forgetBefore(end);
            if (bad != null) {
                return SourceRecord.failed(problem(bad.line(), Problem.RECORD, invalidUtf8(bad)), false);
            }
            return SourceRecord.parsed(line, record);
        } catch (JsonEOFException e) {
            if (!inRecord) {
                return unclosed(JsonErrors.line(e, line));
            }
            done = true;
            return SourceRecord.failed(problem(line, Problem.RECORD,
                    "the file ends inside this record (" + JsonErrors.reason(e) + ")"), true);
        } catch (JsonProcessingException e) {
            done = true;
            long at = JsonErrors.line(e, line);
            CheckedUtf8Reader.Malformed bad = utf8.malformedBetween(line, at);
            String reason = bad != null ? invalidUtf8(bad) : JsonErrors.reason(e) + "; reading stopped here";
            return SourceRecord.failed(problem(bad != null ? bad.line() : at, Problem.RECORD, reason), true);
        } catch (IOException e) {
            throw readFailure(e);
        }
    }

    private SourceRecord unclosed(long line) {
        done = true;
        return SourceRecord.failed(problem(line, Problem.FILE,
                "unexpected end of file: the JSON array is not closed with ']'"), true);
    }

    private SourceRecord finish() throws IOException {
        done = true;
        try {
            JsonToken after = parser.nextToken();
            if (after != null) {
                long line = parser.currentTokenLocation().getLineNr();
                return SourceRecord.failed(problem(line, Problem.FILE,
                        "unexpected content after the closing ']' of the JSON array"), true);
            }
        } catch (JsonProcessingException e) {
            return SourceRecord.failed(problem(JsonErrors.line(e, 0), Problem.FILE,
                    JsonErrors.reason(e) + " after the closing ']' of the JSON array"), true);
        }
        return null;
    }

    @Override
    boolean isArray() {
        return true;
    }

    @Override
    public void close() {
        try {
            parser.close();
        } catch (IOException e) {
            throw readFailure(e);
        }
    }
}
