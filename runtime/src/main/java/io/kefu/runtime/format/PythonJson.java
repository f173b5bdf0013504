package io.kefu.runtime.format;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * Prints a JSON tree exactly as Python's {@code json.dumps(obj, indent=2, sort_keys=True)} does
 * (the way PEFT and transformers write their config files): two-space indent, {@code ": "} and
 * {@code ","} separators, {@code []} and {@code {}} for empty containers, non-ASCII escaped as
 * {@code \\uXXXX}, floats in Python's shortest repr ({@code 0.1}, {@code 16.0}, {@code 1e-05}).
 */
final class PythonJson {
    private PythonJson() {
    }

    static String dumps(JsonNode node) {
        StringBuilder out = new StringBuilder();
        write(node, out, 0);
        return out.toString();
    }

    private static void write(JsonNode node, StringBuilder out, int depth) {
        if (node.isObject()) {
            List<String> keys = new ArrayList<>();
            node.fieldNames().forEachRemaining(keys::add);
            keys.sort(null);
            if (keys.isEmpty()) {
                out.append("{}");
                return;
            }
            out.append("{");
            for (int i = 0; i < keys.size(); i++) {
                out.append(i == 0 ? "\n" : ",\n").append("  ".repeat(depth + 1));
                string(keys.get(i), out);
                out.append(": ");
                write(node.get(keys.get(i)), out, depth + 1);
            }
            out.append("\n").append("  ".repeat(depth)).append("}");
        } else if (node.isArray()) {
            if (node.size() == 0) {
                out.append("[]");
                return;
            }
            out.append("[");
            Iterator<JsonNode> it = node.elements();
            for (int i = 0; it.hasNext(); i++) {
                out.append(i == 0 ? "\n" : ",\n").append("  ".repeat(depth + 1));
                write(it.next(), out, depth + 1);
            }
            out.append("\n").append("  ".repeat(depth)).append("]");
        } else if (node.isTextual()) {
            string(node.asText(), out);
        } else if (node.isNull()) {
            out.append("null");
        } else if (node.isBoolean()) {
            out.append(node.asBoolean() ? "true" : "false");
        } else if (node.isIntegralNumber()) {
            out.append(node.bigIntegerValue());
        } else {
            out.append(pythonFloat(node.asDouble()));
        }
    }

    /** @return Python's {@code repr(float)} */
    static String pythonFloat(double v) {
        if (Double.isNaN(v)) {
            return "NaN";
        }
        if (Double.isInfinite(v)) {
            return v > 0 ? "Infinity" : "-Infinity";
        }
        String java = Double.toString(v);
        int e = java.indexOf('E');
        if (e < 0) {
            return java; // Java and Python agree between 1e-3 and 1e7
        }
        int exponent = Integer.parseInt(java.substring(e + 1));
        if (exponent >= -4 && exponent < 16) {
            String plain = new java.math.BigDecimal(java).stripTrailingZeros().toPlainString();
            return plain.contains(".") ? plain : plain + ".0";
        }
        return scientific(v);
    }

    private static String scientific(double v) {
        String java = Double.toString(v);
        int e = java.indexOf('E');
        String mantissa = java.substring(0, e);
        if (mantissa.endsWith(".0")) {
            mantissa = mantissa.substring(0, mantissa.length() - 2);
        }
        int exponent = Integer.parseInt(java.substring(e + 1));
        return mantissa + "e" + (exponent < 0 ? "-" : "+") + String.format("%02d", Math.abs(exponent));
    }

    private static void string(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': out.append("\\\""); break;
                case '\\': out.append("\\\\"); break;
                case '\n': out.append("\\n"); break;
                case '\r': out.append("\\r"); break;
                case '\t': out.append("\\t"); break;
                case '\b': out.append("\\b"); break;
                case '\f': out.append("\\f"); break;
                default:
                    if (c < 0x20 || c > 0x7E) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
            }
        }
        out.append('"');
    }
}
