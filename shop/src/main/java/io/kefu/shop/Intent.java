package io.kefu.shop;

import java.util.Optional;

/** What a customer wants; the {@code intent} field of generated dialogs holds {@link #wireName()}. */
public enum Intent {
    /** Is a colour/size in stock. */
    STOCK_SIZE("stock_size"),
    /** Which size fits a height and weight. */
    SIZE_ADVICE("size_advice"),
    /** Invoices (发票). */
    INVOICE("invoice"),
    /** Dispatch, carriers and delivery time. */
    DELIVERY_TIME("delivery_time"),
    /** Returns and exchanges. */
    RETURNS("returns"),
    /** Promotions and coupons. */
    PROMOTION("promotion"),
    /** The customer hesitates; a gentle nudge, never pushy. */
    HESITATION("hesitation"),
    /** Payment methods and cash on delivery. */
    PAYMENT_COD("payment_cod"),
    /** Fabric and care. */
    MATERIAL_CARE("material_care"),
    /** Where an order is. */
    ORDER_STATUS("order_status"),
    /** A complaint: handed off to a human colleague. */
    COMPLAINT("complaint"),
    /** The customer asks for a person: handed off. */
    HUMAN_REQUEST("human_request"),
    /** Not about the shop: politely redirected. */
    OUT_OF_SCOPE("out_of_scope");

    /** The strategy of answers that hand the conversation to a human colleague. */
    public static final String HANDOFF = "handoff";

    private final String wireName;

    Intent(String wireName) {
        this.wireName = wireName;
    }

    /** @return the name used in dataset files (e.g. {@code stock_size}) */
    public String wireName() {
        return wireName;
    }

    /** @return the intent with this wire name, if any */
    public static Optional<Intent> fromWireName(String name) {
        for (Intent intent : values()) {
            if (intent.wireName.equals(name)) {
                return Optional.of(intent);
            }
        }
        return Optional.empty();
    }
}
