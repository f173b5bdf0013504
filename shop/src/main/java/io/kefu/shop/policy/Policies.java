package io.kefu.shop.policy;

import io.kefu.chat.ChatModel;
import io.kefu.shop.checks.BusinessChecks;

/** Stacks the standard conversation policies over a model. */
public final class Policies {
    private Policies() {
    }

    /**
     * Hand-off over compliance over grounding over {@code model}: facts are checked first, then the
     * wording, then whether a person must take over.
     *
     * @param model the model to guard
     * @param checks the business checks (banned claims and fact checks)
     * @param sink where hand-offs go
     * @param minMeanLogprob the hand-off confidence threshold (see {@link HandoffPolicy})
     */
    public static HandoffPolicy standard(ChatModel model, BusinessChecks checks, HandoffSink sink, double minMeanLogprob) {
        ChatModel grounded = new GroundingPolicy(model, checks);
        ChatModel compliant = new CompliancePolicy(grounded, checks.bannedClaims());
        return HandoffPolicy.builder(compliant).sink(sink).minMeanLogprob(minMeanLogprob).build();
    }
}
