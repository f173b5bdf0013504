package io.kefu.shop.checks;

/**
 * One problem found in an answer.
 *
 * @param kind what kind of problem
 * @param detail what exactly, in words a reviewer can check against the facts
 */
public record Finding(Kind kind, String detail) {
    /** The problems the business checks look for. */
    public enum Kind {
        /** Says a size/colour is in (or out of) stock, or quotes a quantity, against the stock table. */
        WRONG_STOCK,
        /** Offers a size the product does not come in. */
        UNKNOWN_SIZE,
        /** Quotes a money amount that is neither the price, a promotion, nor another amount in the facts. */
        WRONG_PRICE,
        /** Mentions a promotion or coupon the facts do not list (the hallucinated coupon). */
        INVENTED_PROMOTION,
        /** Uses a banned absolute claim (最低价, 全网最低, 第一 ...). */
        BANNED_CLAIM,
        /** Should have handed off to a person and did not. */
        MISSING_HANDOFF,
        /** Handed off although the question did not need a person. */
        UNNEEDED_HANDOFF,
        /** Did not do what the expected strategy asks (e.g. a hesitation answer without a risk reducer). */
        STRATEGY_MISSED,
        /** Longer than the configured maximum. */
        TOO_LONG,
        /** Empty answer. */
        EMPTY,
        /** Declines to answer (不知道, 自己看详情页) without handing off to a person. */
        EVASIVE
    }
}
