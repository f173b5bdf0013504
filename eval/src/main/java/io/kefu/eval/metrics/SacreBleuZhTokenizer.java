package io.kefu.eval.metrics;

import java.util.List;
import java.util.regex.Pattern;

/**
 * sacreBLEU's {@code zh} tokenizer: every character in sacreBLEU's CJK ranges becomes its own
 * token, the rest is tokenized by the {@code 13a} regular expressions (punctuation split off,
 * period and comma split unless next to a digit, a dash after a digit split).
 *
 * <p>Two of sacreBLEU's ranges are written in its Python source as {@code '\u20000'..'\u2a6d6'}
 * and {@code '\u2f800'..'\u2fa1d'}, which Python reads as two-character strings; compared with a
 * single character they select U+2001..U+2A6D (general punctuation, arrows, symbols ...) and
 * U+2F81..U+2FA1. We reproduce that behaviour, so that dashes and quotes such as — “ ” … are
 * split exactly as sacreBLEU splits them.
 */
public final class SacreBleuZhTokenizer {
    private static final int[][] RANGES = {
        {0x3400, 0x4DB5}, {0x4E00, 0x9FA5}, {0x9FA6, 0x9FBB}, {0xF900, 0xFA2D}, {0xFA30, 0xFA6A},
        {0xFA70, 0xFAD9}, {0x2001, 0x2A6D}, {0x2F81, 0x2FA1}, {0xFF00, 0xFFEF}, {0x2E80, 0x2EFF},
        {0x3000, 0x303F}, {0x31C0, 0x31EF}, {0x2F00, 0x2FDF}, {0x2FF0, 0x2FFF}, {0x3100, 0x312F},
        {0x31A0, 0x31BF}, {0xFE10, 0xFE1F}, {0xFE30, 0xFE4F}, {0x2600, 0x26FF}, {0x2700, 0x27BF},
        {0x3200, 0x32FF}, {0x3300, 0x33FF},
    };
    private static final Pattern PUNCTUATION = Pattern.compile("([{-~\\[-` -&(-+:-@/])");
    private static final Pattern PERIOD_COMMA_AFTER = Pattern.compile("([^0-9])([.,])");
    private static final Pattern PERIOD_COMMA_BEFORE = Pattern.compile("([.,])([^0-9])");
    private static final Pattern DASH_AFTER_DIGIT = Pattern.compile("([0-9])(-)");

    private SacreBleuZhTokenizer() {
    }

    /** @return the tokens sacreBLEU's {@code zh} tokenizer makes of one segment */
    public static List<String> tokenize(String segment) {
        String line = PythonText.strip(PythonText.rstrip(segment));
        StringBuilder chars = new StringBuilder(line.length() * 2);
        line.codePoints().forEach(cp -> {
            if (isChinese(cp)) {
                chars.append(' ').appendCodePoint(cp).append(' ');
            } else {
                chars.appendCodePoint(cp);
            }
        });
        String s = PUNCTUATION.matcher(chars).replaceAll(" $1 ");
        s = PERIOD_COMMA_AFTER.matcher(s).replaceAll("$1 $2 ");
        s = PERIOD_COMMA_BEFORE.matcher(s).replaceAll(" $1 $2");
        s = DASH_AFTER_DIGIT.matcher(s).replaceAll("$1 $2 ");
        return PythonText.split(s);
    }

    static boolean isChinese(int cp) {
        for (int[] range : RANGES) {
            if (cp >= range[0] && cp <= range[1]) {
                return true;
            }
        }
        return false;
    }
}
