package io.kefu.eval.standard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.runtime.format.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the answers of a JSONL file for scoring: one JSON object per line, the answer in the first
 * of the given fields that is present (e.g. {@code text} for predictions, {@code text} or Alpaca
 * {@code output} for references). Blank lines are skipped.
 */
public final class AnswerFile {
    private static final ObjectMapper JSON = Json.mapper();

    private AnswerFile() {
    }

    /**
     * @throws KefuException {@link ErrorCode#NOT_FOUND} when the file is missing;
     *     {@link ErrorCode#INVALID_DATA} naming file:line when a line is not a JSON object, has none
     *     of the fields, or the field is not a string, or the file is not UTF-8
     */
    public static List<String> read(Path file, List<String> fields) {
        List<String> out = new ArrayList<>();
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            String line;
            long number = 0;
            while ((line = in.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                JsonNode node;
                try {
                    node = JSON.readTree(line);
                } catch (IOException e) {
                    throw new KefuException(ErrorCode.INVALID_DATA, file + ":" + number + ": not valid JSON: "
                            + e.getMessage().lines().findFirst().orElse(""));
                }
                if (node == null || !node.isObject()) {
                    throw new KefuException(ErrorCode.INVALID_DATA, file + ":" + number + ": expected a JSON object per line");
                }
                String value = null;
                for (String field : fields) {
                    JsonNode v = node.get(field);
                    if (v != null && !v.isNull()) {
                        if (!v.isTextual()) {
                            throw new KefuException(ErrorCode.INVALID_DATA, file + ":" + number + ": " + field + ": expected a string, got " + v.getNodeType());
                        }
                        value = v.asText();
                        break;
                    }
                }
                if (value == null) {
                    throw new KefuException(ErrorCode.INVALID_DATA, file + ":" + number + ": no answer field; expected one of " + fields);
                }
                out.add(value);
            }
        } catch (NoSuchFileException e) {
            throw new KefuException(ErrorCode.NOT_FOUND, file + ": no such file");
        } catch (CharacterCodingException e) {
            throw new KefuException(ErrorCode.INVALID_DATA, file + ": not UTF-8 text");
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, file + ": cannot read: " + e.getMessage(), e);
        }
        return out;
    }
}
