package io.kefu.shop.policy;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatModel;
import io.kefu.chat.ChatRequest;
import io.kefu.chat.ChatResponse;
import io.kefu.chat.TokenLogprob;
import io.kefu.shop.rules.RulesChatModel;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.regex.Pattern;

/**
 * Hands the conversation to a person when it should: the customer asks for a person or
 * complains (intents found by the rules baseline's keywords, {@link RulesChatModel#intentOf}, plus
 * the hand-off keywords of its {@link HandoffRules}), the model is unsure (the mean log-probability of its answer's tokens is under
 * a threshold; logprobs are requested from the wrapped model), a policy below handed off, or the
 * conversation already had {@code repeatedFailureLimit} failed turns in a row (request metadata
 * {@link #RECENT_FAILURES}). Every hand-off gets {@code handoff: true}, a reason, the hand-off
 * answer, and goes to the {@link HandoffSink}.
 *
 * <p>Build with {@link #builder(ChatModel)}. Defaults: confidence threshold -2.5 (mean natural-log
 * probability per token; answers without logprobs are not judged), repeated-failure limit 2,
 * {@link HandoffRules#defaults()} (keywords {@link HandoffRules#DEFAULT_KEYWORDS}, a desk always staffed), the system
 * clock, sink {@link HandoffSink#NONE}. While the desk is closed, the hand-off answer is {@link #closedDeskAnswer}.
 */
public final class HandoffPolicy extends PolicyChatModel {
    /** What the customer is told on a hand-off. */
    public static final String HANDOFF_ANSWER = "您好,这个问题我帮您转接人工客服处理,请稍等。";

    private static final RulesChatModel RULES = new RulesChatModel();

    private final double minMeanLogprob;
    private final int repeatedFailureLimit;
    private final Pattern keywords;
    private final Optional<DeskHours> deskHours;
    private final Clock clock;
    private final HandoffSink sink;

    private HandoffPolicy(Builder b) {
        super(b.inner);
        this.minMeanLogprob = b.minMeanLogprob;
        this.repeatedFailureLimit = b.repeatedFailureLimit;
        this.keywords = Pattern.compile(String.join("|", b.rules.keywords().stream().map(Pattern::quote).toList()));
        this.deskHours = b.rules.deskHours();
        this.clock = b.clock;
        this.sink = b.sink;
    }

    /** @return what the customer is told on a hand-off while the desk is closed */
    public static String closedDeskAnswer(DeskHours hours) {
        return "您好,人工客服的在线时间是" + hours + ",现在不在线;您的问题已记录,客服上线后会第一时间回复您。";
    }

    /** @return a builder over {@code inner} with the defaults in the class javadoc */
    public static Builder builder(ChatModel inner) {
        return new Builder(inner);
    }

    @Override
    public GuardedAnswer answer(ChatRequest request) {
        long start = System.nanoTime();
        String question = question(request);
        String intent = RulesChatModel.intentOf(question);
        if (intent.equals("human_request")) {
            return handOff(request, RULES.chat(request), HandoffReason.HUMAN_REQUEST, "asked for a person", false);
        }
        if (intent.equals("complaint") || (!keywords.pattern().isEmpty() && keywords.matcher(question).find())) {
            return handOff(request, RULES.chat(ChatRequest.of("投诉")), HandoffReason.COMPLAINT, "complaint or refund dispute", false);
        }
        int failures = recentFailures(request);
        if (failures >= repeatedFailureLimit) {
            return handOff(request, text(start), HandoffReason.REPEATED_FAILURE, failures + " failed turns in a row", true);
        }
        ChatRequest withLogprobs = request.parameters().logprobs() ? request
                : request.toBuilder().parameters(request.parameters().toBuilder().logprobs(true).build()).build();
        GuardedAnswer inner = innerAnswer(withLogprobs);
        if (inner.handoff()) {
            ChatResponse told = deskAware(inner.response());
            sink.handOff(new Handoff(sessionId(request), question, told.text(), inner.reason(), String.join("; ", inner.notes())));
            return new GuardedAnswer(told, true, inner.reason(), inner.fallback(), inner.notes());
        }
        OptionalDouble mean = meanLogprob(inner.response().logprobs());
        if (mean.isPresent() && mean.getAsDouble() < minMeanLogprob) {
            GuardedAnswer out = handOff(request, PolicyChatModel.replaceText(inner.response(), HANDOFF_ANSWER, inner.response().latency()),
                    HandoffReason.LOW_CONFIDENCE, String.format(java.util.Locale.ROOT, "mean token logprob %.3f < %.3f",
                            mean.getAsDouble(), minMeanLogprob), inner.fallback());
            return withNotes(out, inner.notes());
        }
        if (inner.fallback() && failures + 1 >= repeatedFailureLimit) {
            GuardedAnswer out = handOff(request, PolicyChatModel.replaceText(inner.response(), HANDOFF_ANSWER, inner.response().latency()),
                    HandoffReason.REPEATED_FAILURE, (failures + 1) + " failed turns in a row", true);
            return withNotes(out, inner.notes());
        }
        return inner;
    }

