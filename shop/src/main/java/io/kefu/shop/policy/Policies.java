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

    /**
     * As {@link #standard(ChatModel, BusinessChecks, HandoffSink, double)}, with the shop's own banned claims (the
     * grounding policy's checks use them too) and hand-off rules.
     *
     * @param clock says whether the hand-off desk is staffed
     */
    public static HandoffPolicy standard(ChatModel model, ComplianceRules compliance, HandoffRules handoff, HandoffSink sink,
                                         double minMeanLogprob, java.time.Clock clock) {
        BusinessChecks checks = BusinessChecks.builder().bannedClaims(compliance.bannedClaims()).build();
        ChatModel grounded = new GroundingPolicy(model, checks);
        ChatModel compliant = new CompliancePolicy(grounded, compliance);
        return HandoffPolicy.builder(compliant).rules(handoff).clock(clock).sink(sink).minMeanLogprob(minMeanLogprob).build();
    }
}
