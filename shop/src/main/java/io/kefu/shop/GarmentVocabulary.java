package io.kefu.shop;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The letter sizes and colour names a shop's garments come in, shared by whatever reads or writes
 * them: the business checks and the rules baseline find sizes in text with {@link #findSizes},
 * the random shop draws its colours from {@link #COLOURS}.
 */
public final class GarmentVocabulary {
    /** Letter sizes, longest first so that {@code XXL} is never read as {@code XL}. */
    public static final List<String> LETTER_SIZES = List.of("XXXL", "XXL", "XL", "XS", "S", "M", "L", "2XL", "3XL", "4XL", "5XL");

    /** Colour names, as product facts spell them. */
    public static final List<String> COLOURS = List.of("黑色", "白色", "灰色", "米白", "卡其", "藏青", "酒红", "雾蓝", "墨绿",
            "燕麦色", "浅粉", "焦糖", "天蓝", "杏色");

    // A size is a whole word: the X in "XS" or the L in "Logo" is not a size.
    private static final String SIZE_WORD = "(?<![A-Za-z])(" + String.join("|", LETTER_SIZES) + ")(?![A-Za-z])";
    private static final Pattern SIZE_EXACT_CASE = Pattern.compile(SIZE_WORD);
    private static final Pattern SIZE_ANY_CASE = Pattern.compile(SIZE_WORD, Pattern.CASE_INSENSITIVE);

    private GarmentVocabulary() {
    }

    /**
     * @param text an answer or a question
     * @param ignoreCase whether {@code xl} counts as {@code XL} (customers type lower case; answers
     *     are held to upper case so that a stray letter is not read as a size)
     * @return the sizes mentioned, upper case, in order of appearance
     */
    public static List<String> findSizes(String text, boolean ignoreCase) {
        Matcher m = (ignoreCase ? SIZE_ANY_CASE : SIZE_EXACT_CASE).matcher(text);
        List<String> sizes = new java.util.ArrayList<>();
        while (m.find()) {
            sizes.add(m.group(1).toUpperCase(Locale.ROOT));
        }
        return sizes;
    }

    /** @return the first size mentioned, upper case, with {@code xl} counting as {@code XL} */
    public static Optional<String> firstSize(String text) {
        return findSizes(text, true).stream().findFirst();
    }
}