    private GuardedAnswer handOff(ChatRequest request, ChatResponse answer, HandoffReason reason, String detail, boolean fallback) {
        ChatResponse response = deskAware(answer);
        sink.handOff(new Handoff(sessionId(request), question(request), response.text(), reason, detail));
        return new GuardedAnswer(response, true, reason, fallback, List.of("handoff: " + reason.wireName() + " (" + detail + ")"));
    }

    /** @return the hand-off answer, or while the desk is closed, the answer that says when people are back */
    private ChatResponse deskAware(ChatResponse answer) {
        if (deskHours.isEmpty() || deskHours.get().isOpen(clock.instant())) {
            return answer;
        }
        return PolicyChatModel.replaceText(answer, closedDeskAnswer(deskHours.get()), answer.latency());
    }

    private static GuardedAnswer withNotes(GuardedAnswer answer, List<String> before) {
        List<String> all = new java.util.ArrayList<>(before);
        all.addAll(answer.notes());
        return new GuardedAnswer(answer.response(), answer.handoff(), answer.reason(), answer.fallback(), all);
    }

    private static ChatResponse text(long start) {
        return PolicyChatModel.textResponse(HANDOFF_ANSWER, Duration.ofNanos(System.nanoTime() - start));
    }

    private static String sessionId(ChatRequest request) {
        return request.metadata().getOrDefault(SESSION_ID, "");
    }

    private static int recentFailures(ChatRequest request) {
        String value = request.metadata().get(RECENT_FAILURES);
        if (value == null) {
            return 0;
        }
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new KefuException(ErrorCode.INVALID_REQUEST, "request metadata " + RECENT_FAILURES + "='" + value + "' is not a whole number");
        }
    }

    /** @return the mean log-probability of the tokens, or empty when there are none */
    static OptionalDouble meanLogprob(List<TokenLogprob> logprobs) {
        return logprobs.stream().mapToDouble(TokenLogprob::logprob).average();
    }

    /** Builds a {@link HandoffPolicy}; the defaults are listed on the class. */
    public static final class Builder {
        private final ChatModel inner;
        private double minMeanLogprob = -2.5;
        private int repeatedFailureLimit = 2;
        private HandoffRules rules = HandoffRules.defaults();
        private Clock clock = Clock.systemUTC();
        private HandoffSink sink = HandoffSink.NONE;

        private Builder(ChatModel inner) {
            this.inner = Objects.requireNonNull(inner, "inner");
        }

        /** @param value answers whose mean token logprob is below this are handed off (default -2.5) */
        public Builder minMeanLogprob(double value) {
            this.minMeanLogprob = value;
            return this;
        }

        /** @param value hand off once this many turns in a row needed a fallback (default 2) */
        public Builder repeatedFailureLimit(int value) {
            this.repeatedFailureLimit = value;
            return this;
        }

        /** @param value the hand-off keywords and the desk's hours (default {@link HandoffRules#defaults()}) */
        public Builder rules(HandoffRules value) {
            this.rules = Objects.requireNonNull(value, "rules");
            return this;
        }

        /** @param value the clock that says whether the desk is staffed (default: the system's) */
        public Builder clock(Clock value) {
            this.clock = Objects.requireNonNull(value, "clock");
            return this;
        }

        /** @param value where hand-offs go (default {@link HandoffSink#NONE}) */
        public Builder sink(HandoffSink value) {
            this.sink = Objects.requireNonNull(value, "sink");
            return this;
        }

        /** @throws KefuException {@link ErrorCode#INVALID_CONFIG} when the threshold is not finite or the limit is below 1 */
        public HandoffPolicy build() {
            if (!Double.isFinite(minMeanLogprob)) {
                throw new KefuException(ErrorCode.INVALID_CONFIG, "minMeanLogprob=" + minMeanLogprob + " must be a finite number");
            }
            if (repeatedFailureLimit < 1) {
                throw new KefuException(ErrorCode.INVALID_CONFIG, "repeatedFailureLimit=" + repeatedFailureLimit + " must be at least 1");
            }
            return new HandoffPolicy(this);
        }
    }
}
