package io.kefu.server.assistant;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatModel;
import io.kefu.chat.ChatRequest;
import io.kefu.chat.ChatResponse;
import io.kefu.eval.ab.ArmAssigner;
import io.kefu.eval.ab.ExperimentSplit;
import io.kefu.server.store.ConversationStore;
import io.kefu.shop.FactsRenderer;
import io.kefu.shop.FactsSource;
import io.kefu.shop.FactsUnavailableException;
import io.kefu.shop.ProductFacts;
import io.kefu.shop.ShopPrompt;
import io.kefu.shop.Persona;
import io.kefu.shop.policy.CompliancePolicy;
import io.kefu.shop.policy.ComplianceRules;
import io.kefu.shop.policy.DeskHours;
import io.kefu.shop.policy.HandoffRules;
import io.kefu.shop.policy.GuardedAnswer;
import io.kefu.shop.policy.Handoff;
import io.kefu.shop.policy.HandoffPolicy;
import io.kefu.shop.policy.HandoffReason;
import io.kefu.shop.policy.HandoffSink;
import io.kefu.shop.policy.Policies;
import io.kefu.shop.policy.PolicyChatModel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.math.BigDecimal;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The shop's customer service, one turn at a time: checks the customer's question, picks the session's A/B arm,
 * builds the prompt from the persona, the session's earlier turns and today's live facts from the {@link FactsSource},
 * answers under the standard policies (grounding, compliance, hand-off; see {@link Policies#standard}), and records
 * the turn, the hand-offs and the A/B log in the {@link ConversationStore}. Also logs what customers do afterwards
 * ({@link #recordEvent(String, String, Double)}) for the A/B report. Facts that cannot be read
 * ({@link FactsUnavailableException}) never reach a model: the turn is handed to a person
 * ({@link HandoffReason#FACTS_UNAVAILABLE}). Knows nothing of HTTP; thread-safe as long as its models are.
 */
public final class ShopAssistant {
    /** The longest question taken, in characters. */
    public static final int MAX_QUESTION_CHARS = 2000;
    /** The experiment name events are logged under when no experiment runs. */
    public static final String NO_EXPERIMENT = "none";
    /** The arm every session is in when no experiment runs. */
    public static final String SINGLE_ARM = "model";
    /** The events {@link #recordEvent(String, String, Double)} takes. */
    public static final Set<String> EVENTS = Set.of("conversion", "order", "purchase", "view", "exposure");

    private static final Pattern SESSION_ID = Pattern.compile("[A-Za-z0-9_.:-]{1,64}");
    private static final double MAX_AMOUNT = 1e9;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Logger LOG = LoggerFactory.getLogger(ShopAssistant.class);

    private final FactsSource shop;
    private final HandoffSink handoffs;
    private final ConversationStore conversations;
    private final String experiment;
    private final ArmAssigner assigner;
    private final Map<String, PolicyChatModel> arms = new LinkedHashMap<>();
    private final int historyTurns;
    private final Clock clock;
    private final Persona persona;
    private final Optional<DeskHours> deskHours;

    private ShopAssistant(Builder b) {
        this.shop = b.shop;
        this.conversations = b.conversations;
        this.experiment = b.experiment;
        this.historyTurns = b.historyTurns;
        this.clock = b.clock;
        this.persona = b.persona;
        this.deskHours = b.handoffRules.deskHours();
        HandoffSink onHandoff = b.onHandoff;
        HandoffSink queue = b.handoffQueue != null ? b.handoffQueue : conversations;
        HandoffSink sink = handoff -> {
            onHandoff.handOff(handoff);
            queue.handOff(handoff);
        };
        this.handoffs = sink;
        b.models.forEach((arm, model) -> arms.put(arm, Policies.standard(model, b.compliance, b.handoffRules, sink, b.minMeanLogprob,
                b.clock)));
        this.assigner = experiment == null ? null : new ArmAssigner(experiment, b.weights);
    }

    /**
     * @param shop where today's facts come from (Kefu's store, a shop's database or API)
     * @param conversations where sessions, turns, hand-offs and the A/B log go
     * @return a builder with the defaults its setters list; give it a model or an experiment
     */
    public static Builder builder(FactsSource shop, ConversationStore conversations) {
        return new Builder(shop, conversations);
    }

    /**
     * Answers one question and records the turn. Session ids are issued here: a question without one, or with one
     * this store does not know (never issued, or deleted for its age), starts a new session under a fresh id
     * ({@link #newSessionId()}), which the answer carries; a client cannot read or join a session by guessing.
     *
     * @throws InvalidFieldException naming {@code question}, {@code sessionId} or (not found) {@code productId}
     * @throws KefuException from the model (timeout, full queue ...) or the store
     */
    public ShopAnswer answer(CustomerQuestion turn) {
        Objects.requireNonNull(turn, "turn");
        String question = checkQuestion(turn.question());
        String given = turn.sessionId() == null ? null : checkSessionId(turn.sessionId());
        long start = System.nanoTime();
        boolean known = given != null && conversations.sessionExists(given);
        String sessionId = known ? given : newSessionId();
        ProductFacts facts = null;
        FactsUnavailableException unreadable = null;
        try {
            facts = facts(turn.productId());
        } catch (FactsUnavailableException e) {
            unreadable = e;
        }
        String arm = armOf(sessionId);
        GuardedAnswer answer = facts == null ? handOffWithoutFacts(sessionId, question, unreadable, start)
                : modelAnswer(arm, sessionId, facts, question);
        List<String> factLines = facts == null ? List.of() : factLines(FactsRenderer.render(facts));
        long latencyMs = (System.nanoTime() - start) / 1_000_000;
        String reason = answer.handoff() ? answer.reason().wireName() : null;
        String experimentArm = assigner == null ? null : arm;
        conversations.addTurn(sessionId, turn.productId(), new ConversationStore.Turn(question, answer.response().text(), answer.handoff(),
                answer.fallback()), reason, latencyMs, experimentArm);
        conversations.logTurn(sessionId, experimentName(), arm, answer.handoff(), CompliancePolicy.blocked(answer), latencyMs);
        return new ShopAnswer(answer.response().text(), answer.handoff(), Optional.ofNullable(reason), factLines, sessionId,
                Optional.ofNullable(experimentArm), latencyMs, answer.response());
    }

    /**
     * Logs what a customer did ({@code order}, {@code conversion} ...) under the session's arm, for the A/B report.
     *
     * @param sessionId the conversation
     * @param event one of {@link #EVENTS}
     * @param amount the order's value, or null
     * @throws InvalidFieldException naming {@code sessionId} (also not found: a session this store never issued),
     *     {@code event} or {@code amount}
     */
    public RecordedEvent recordEvent(String sessionId, String event, Double amount) {
        checkSessionId(sessionId);
        if (event == null || !EVENTS.contains(event)) {
            throw InvalidFieldException.invalid("event", "must be one of " + new TreeSet<>(EVENTS) + ", got '" + event + "'");
        }
        if (amount != null && !(amount >= 0 && amount <= MAX_AMOUNT)) {
            throw InvalidFieldException.invalid("amount", "must be a number in 0.0.." + MAX_AMOUNT);
        }
        if (!conversations.sessionExists(sessionId)) {
            throw new InvalidFieldException(ErrorCode.NOT_FOUND, "sessionId", "sessionId: no such session; send the sessionId a /chat answer"
                    + " gave");
        }
        String arm = assigner == null ? SINGLE_ARM : conversations.assignArm(sessionId, experiment, assigner.assign(sessionId));
        conversations.logEvent(sessionId, experimentName(), arm, event, amount == null ? null : BigDecimal.valueOf(amount));
        return new RecordedEvent(sessionId, experimentName(), arm, event);
    }

    /** @return a new session id: 128 random bits from {@link SecureRandom}, URL-safe Base64 without padding (22 characters) */
    public static String newSessionId() {
        byte[] bits = new byte[16];
        RANDOM.nextBytes(bits);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bits);
    }

    private static String checkQuestion(String question) {
        if (question == null) {
            throw InvalidFieldException.invalid("question", "is required");
        }
        if (question.isBlank()) {
            throw InvalidFieldException.invalid("question", "must not be blank");
        }
        if (question.length() > MAX_QUESTION_CHARS) {
            throw InvalidFieldException.invalid("question", "is longer than " + MAX_QUESTION_CHARS + " characters");
        }
        return question;
    }

    private static String checkSessionId(String sessionId) {
        if (sessionId == null || !SESSION_ID.matcher(sessionId).matches()) {
            throw InvalidFieldException.invalid("sessionId", "must be 1-64 characters of letters, digits, '_', '-', '.', ':'");
        }
        return sessionId;
    }

    private ProductFacts facts(String productId) {
        try {
            return shop.facts(Optional.ofNullable(productId), LocalDate.now(clock));
        } catch (KefuException e) {
            if (e.code() == ErrorCode.NOT_FOUND && productId != null) {
                throw new InvalidFieldException(ErrorCode.NOT_FOUND, "productId", e.getMessage());
            }
            throw e;
        }
    }

    /** The answer of the session's arm, under the policies, from the facts and the session's earlier turns. */
    private GuardedAnswer modelAnswer(String arm, String sessionId, ProductFacts facts, String question) {
        List<ConversationStore.Turn> history = conversations.history(sessionId, historyTurns);
        List<ShopPrompt.Turn> earlier = history.stream().map(t -> new ShopPrompt.Turn(t.question(), t.answer())).toList();
        // the facts travel beside the prompt: policies check answers against them, never against prompt text
        ChatRequest request = ShopPrompt.request(persona, facts, earlier, question)
                .metadata(PolicyChatModel.SESSION_ID, sessionId)
                .metadata(PolicyChatModel.RECENT_FAILURES, String.valueOf(recentFailures(history))).build();
        return arms.get(arm).answer(request);
    }

    /** The answer when the facts cannot be read: no model is asked (it could only guess); a person takes over. */
    private GuardedAnswer handOffWithoutFacts(String sessionId, String question, FactsUnavailableException cause, long start) {
        LOG.warn("session {}: handed to a person, the facts cannot be read from {}: {}", sessionId, shop.description(), cause.getMessage());
        String text = deskHours.filter(hours -> !hours.isOpen(clock.instant())).map(HandoffPolicy::closedDeskAnswer)
                .orElse(HandoffPolicy.HANDOFF_ANSWER);
        ChatResponse response = ChatResponse.ofText(text, Duration.ofNanos(System.nanoTime() - start));
        handoffs.handOff(new Handoff(sessionId, question, response.text(), HandoffReason.FACTS_UNAVAILABLE, "the shop facts cannot be read"));
        return new GuardedAnswer(response, true, HandoffReason.FACTS_UNAVAILABLE, false,
                List.of("handoff: " + HandoffReason.FACTS_UNAVAILABLE.wireName()));
    }

    /** The session's arm: the one it was given before, else a new stable assignment, written down. */
    private String armOf(String sessionId) {
        if (assigner == null) {
            conversations.ensureSession(sessionId, null);
            return SINGLE_ARM;
        }
        String arm = assigner.assign(sessionId);
        conversations.ensureSession(sessionId, arm);
        return conversations.assignArm(sessionId, experiment, arm);
    }

    private String experimentName() {
        return experiment == null ? NO_EXPERIMENT : experiment;
    }

    /** The fallback answers at the end of the history, in a row: the hand-off policy gives up after a few. */
    private static int recentFailures(List<ConversationStore.Turn> history) {
        int failures = 0;
        for (int i = history.size() - 1; i >= 0 && history.get(i).fallback(); i--) {
            failures++;
        }
        return failures;
    }

    private static List<String> factLines(String factsText) {
        List<String> lines = new ArrayList<>();
        for (String line : factsText.split("\n")) {
            if (!line.equals(FactsRenderer.HEADER)) {
                lines.add(line);
            }
        }
        return lines;
    }

    /** Builds a {@link ShopAssistant}; {@link #build()} checks that it has a model or an experiment. */
    public static final class Builder {
        private final FactsSource shop;
        private final ConversationStore conversations;
        private final Map<String, ChatModel> models = new LinkedHashMap<>();
        private final Map<String, Double> weights = new LinkedHashMap<>();
        private String experiment;
        private double minMeanLogprob = -2.5;
        private int historyTurns = 10;
        private HandoffSink onHandoff = handoff -> { };
        private HandoffSink handoffQueue;
        private Clock clock = Clock.systemDefaultZone();
        private Persona persona = Persona.DEFAULT;
        private ComplianceRules compliance = ComplianceRules.defaults();
        private HandoffRules handoffRules = HandoffRules.defaults();

        private Builder(FactsSource shop, ConversationStore conversations) {
            this.shop = Objects.requireNonNull(shop, "shop");
            this.conversations = Objects.requireNonNull(conversations, "conversations");
        }

        /** @param value the model that answers every session (arm {@value ShopAssistant#SINGLE_ARM}); replaces an experiment */
        public Builder model(ChatModel value) {
            models.clear();
            models.put(SINGLE_ARM, Objects.requireNonNull(value, "model"));
            experiment = null;
            return this;
        }

        /**
         * An A/B experiment: sessions are assigned to arms by a stable hash of the session id (weights equal), keep
         * their arm, and each arm answers with its model. Replaces {@link #model(ChatModel)}.
         *
         * @param name the experiment name (the hash salt)
         * @param armModels arm name to model, control first; at least two
         */
        public Builder experiment(String name, Map<String, ChatModel> armModels) {
            models.clear();
            models.putAll(armModels);
            weights.clear();
            armModels.keySet().forEach(arm -> weights.put(arm, 1.0));
            experiment = Objects.requireNonNull(name, "name");
            return this;
        }

        /**
         * An A/B experiment with weighted arms: a session lands in an arm with the probability of the arm's weight over
         * the sum of the weights ({@link ArmAssigner}, seeded by the experiment name), keeps it, and the arm's model
         * answers it. Replaces {@link #model(ChatModel)}.
         *
         * @param split the experiment name and its arms, control first
         * @param armModels arm name to model, one for each arm of the split
         * @throws KefuException {@link ErrorCode#INVALID_CONFIG} when an arm of the split has no model or a model no arm
         */
        public Builder experiment(ExperimentSplit split, Map<String, ChatModel> armModels) {
            require(armModels.keySet().equals(split.weights().keySet()), "experiment",
                    "the arms " + split.weights().keySet() + " need one model each, got models for " + armModels.keySet());
            models.clear();
            split.arms().forEach(arm -> models.put(arm.name(), armModels.get(arm.name())));
            weights.clear();
            weights.putAll(split.weights());
            experiment = split.experiment();
            return this;
        }

        /** @param value hand off when the mean token log-probability is below this (default -2.5) */
        public Builder minMeanLogprob(double value) { this.minMeanLogprob = value; return this; }

        /** @param value earlier turns of a session put into the prompt (default 10) */
        public Builder historyTurns(int value) { this.historyTurns = value; return this; }

        /** @param value told of every hand-off, just before it is queued in the store (default: nobody) */
        public Builder onHandoff(HandoffSink value) { this.onHandoff = Objects.requireNonNull(value, "onHandoff"); return this; }

        /**
         * @param value where hand-offs are written (default: the {@link ConversationStore} directly); the server gives a
         *     {@link io.kefu.server.store.HandoffQueue}, which retries a write the store refused instead of failing the answer
         */
        public Builder handoffQueue(HandoffSink value) { this.handoffQueue = Objects.requireNonNull(value, "handoffQueue"); return this; }

        /** @param value the system message of every prompt (default {@link Persona#DEFAULT}) */
        public Builder persona(Persona value) { this.persona = Objects.requireNonNull(value, "persona"); return this; }

        /** @param value the banned claims and their replacements (default {@link ComplianceRules#defaults()}) */
        public Builder compliance(ComplianceRules value) { this.compliance = Objects.requireNonNull(value, "compliance"); return this; }

        /** @param value the hand-off keywords and the desk's hours (default {@link HandoffRules#defaults()}) */
        public Builder handoffRules(HandoffRules value) { this.handoffRules = Objects.requireNonNull(value, "handoffRules"); return this; }

        /**
         * @param value the clock that says which day's facts (prices, promotions) apply and whether the hand-off desk is staffed
         *     (default: the system's, local zone)
         */
        public Builder clock(Clock value) { this.clock = Objects.requireNonNull(value, "clock"); return this; }

        /** @throws KefuException {@link ErrorCode#INVALID_CONFIG} naming the setting that is missing or out of range */
        public ShopAssistant build() {
            require(!models.isEmpty(), "model", "is required (a model, or an experiment's arms)");
            require(experiment == null || models.size() >= 2, "experiment", "needs at least two arms");
            require(Double.isFinite(minMeanLogprob), "minMeanLogprob", "must be finite");
            require(historyTurns >= 0, "historyTurns", "must not be negative");
            return new ShopAssistant(this);
        }

        private static void require(boolean ok, String field, String rule) {
            if (!ok) {
                throw new KefuException(ErrorCode.INVALID_CONFIG, "shop assistant setting " + field + ": " + rule);
            }
        }
    }
}
