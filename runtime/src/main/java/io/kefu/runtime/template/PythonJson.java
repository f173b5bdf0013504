package io.kefu.runtime.template;

import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Iterator;
import java.util.Map;

/**
 * The {@code tojson} filter of transformers' chat templates: Python's
 * {@code json.dumps(x, ensure_ascii=False, indent=indent, sort_keys=sort_keys)}, byte for byte
 * (non-ASCII kept, {@code ", "} and {@code ": "} separators, Python's float repr).
 */
final class PythonJson {
    private PythonJson() {
    }

    /**
     * @param indent null for one line, otherwise spaces per level
     */
    static String dumps(Object value, Integer indent, boolean sortKeys) {
        StringBuilder out = new StringBuilder();
        write(out, value, indent, sortKeys, 0);
        return out.toString();
    }

    private static void write(StringBuilder out, Object value, Integer indent, boolean sortKeys, int depth) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof Boolean b) {
            out.append(b ? "true" : "false");
        } else if (value instanceof CharSequence || value instanceof Character) {
            quote(out, value.toString());
        } else if (value instanceof Double || value instanceof Float || value instanceof BigDecimal) {
            double d = ((Number) value).doubleValue();
            out.append(Double.isNaN(d) ? "NaN" : Double.isInfinite(d) ? (d > 0 ? "Infinity" : "-Infinity")
                    : PythonValues.floatRepr(d));
        } else if (value instanceof Number) {
            out.append(value instanceof BigInteger ? value.toString() : Long.toString(((Number) value).longValue()));
        } else if (value instanceof Map<?, ?> map) {
            Iterable<? extends Map.Entry<?, ?>> entries = map.entrySet();
            if (sortKeys) {
                entries = map.entrySet().stream()
                        .sorted((a, b) -> key(a.getKey()).compareTo(key(b.getKey()))).toList();
            }
            if (map.isEmpty()) {
                out.append("{}");
                return;
            }
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> entry : entries) {
                if (!first) {
                    out.append(indent == null ? ", " : ",");
                }
                first = false;
                newline(out, indent, depth + 1);
                quote(out, key(entry.getKey()));
                out.append(": ");
                write(out, entry.getValue(), indent, sortKeys, depth + 1);
            }
            newline(out, indent, depth);
            out.append('}');
        } else if (value instanceof Iterable<?> || value.getClass().isArray()) {
            Iterator<?> it = value instanceof Iterable<?> iterable ? iterable.iterator() : arrayIterator(value);
            if (!it.hasNext()) {
                out.append("[]");
                return;
            }
            out.append('[');
            boolean first = true;
            while (it.hasNext()) {
                if (!first) {
                    out.append(indent == null ? ", " : ",");
                }
                first = false;
                newline(out, indent, depth + 1);
                write(out, it.next(), indent, sortKeys, depth + 1);
            }
            newline(out, indent, depth);
            out.append(']');
        } else {
            throw new IllegalArgumentException("Object of type " + value.getClass().getSimpleName()
                    + " is not JSON serializable");
        }
    }

    private static Iterator<Object> arrayIterator(Object array) {
        return new Iterator<>() {
            private int i;

            @Override
            public boolean hasNext() {
                return i < Array.getLength(array);
            }

            @Override
            public Object next() {
                return Array.get(array, i++);
            }
        };
    }

    private static String key(Object key) {
        if (key instanceof Boolean b) {
            return b ? "true" : "false";
        }
        if (key == null) {
            return "null";
        }
        if (key instanceof Double || key instanceof Float) {
            return PythonValues.floatRepr(((Number) key).doubleValue());
        }
        return key.toString();
    }

    private static void newline(StringBuilder out, Integer indent, int depth) {
        if (indent != null) {
            out.append('\n').append(" ".repeat(indent * depth));
        }
    }

    private static void quote(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
