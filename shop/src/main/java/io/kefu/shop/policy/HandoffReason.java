package io.kefu.shop.policy;

/** Why a conversation was handed to a person. */
public enum HandoffReason {
    /** The customer asked for a person. */
    HUMAN_REQUEST("human_request"),
    /** A complaint or a refund dispute. */
    COMPLAINT("complaint"),
    /** The model was unsure: the mean log-probability of its tokens was under the threshold. */
    LOW_CONFIDENCE("low_confidence"),
    /** The answer contradicted the facts even after a retry, and no answer could be built from the facts. */
    GROUNDING_FAILED("grounding_failed"),
    /** The answer kept using banned claims even after a retry and nothing clean was left. */
    COMPLIANCE_FAILED("compliance_failed"),
    /** Several turns in a row of this conversation needed a fallback. */
    REPEATED_FAILURE("repeated_failure"),
    /** The shop's facts could not be read (its database or API down, slow or failing), so any answer would be a guess. */
    FACTS_UNAVAILABLE("facts_unavailable");

    private final String wireName;

    HandoffReason(String wireName) {
        this.wireName = wireName;
    }

    /** @return the name used in API responses and the hand-off queue (e.g. {@code low_confidence}) */
    public String wireName() {
        return wireName;
    }
}
