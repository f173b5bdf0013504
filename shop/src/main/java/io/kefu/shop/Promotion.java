package io.kefu.shop;

import java.time.LocalDate;
import java.util.List;
import java.util.Objects;

/**
 * A promotion with a validity window.
 *
 * @param id a stable id (e.g. {@code "P1"})
 * @param type full reduction or coupon
 * @param threshold the minimum spend in yuan (0: no minimum)
 * @param amount the saving in yuan
 * @param validFrom the first day it applies (inclusive)
 * @param validTo the last day it applies (inclusive)
 * @param categories the categories it applies to; empty means the whole shop
 * @param howToGet how a customer claims a coupon (e.g. {@code 商品页领券}); empty for automatic promotions
 * @param audience who may use it (e.g. {@code 新客}); empty means everyone
 */
public record Promotion(String id, PromotionType type, int threshold, int amount, LocalDate validFrom,
                        LocalDate validTo, List<String> categories, String howToGet, String audience) {
    /** Copies collections and checks for nulls. */
    public Promotion {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(validFrom, "validFrom");
        Objects.requireNonNull(validTo, "validTo");
        categories = List.copyOf(categories);
        Objects.requireNonNull(howToGet, "howToGet");
        Objects.requireNonNull(audience, "audience");
    }

    /** @return whether the promotion runs on {@code day} */
    public boolean activeOn(LocalDate day) {
        return !day.isBefore(validFrom) && !day.isAfter(validTo);
    }

    /** @return whether it applies to products of {@code category} */
    public boolean appliesTo(String category) {
        return categories.isEmpty() || categories.contains(category);
    }

    /** @return the short name customers know it by: {@code 满299减50}, {@code 满199减20券}, {@code 无门槛10元券} */
    public String label() {
        if (type == PromotionType.COUPON) {
            return threshold == 0 ? "无门槛" + amount + "元券" : "满" + threshold + "减" + amount + "券";
        }
        return "满" + threshold + "减" + amount;
    }
}
