package io.kefu.runtime.template;

import java.util.ArrayList;
import java.util.List;

/**
 * A Python slice {@code [start:stop:step]}. Jinjava only knows {@code [a:b]}, so
 * {@link TemplateSourceRewriter} turns every slice into a subscript by a slice value; Jinjava
 * passes subscripts to resolvers as text, so the slice travels as {@link #key()}.
 */
record PythonSlice(Long start, Long stop, Long step) {
    private static final String PREFIX = "\u0000slice:";

    /** The function the rewritten source calls: {@code kefu__slice(start, stop, step)}. */
    public static String function(Object start, Object stop, Object step) {
        return new PythonSlice(toLong(start), toLong(stop), toLong(step)).key();
    }

    private static Long toLong(Object value) {
        if (value == null) {
            return null;
        }
        if (value instanceof Number n) {
            return n.longValue();
        }
        throw new IllegalArgumentException("slice indices must be integers or None, got " + PythonValues.repr(value));
    }

    /** @return the subscript text that stands for this slice */
    String key() {
        return PREFIX + start + ":" + stop + ":" + step;
    }

    /** @return the slice a subscript text stands for, or null when it is an ordinary subscript */
    static PythonSlice parse(Object property) {
        if (!(property instanceof String text) || !text.startsWith(PREFIX)) {
            return null;
        }
        String[] parts = text.substring(PREFIX.length()).split(":", -1);
        return new PythonSlice(parseLong(parts[0]), parseLong(parts[1]), parseLong(parts[2]));
    }

    private static Long parseLong(String text) {
        return "null".equals(text) ? null : Long.valueOf(text);
    }

    /** @return the indices this slice selects from a sequence of {@code length} items, as Python computes them */
    List<Integer> indices(int length) {
        long stepValue = step == null ? 1 : step;
        if (stepValue == 0) {
            throw new IllegalArgumentException("slice step cannot be zero");
        }
        long lower = stepValue < 0 ? -1 : 0;
        long upper = stepValue < 0 ? length - 1 : length;
        long from = start == null ? (stepValue < 0 ? upper : lower) : clamp(start, length, lower, upper);
        long to = stop == null ? (stepValue < 0 ? lower : upper) : clamp(stop, length, lower, upper);
        List<Integer> indices = new ArrayList<>();
        for (long i = from; stepValue > 0 ? i < to : i > to; i += stepValue) {
            indices.add((int) i);
        }
        return indices;
    }

    private static long clamp(long index, int length, long lower, long upper) {
        if (index < 0) {
            index += length;
            return Math.max(index, lower);
        }
        return Math.min(index, upper);
    }

    /** @return the slice of a string, by code point as Python indexes strings */
    String apply(String s) {
        int[] codePoints = s.codePoints().toArray();
        StringBuilder out = new StringBuilder();
        for (int i : indices(codePoints.length)) {
            out.appendCodePoint(codePoints[i]);
        }
        return out.toString();
    }

    /** @return the slice of a list */
    List<Object> apply(List<?> list) {
        List<Object> out = new ArrayList<>();
        for (int i : indices(list.size())) {
            out.add(list.get(i));
        }
        return out;
    }
}
