package io.kefu.shop;

/** What kind of promotion a {@link Promotion} is. */
public enum PromotionType {
    /** Applied automatically at checkout: spend {@code threshold}, save {@code amount} (满299减50). */
    FULL_REDUCTION("full_reduction"),
    /** A coupon the customer claims first; {@code threshold} 0 means it has no minimum spend (无门槛). */
    COUPON("coupon");

    private final String wireName;

    PromotionType(String wireName) {
        this.wireName = wireName;
    }

    /** @return the name used in {@code promotions.json} */
    public String wireName() {
        return wireName;
    }

    /** @return the type with this wire name, or null */
    public static PromotionType fromWireName(String name) {
        for (PromotionType type : values()) {
            if (type.wireName.equals(name)) {
                return type;
            }
        }
        return null;
    }
}
