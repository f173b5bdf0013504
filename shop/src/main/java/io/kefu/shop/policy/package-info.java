/**
 * Policies around any chat model when it serves customers ({@link io.kefu.shop.policy.PolicyChatModel}):
 * grounding against the live facts, compliance with the banned-claims list, and the hand-off to a
 * person when the model is unsure or the customer asks for one.
 */
package io.kefu.shop.policy;
