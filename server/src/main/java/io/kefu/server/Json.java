package io.kefu.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Reads request fields with errors that name the field. */
final class Json {
    static final ObjectMapper MAPPER = io.kefu.runtime.format.Json.mapper();

    private Json() {
    }

    static JsonNode parse(byte[] body) {
        if (body.length == 0) {
            throw new ApiException(400, "invalid_request_error", "body", "body: a JSON object is required");
        }
        try {
            JsonNode node = MAPPER.readTree(body);
            if (node == null || !node.isObject()) {
                throw new ApiException(400, "invalid_request_error", "body", "body: must be a JSON object");
            }
            return node;
        } catch (JsonProcessingException e) {
            var at = e.getLocation();
            throw new ApiException(400, "invalid_request_error", "body", "body: not valid JSON"
                    + (at == null ? "" : " at line " + at.getLineNr() + " column " + at.getColumnNr()) + ": " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new ApiException(400, "invalid_request_error", "body", "body: unreadable: " + e.getMessage());
        }
    }

    static String requiredText(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw ApiException.badField(field, "is required");
        }
        if (!v.isTextual()) {
            throw ApiException.badField(field, "must be a string");
        }
        if (v.asText().isBlank()) {
            throw ApiException.badField(field, "must not be blank");
        }
        return v.asText();
    }

    static String optionalText(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isTextual()) {
            throw ApiException.badField(field, "must be a string");
        }
        return v.asText();
    }

    static Integer optionalInt(JsonNode node, String field, int min, int max) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.canConvertToInt() || !v.isIntegralNumber() || v.asInt() < min || v.asInt() > max) {
            throw ApiException.badField(field, "must be a whole number in " + min + ".." + max);
        }
        return v.asInt();
    }

    static Double optionalNumber(JsonNode node, String field, double min, double max) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isNumber() || v.asDouble() < min || v.asDouble() > max) {
            throw ApiException.badField(field, "must be a number in " + min + ".." + max);
        }
        return v.asDouble();
    }

    static boolean optionalBoolean(JsonNode node, String field) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return false;
        }
        if (!v.isBoolean()) {
            throw ApiException.badField(field, "must be true or false");
        }
        return v.asBoolean();
    }
}
