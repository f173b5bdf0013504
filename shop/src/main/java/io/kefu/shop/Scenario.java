package io.kefu.shop;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.util.Objects;

/**
 * One dialog to compose: an intent, the product the customer looks at, the question phrasing and
 * the values of its slots. Slots the phrasing does not use may be null (or 0 for numbers).
 *
 * @param intent what the customer wants
 * @param product the product page the customer is on
 * @param phrasing the question with {@code {slot}} placeholders
 * @param color the colour asked about, or null
 * @param size the size asked about, or null
 * @param heightCm the customer's height (size advice), or 0
 * @param weightKg the customer's weight (size advice), or 0
 * @param city the delivery destination, or null
 * @param carrier the carrier asked about, or null
 * @param method the payment method asked about, or null
 */
public record Scenario(Intent intent, Product product, String phrasing, String color, String size, int heightCm,
                       int weightKg, String city, String carrier, String method) {
    /** Checks the required fields, and that every slot the phrasing uses has a value. */
    public Scenario {
        Objects.requireNonNull(intent, "intent");
        Objects.requireNonNull(product, "product");
        Objects.requireNonNull(phrasing, "phrasing");
        requireSlot(phrasing, "color", color != null);
        requireSlot(phrasing, "size", size != null);
        requireSlot(phrasing, "height", heightCm > 0);
        requireSlot(phrasing, "weight", weightKg > 0);
        requireSlot(phrasing, "city", city != null);
        requireSlot(phrasing, "carrier", carrier != null);
        requireSlot(phrasing, "method", method != null);
    }

    private static void requireSlot(String phrasing, String slot, boolean present) {
        if (phrasing.contains("{" + slot + "}") && !present) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "phrasing \"" + phrasing + "\" uses {" + slot + "} but the scenario has no " + slot);
        }
    }

    /** @return whether the phrasing uses {@code {slot}} */
    public boolean uses(String slot) {
        return phrasing.contains("{" + slot + "}");
    }

    /** @return the question with every slot filled */
    public String question() {
        return phrasing.replace("{product}", product.name())
                .replace("{color}", String.valueOf(color))
                .replace("{size}", String.valueOf(size))
                .replace("{height}", Integer.toString(heightCm))
                .replace("{weight}", Integer.toString(weightKg))
                .replace("{city}", String.valueOf(city))
                .replace("{carrier}", String.valueOf(carrier))
                .replace("{method}", String.valueOf(method));
    }
}
