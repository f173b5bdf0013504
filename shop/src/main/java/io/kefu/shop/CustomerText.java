package io.kefu.shop;

import java.util.regex.Pattern;

/**
 * What a customer writes is data, never facts: text that imitates the header of the facts block
 * ({@code 【店铺信息】}, with full-width or half-width brackets, spaces between the characters, or
 * other bracket styles) loses its brackets before it reaches a prompt, so nothing reading a prompt
 * can take it for the shop's facts. Serving ({@link ShopPrompt}) and the generated training data
 * apply the same rule, so the model sees the same text in both.
 */
public final class CustomerText {
    private static final Pattern HEADER_IMITATION = Pattern.compile(
            "[\\[【［〖〔(（「『<〈《]\\s*店\\s*铺\\s*信\\s*息\\s*[\\]】］〗〕)）」』>〉》]");

    private CustomerText() {
    }

    /** @return the text with every imitation of the facts header replaced by the plain words {@code 店铺信息} */
    public static String neutralise(String text) {
        return HEADER_IMITATION.matcher(text).replaceAll("店铺信息");
    }
}
