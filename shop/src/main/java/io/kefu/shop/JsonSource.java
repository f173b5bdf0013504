package io.kefu.shop;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.runtime.format.Json;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * A parsed JSON file that remembers the line each value starts on, so that a problem in a field
 * can be reported as {@code file:line field: reason}.
 */
final class JsonSource {
    private static final ObjectMapper MAPPER = Json.mapper();

    private final String name;
    private final JsonNode root;
    private final Map<String, Integer> lines;

    private JsonSource(String name, JsonNode root, Map<String, Integer> lines) {
        this.name = name;
        this.root = root;
        this.lines = lines;
    }

    /** Reads and parses a UTF-8 JSON file; a missing file, invalid UTF-8 or invalid JSON is a located error. */
    static JsonSource read(Path file) {
        String name = file.toString();
        String text;
        try {
            byte[] bytes = Files.readAllBytes(file);
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (NoSuchFileException e) {
            throw new KefuException(ErrorCode.NOT_FOUND, name + ": file not found");
        } catch (CharacterCodingException e) {
            throw new KefuException(ErrorCode.INVALID_DATA, name + ": not valid UTF-8", e);
        } catch (IOException e) {
            throw new KefuException(ErrorCode.IO, name + ": cannot read: " + e.getMessage(), e);
        }
        return parse(name, text);
    }

    /** Parses JSON text read from {@code name} (a file or a URL, used in messages); invalid JSON is a located error. */
    static JsonSource parse(String name, String text) {
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        try {
            JsonNode root = MAPPER.readTree(text);
            if (root == null || root.isMissingNode()) {
                throw new KefuException(ErrorCode.INVALID_DATA, name + ":1: empty; expected a JSON object");
            }
            return new JsonSource(name, root, lineIndex(text));
        } catch (JsonParseException e) {
            JsonLocation at = e.getLocation();
            throw new KefuException(ErrorCode.INVALID_DATA, name + ":" + at.getLineNr() + ":" + at.getColumnNr()
                    + ": invalid JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new KefuException(ErrorCode.INVALID_DATA, name + ": invalid JSON: " + e.getMessage(), e);
        }
    }

    /** Maps each value's JSON pointer to the line it starts on. */
    private static Map<String, Integer> lineIndex(String text) throws IOException {
        Map<String, Integer> lines = new HashMap<>();
        try (JsonParser parser = MAPPER.getFactory().createParser(text)) {
            JsonToken token;
            while ((token = parser.nextToken()) != null) {
                if (token == JsonToken.FIELD_NAME || token == JsonToken.END_OBJECT || token == JsonToken.END_ARRAY) {
                    continue;
                }
                JsonStreamContext context = parser.getParsingContext();
                if (token.isStructStart()) {
                    context = context.getParent();
                }
                lines.putIfAbsent(context.pathAsPointer().toString(), parser.currentTokenLocation().getLineNr());
            }
        }
        return lines;
    }

    /** @return the file name used in messages */
    String name() {
        return name;
    }

    /** @return the whole document */
    Node root() {
        return new Node(this, root, "", "");
    }

    int lineOf(String pointer) {
        return lines.getOrDefault(pointer, 1);
    }

    /** A JSON value with its location, offering typed getters that fail with located messages. */
    record Node(JsonSource source, JsonNode value, String pointer, String path) {
        KefuException error(String reason) {
            String where = path.isEmpty() ? "" : " " + path;
            return new KefuException(ErrorCode.INVALID_DATA,
                    source.name() + ":" + source.lineOf(pointer) + where + ": " + reason);
        }

        Node field(String key) {
            if (!value.isObject()) {
                throw error("expected a JSON object");
            }
            JsonNode child = value.get(key);
            String childPath = path.isEmpty() ? key : path + "." + key;
            String childPointer = pointer + "/" + key.replace("~", "~0").replace("/", "~1");
            if (child == null || child.isNull()) {
                throw new KefuException(ErrorCode.INVALID_DATA,
                        source.name() + ":" + source.lineOf(pointer) + " " + childPath + ": missing required field");
            }
            return new Node(source, child, childPointer, childPath);
        }

        boolean has(String key) {
            return value.isObject() && value.hasNonNull(key);
        }

        java.util.List<Node> elements() {
            if (!value.isArray()) {
                throw error("expected a JSON array, got " + describe(value));
            }
            java.util.List<Node> out = new java.util.ArrayList<>();
            for (int i = 0; i < value.size(); i++) {
                out.add(new Node(source, value.get(i), pointer + "/" + i, path + "[" + i + "]"));
            }
            return out;
        }

        java.util.List<String> fieldNames() {
            if (!value.isObject()) {
                throw error("expected a JSON object, got " + describe(value));
            }
            java.util.List<String> names = new java.util.ArrayList<>();
            value.fieldNames().forEachRemaining(names::add);
            return names;
        }

        String text() {
            if (!value.isTextual()) {
                throw error("expected a string, got " + describe(value));
            }
            return value.asText();
        }

        String nonBlankText() {
            String text = text();
            if (text.isBlank()) {
                throw error("must not be empty");
            }
            return text.strip();
        }

        int integer(int min, int max) {
            if (!value.isIntegralNumber() || !value.canConvertToInt()) {
                throw error("expected a whole number, got " + describe(value));
            }
            int n = value.intValue();
            if (n < min || n > max) {
                throw error(n + " is out of range [" + min + ", " + max + "]");
            }
            return n;
        }

        boolean bool() {
            if (!value.isBoolean()) {
                throw error("expected true or false, got " + describe(value));
            }
            return value.booleanValue();
        }

        java.util.List<String> texts() {
            java.util.List<String> out = new java.util.ArrayList<>();
            for (Node element : elements()) {
                out.add(element.nonBlankText());
            }
            return out;
        }

        java.time.LocalDate date() {
            String text = text();
            try {
                return java.time.LocalDate.parse(text);
            } catch (java.time.format.DateTimeParseException e) {
                throw error("expected a date like 2026-12-31, got \"" + text + "\"");
            }
        }

        private static String describe(JsonNode node) {
            if (node.isTextual()) {
                return "the string \"" + node.asText() + "\"";
            }
            return node.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + " " + node;
        }
    }
}
