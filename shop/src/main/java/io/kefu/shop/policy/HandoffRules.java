package io.kefu.shop.policy;

import io.kefu.ErrorCode;
import io.kefu.KefuException;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;

/**
 * When the {@link HandoffPolicy} gives a conversation to a person beyond what it judges itself, and what the customer
 * is told.
 *
 * @param keywords a question holding one of these goes to a person as a complaint (reason {@code complaint})
 * @param deskHours when people staff the desk; outside them the hand-off answer says when they are back (empty: always)
 */
public record HandoffRules(List<String> keywords, Optional<DeskHours> deskHours) {
    /**
     * The default keywords: reports and false-advertising accusations (举报, 虚假宣传, 投诉), which the rules baseline's
     * complaint words miss, and refund disputes.
     */
    public static final List<String> DEFAULT_KEYWORDS = List.of("举报", "虚假宣传", "投诉", "退款纠纷", "拒绝退款", "不给退", "不给我退",
            "仅退款", "退款不");

    /** @throws KefuException {@link ErrorCode#INVALID_CONFIG} when a keyword is blank */
    public HandoffRules {
        keywords = List.copyOf(new LinkedHashSet<>(keywords));
        java.util.Objects.requireNonNull(deskHours, "deskHours");
        for (String keyword : keywords) {
            if (keyword.isBlank()) {
                throw new KefuException(ErrorCode.INVALID_CONFIG, "hand-off keywords: a keyword is blank");
            }
        }
    }

    /** @return {@link #DEFAULT_KEYWORDS}, a desk that is always staffed */
    public static HandoffRules defaults() {
        return new HandoffRules(DEFAULT_KEYWORDS, Optional.empty());
    }

    /** @return the default keywords plus {@code more}, and these desk hours */
    public static HandoffRules defaultsWith(List<String> more, Optional<DeskHours> deskHours) {
        List<String> all = new ArrayList<>(DEFAULT_KEYWORDS);
        all.addAll(more);
        return new HandoffRules(all, deskHours);
    }
}
