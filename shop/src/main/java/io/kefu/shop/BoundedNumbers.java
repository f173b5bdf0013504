package io.kefu.shop;

import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * Numbers read from text (an answer, a question, a facts line), bounded: a shop's stock counts,
 * prices and heights are far below a billion, so a longer digit run is no match rather than an
 * overflow. Every number the shop module reads from text goes through here.
 */
public final class BoundedNumbers {
    /** The largest number read from text. */
    public static final int MAX = 999_999_999;

    private BoundedNumbers() {
    }

    /** @return the value of a run of ASCII digits, or empty when it has more than nine digits */
    public static OptionalInt integer(String digits) {
        if (digits.isEmpty() || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return OptionalInt.empty();
        }
        String significant = stripLeadingZeros(digits);
        return significant.length() > 9 ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(significant));
    }

    /** @return the value of digits with an optional decimal part ({@code 12}, {@code 12.50}), or empty when out of bounds */
    public static OptionalDouble amount(String text) {
        int dot = text.indexOf('.');
        String whole = dot < 0 ? text : text.substring(0, dot);
        String fraction = dot < 0 ? "" : text.substring(dot + 1);
        OptionalInt w = integer(whole);
        if (w.isEmpty() || fraction.length() > 6 || !fraction.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(Double.parseDouble(whole + (fraction.isEmpty() ? "" : "." + fraction)));
    }

    /** @return the digits without leading zeros, keeping the last digit ({@code 000} gives {@code 0}) */
    private static String stripLeadingZeros(String digits) {
        int i = 0;
        while (i < digits.length() - 1 && digits.charAt(i) == '0') {
            i++;
        }
        return digits.substring(i);
    }
}
