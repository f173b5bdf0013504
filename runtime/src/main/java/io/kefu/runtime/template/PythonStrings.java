package io.kefu.runtime.template;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Python {@code str} methods that chat templates call ({@code content.strip()},
 * {@code content.split('</think>')}, {@code startswith} ...), with Python's semantics: strip
 * uses Python's whitespace set (including U+3000 and NBSP), split takes a literal separator
 * (no regex) and keeps trailing empty parts.
 */
final class PythonStrings {
    private PythonStrings() {
    }

    /**
     * Calls the Python method {@code name} on {@code s}.
     *
     * @return the result, or empty when {@code name} is not a supported Python string method
     */
    static Optional<Object> call(String s, String name, Object[] args) {
        Object result = switch (name) {
            case "strip" -> strip(s, charsArg(args), true, true);
            case "lstrip" -> strip(s, charsArg(args), true, false);
            case "rstrip" -> strip(s, charsArg(args), false, true);
            case "split" -> split(s, arg(args, 0), maxSplit(args));
            case "startswith" -> matchesAny(args, prefix -> s.startsWith(prefix));
            case "endswith" -> matchesAny(args, suffix -> s.endsWith(suffix));
            case "replace" -> replace(s, (String) arg(args, 0), (String) arg(args, 1), args.length > 2 ? toInt(args[2]) : -1);
            case "upper" -> s.toUpperCase(Locale.ROOT);
            case "lower" -> s.toLowerCase(Locale.ROOT);
            case "title" -> title(s);
            case "capitalize" -> s.isEmpty() ? s
                    : s.substring(0, s.offsetByCodePoints(0, 1)).toUpperCase(Locale.ROOT)
                            + s.substring(s.offsetByCodePoints(0, 1)).toLowerCase(Locale.ROOT);
            case "find" -> (long) s.indexOf((String) arg(args, 0));
            case "rfind" -> (long) s.lastIndexOf((String) arg(args, 0));
            case "count" -> count(s, (String) arg(args, 0));
            case "join" -> join(s, arg(args, 0));
            case "isspace" -> !s.isEmpty() && s.codePoints().allMatch(PythonStrings::isSpace);
            case "isdigit" -> !s.isEmpty() && s.codePoints().allMatch(Character::isDigit);
            case "splitlines" -> List.of(s.split("\r\n|[\n\r\u000b\u000c\u001c\u001d\u001e\u0085\u2028\u2029]", -1))
                    .subList(0, lineCount(s));
            default -> null;
        };
        return Optional.ofNullable(result);
    }

    /** Python's {@code str.isspace()} set for one code point. */
    static boolean isSpace(int cp) {
        return switch (cp) {
            case ' ', '\t', '\n', 0x0b, 0x0c, '\r', 0x1c, 0x1d, 0x1e, 0x1f, 0x85, 0xa0, 0x1680,
                    0x2028, 0x2029, 0x202f, 0x205f, 0x3000 -> true;
            default -> cp >= 0x2000 && cp <= 0x200a;
        };
    }

    /** {@code s.strip(chars)}; {@code chars == null} strips Python whitespace. */
    static String strip(String s, String chars, boolean left, boolean right) {
        int start = 0;
        int end = s.length();
        while (left && start < end && stripped(s.codePointAt(start), chars)) {
            start += Character.charCount(s.codePointAt(start));
        }
        while (right && end > start && stripped(s.codePointBefore(end), chars)) {
            end -= Character.charCount(s.codePointBefore(end));
        }
        return s.substring(start, end);
    }

    private static boolean stripped(int cp, String chars) {
        return chars == null ? isSpace(cp) : chars.indexOf(Character.toString(cp)) >= 0;
    }

    /** {@code s.split(sep, maxsplit)}; {@code sep == null} splits on runs of whitespace. */
    static List<String> split(String s, Object sep, int maxSplit) {
        List<String> parts = new ArrayList<>();
        if (sep == null) {
            int i = 0;
            int n = s.length();
            while (true) {
                while (i < n && isSpace(s.codePointAt(i))) {
                    i += Character.charCount(s.codePointAt(i));
                }
                if (i >= n) {
                    break;
                }
                if (maxSplit >= 0 && parts.size() == maxSplit) {
                    parts.add(strip(s.substring(i), null, false, true));
                    break;
                }
                int start = i;
                while (i < n && !isSpace(s.codePointAt(i))) {
                    i += Character.charCount(s.codePointAt(i));
                }
                parts.add(s.substring(start, i));
            }
            return parts;
        }
        String separator = sep.toString();
        if (separator.isEmpty()) {
            throw new IllegalArgumentException("empty separator");
        }
        int from = 0;
        int at;
        while ((maxSplit < 0 || parts.size() < maxSplit) && (at = s.indexOf(separator, from)) >= 0) {
            parts.add(s.substring(from, at));
            from = at + separator.length();
        }
        parts.add(s.substring(from));
        return parts;
    }

    private static String replace(String s, String old, String replacement, int count) {
        if (count < 0) {
            return s.replace(old, replacement);
        }
        StringBuilder out = new StringBuilder();
        int from = 0;
        int done = 0;
        int at;
        while (done < count && !old.isEmpty() && (at = s.indexOf(old, from)) >= 0) {
            out.append(s, from, at).append(replacement);
            from = at + old.length();
            done++;
        }
        return out.append(s.substring(from)).toString();
    }

    private static String title(String s) {
        StringBuilder out = new StringBuilder(s.length());
        boolean previousCased = false;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            out.appendCodePoint(previousCased ? Character.toLowerCase(cp) : Character.toTitleCase(cp));
            previousCased = Character.isLetter(cp);
            i += Character.charCount(cp);
        }
        return out.toString();
    }

    private static long count(String s, String part) {
        if (part.isEmpty()) {
            return s.codePointCount(0, s.length()) + 1L;
        }
        long n = 0;
        for (int at = s.indexOf(part); at >= 0; at = s.indexOf(part, at + part.length())) {
            n++;
        }
        return n;
    }

    private static String join(String separator, Object items) {
        List<String> parts = new ArrayList<>();
        if (items instanceof Iterable<?> iterable) {
            iterable.forEach(item -> parts.add(String.valueOf(item)));
        } else {
            throw new IllegalArgumentException("join() expects a list, got " + items);
        }
        return String.join(separator, parts);
    }

    private static int lineCount(String s) {
        String[] lines = s.split("\r\n|[\n\r\u000b\u000c\u001c\u001d\u001e\u0085\u2028\u2029]", -1);
        // Python drops the empty part after a final line break
        return lines.length > 0 && lines[lines.length - 1].isEmpty() ? lines.length - 1 : lines.length;
    }

    private static boolean matchesAny(Object[] args, java.util.function.Predicate<String> test) {
        Object what = arg(args, 0);
        if (what instanceof Iterable<?> options) {
            for (Object option : options) {
                if (test.test(String.valueOf(option))) {
                    return true;
                }
            }
            return false;
        }
        return test.test(String.valueOf(what));
    }

    private static Object arg(Object[] args, int i) {
        return args != null && args.length > i ? args[i] : null;
    }

    private static String charsArg(Object[] args) {
        Object chars = arg(args, 0);
        return chars == null ? null : chars.toString();
    }

    private static int maxSplit(Object[] args) {
        Object max = arg(args, 1);
        return max == null ? -1 : toInt(max);
    }

    private static int toInt(Object value) {
        return ((Number) value).intValue();
    }
}
