package io.kefu.eval.metrics;

import java.util.ArrayList;
import java.util.List;

/**
 * The few Python {@code str} operations that the reference metric implementations rely on,
 * with Python's own notion of whitespace (which is wider than Java's {@code trim()}: it includes
 * U+00A0, U+3000, U+2000..U+200A ...). Reproducing them exactly is what keeps our scores equal
 * to the Python tools' scores.
 */
final class PythonText {
    private PythonText() {
    }

    /** @return whether Python's {@code str.isspace()} is true for the code point */
    static boolean isSpace(int cp) {
        return (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x20) || cp == 0x85 || cp == 0xA0
                || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029
                || cp == 0x202F || cp == 0x205F || cp == 0x3000;
    }

    /** Python's {@code s.split()}: runs of whitespace separate tokens; no empty tokens. */
    static List<String> split(String s) {
        List<String> out = new ArrayList<>();
        int start = -1;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            if (isSpace(cp)) {
                if (start >= 0) {
                    out.add(s.substring(start, i));
                    start = -1;
                }
            } else if (start < 0) {
                start = i;
            }
            i += Character.charCount(cp);
        }
        if (start >= 0) {
            out.add(s.substring(start));
        }
        return out;
    }

    /** Python's {@code s.strip()}. */
    static String strip(String s) {
        return lstrip(rstrip(s));
    }

    /** Python's {@code s.rstrip()}. */
    static String rstrip(String s) {
        int end = s.length();
        while (end > 0) {
            int cp = s.codePointBefore(end);
            if (!isSpace(cp)) {
                break;
            }
            end -= Character.charCount(cp);
        }
        return s.substring(0, end);
    }

    private static String lstrip(String s) {
        int start = 0;
        while (start < s.length()) {
            int cp = s.codePointAt(start);
            if (!isSpace(cp)) {
                break;
            }
            start += Character.charCount(cp);
        }
        return s.substring(start);
    }

    /** Python's {@code list(s)}: one string per code point. */
    static List<String> codePoints(String s) {
        List<String> out = new ArrayList<>(s.length());
        s.codePoints().forEach(cp -> out.add(new String(Character.toChars(cp))));
        return out;
    }

    /** Python's {@code round(x, digits)} for finite doubles: round half to even on the exact binary value. */
    static double round(double x, int digits) {
        return new java.math.BigDecimal(x).setScale(digits, java.math.RoundingMode.HALF_EVEN).doubleValue();
    }
}
