/**
 * The rules baseline ({@link io.kefu.shop.rules.RulesChatModel}): a keyword-and-template bot that states
 * only facts and hands everything else to a person. It is the control arm of comparisons and A/B
 * tests and the fallback answer of the grounding policy.
 */
package io.kefu.shop.rules;
