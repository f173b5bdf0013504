package io.kefu.runtime.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/** Reads the golden files written by scripts/golden/chat_templates.py (Python jinja2 as transformers runs it). */
final class Golden {
    static final ObjectMapper JSON = new ObjectMapper();

    private Golden() {
    }

    static byte[] bytes(String name) {
        try (InputStream in = Golden.class.getResourceAsStream("/golden/templates/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing golden file " + name + ": run scripts/golden/chat_templates.py");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static JsonNode json(String name) {
        try {
            return JSON.readTree(bytes(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> messages(JsonNode node) {
        return JSON.convertValue(node, List.class);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> variables(JsonNode node) {
        return node == null || node.isNull() ? Map.of() : JSON.convertValue(node, Map.class);
    }
}
