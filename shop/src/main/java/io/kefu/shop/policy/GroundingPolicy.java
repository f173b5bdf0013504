package io.kefu.shop.policy;

import io.kefu.chat.ChatModel;
import io.kefu.chat.ChatRequest;
import io.kefu.shop.rules.RulesChatModel;
import io.kefu.shop.checks.BusinessChecks;
import io.kefu.shop.checks.CheckResult;
import io.kefu.shop.checks.FactsText;
import io.kefu.shop.checks.Finding;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Keeps answers true to the shop facts in the prompt: sizes, stock, prices and promotion amounts
 * are checked with the evaluator's {@link BusinessChecks} against the facts block
 * ({@link FactsText#of(io.kefu.chat.ChatRequest)}: the facts attached to the request, never text a customer wrote). On a contradiction the model is asked once more with a reminder;
 * if that answer contradicts the facts too, the answer is built from the facts by the rules
 * baseline ({@link RulesChatModel}); when that would only say "a person will help", the
 * conversation is handed off ({@link HandoffReason#GROUNDING_FAILED}). Prompts without a facts
 * block pass through unchecked.
 */
public final class GroundingPolicy extends PolicyChatModel {
    /** The findings that mean the answer states something the facts contradict. */
    public static final Set<Finding.Kind> CONTRADICTIONS = Set.of(
            Finding.Kind.WRONG_STOCK, Finding.Kind.UNKNOWN_SIZE, Finding.Kind.WRONG_PRICE, Finding.Kind.INVENTED_PROMOTION);

    /** Added to the system message for the one retry. */
    static final String REMINDER = "\n注意:只能使用【店铺信息】里的尺码、库存、价格和优惠,不要编造。";

    private static final RulesChatModel FROM_FACTS = new RulesChatModel();

    private final BusinessChecks checks;

    /**
     * @param inner the model to keep grounded
     * @param checks the business checks (their fact checks are used; pass {@link BusinessChecks#defaults()} normally)
     */
    public GroundingPolicy(ChatModel inner, BusinessChecks checks) {
        super(inner);
        this.checks = java.util.Objects.requireNonNull(checks, "checks");
    }

    /** A grounding policy with the default business checks. */
    public GroundingPolicy(ChatModel inner) {
        this(inner, BusinessChecks.defaults());
    }

    @Override
    public GuardedAnswer answer(ChatRequest request) {
        long start = System.nanoTime();
        GuardedAnswer first = innerAnswer(request);
        Optional<FactsText> facts = FactsText.of(request);
        if (facts.isEmpty() || first.handoff()) {
            return first;
        }
        List<Finding> wrong = contradictions(first.response().text(), facts.get());
        if (wrong.isEmpty()) {
            return first;
        }
        GuardedAnswer retry = innerAnswer(withInstruction(request, REMINDER));
        List<Finding> stillWrong = retry.handoff() ? List.of() : contradictions(retry.response().text(), facts.get());
        if (stillWrong.isEmpty()) {
            return retry.withNote("grounding: retried after " + describe(wrong));
        }
        Duration latency = Duration.ofNanos(System.nanoTime() - start);
        String built = FROM_FACTS.chat(request).text();
        CheckResult builtCheck = checks.check(built, facts.get(), null, null);
        boolean usable = contradictions(built, facts.get()).isEmpty() && !builtCheck.handoffGiven();
        String note = "grounding: " + describe(wrong) + "; retry: " + describe(stillWrong);
        if (usable) {
            return new GuardedAnswer(replaceText(retry.response(), built, latency), false, null, true,
                    List.of(note + "; answered from the facts"));
        }
        return new GuardedAnswer(replaceText(retry.response(), HandoffPolicy.HANDOFF_ANSWER, latency), true,
                HandoffReason.GROUNDING_FAILED, true, List.of(note + "; handed off"));
    }

    private List<Finding> contradictions(String answer, FactsText facts) {
        return checks.check(answer, facts, null, null).findings().stream().filter(f -> CONTRADICTIONS.contains(f.kind())).toList();
    }

    private static String describe(List<Finding> findings) {
        return String.join("; ", findings.stream().map(f -> f.kind() + " " + f.detail()).toList());
    }
}
