package io.kefu.chat;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.util.List;
import java.util.Objects;

/**
 * How to decode an answer. Immutable; build with {@link #builder()}.
 *
 * <p>Defaults: {@code maxNewTokens=256}, {@code temperature=0} (greedy), {@code topK=0} (off),
 * {@code topP=1.0} (off), {@code repetitionPenalty=1.0} (off), {@code seed=0}, no extra stop
 * sequences, {@code logprobs=false}. A temperature of 0 means greedy decoding, whatever top-k and
 * top-p say. At most {@value #MAX_STOP_SEQUENCES} stop sequences of at most
 * {@value #MAX_STOP_LENGTH} characters each (as OpenAI's API allows): every one is matched after
 * every token of every row of a running batch, so one request must not be able to slow the others.
 */
public final class GenerationParameters {
    /** The most stop sequences one request may give. */
    public static final int MAX_STOP_SEQUENCES = 4;
    /** The longest stop sequence, in characters. */
    public static final int MAX_STOP_LENGTH = 64;

    private static final GenerationParameters GREEDY = builder().build();

    private final int maxNewTokens;
    private final double temperature;
    private final int topK;
    private final double topP;
    private final double repetitionPenalty;
    private final long seed;
    private final List<String> stopSequences;
    private final boolean logprobs;

    private GenerationParameters(Builder b) {
        this.maxNewTokens = b.maxNewTokens;
        this.temperature = b.temperature;
        this.topK = b.topK;
        this.topP = b.topP;
        this.repetitionPenalty = b.repetitionPenalty;
        this.seed = b.seed;
        this.stopSequences = List.copyOf(b.stopSequences);
        this.logprobs = b.logprobs;
    }

    /** @return greedy decoding with all defaults */
    public static GenerationParameters greedy() {
        return GREEDY;
    }

    /** @return a builder holding the defaults listed in the class javadoc */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder that starts from these parameters */
    public Builder toBuilder() {
        return new Builder()
                .maxNewTokens(maxNewTokens).temperature(temperature).topK(topK).topP(topP)
                .repetitionPenalty(repetitionPenalty).seed(seed).stopSequences(stopSequences)
                .logprobs(logprobs);
    }

    /** @return the most tokens to generate (default 256) */
    public int maxNewTokens() { return maxNewTokens; }

    /** @return the softmax temperature; 0 means greedy (default 0) */
    public double temperature() { return temperature; }

    /** @return keep only the k most likely tokens; 0 means off (default 0) */
    public int topK() { return topK; }

    /** @return nucleus sampling mass; 1.0 means off (default 1.0) */
    public double topP() { return topP; }

    /** @return CTRL-style repetition penalty; 1.0 means off (default 1.0) */
    public double repetitionPenalty() { return repetitionPenalty; }

    /** @return the sampling seed (default 0) */
    public long seed() { return seed; }

    /** @return extra strings that end generation, besides the model's end-of-turn tokens (default none) */
    public List<String> stopSequences() { return stopSequences; }

    /** @return whether to report per-token log-probabilities (default false) */
    public boolean logprobs() { return logprobs; }

    /** @return true when decoding picks the most likely token at every step */
    public boolean isGreedy() { return temperature == 0.0; }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof GenerationParameters p)) {
            return false;
        }
        return maxNewTokens == p.maxNewTokens && temperature == p.temperature && topK == p.topK
                && topP == p.topP && repetitionPenalty == p.repetitionPenalty && seed == p.seed
                && stopSequences.equals(p.stopSequences) && logprobs == p.logprobs;
    }

    @Override
    public int hashCode() {
        return Objects.hash(maxNewTokens, temperature, topK, topP, repetitionPenalty, seed, stopSequences, logprobs);
    }

    @Override
    public String toString() {
        return "GenerationParameters[maxNewTokens=" + maxNewTokens + ", temperature=" + temperature
                + ", topK=" + topK + ", topP=" + topP + ", repetitionPenalty=" + repetitionPenalty
                + ", seed=" + seed + ", stopSequences=" + stopSequences + ", logprobs=" + logprobs + "]";
    }

    /** Builds {@link GenerationParameters}; {@link #build()} validates every field. */
    public static final class Builder {
        private int maxNewTokens = 256;
        private double temperature = 0.0;
        private int topK = 0;
        private double topP = 1.0;
        private double repetitionPenalty = 1.0;
        private long seed = 0;
        private List<String> stopSequences = List.of();
        private boolean logprobs = false;

        private Builder() {
        }

        /** @param value at least 1 (default 256) */
        public Builder maxNewTokens(int value) { this.maxNewTokens = value; return this; }

        /** @param value 0 for greedy, otherwise positive (default 0) */
        public Builder temperature(double value) { this.temperature = value; return this; }

        /** @param value 0 for off, otherwise positive (default 0) */
        public Builder topK(int value) { this.topK = value; return this; }

        /** @param value in (0, 1] (default 1.0) */
        public Builder topP(double value) { this.topP = value; return this; }

        /** @param value positive; above 1.0 discourages repeats, 1.0 is off (default 1.0) */
        public Builder repetitionPenalty(double value) { this.repetitionPenalty = value; return this; }

        /** @param value the sampling seed (default 0) */
        public Builder seed(long value) { this.seed = value; return this; }

        /**
         * @param value extra stop strings, at most {@value #MAX_STOP_SEQUENCES}, none empty or longer
         *     than {@value #MAX_STOP_LENGTH} characters (default none)
         */
        public Builder stopSequences(List<String> value) {
            this.stopSequences = List.copyOf(Objects.requireNonNull(value, "stopSequences"));
            return this;
        }

        /** @param value whether to report per-token log-probabilities (default false) */
        public Builder logprobs(boolean value) { this.logprobs = value; return this; }

        /**
         * @return the parameters
         * @throws KefuException with {@link ErrorCode#INVALID_ARGUMENT} naming the field that is out of range
         */
        public GenerationParameters build() {
            require(maxNewTokens >= 1, "maxNewTokens", maxNewTokens, "must be at least 1");
            require(temperature >= 0 && Double.isFinite(temperature), "temperature", temperature, "must be 0 (greedy) or positive");
            require(topK >= 0, "topK", topK, "must be 0 (off) or positive");
            require(topP > 0 && topP <= 1, "topP", topP, "must be in (0, 1]");
            require(repetitionPenalty > 0 && Double.isFinite(repetitionPenalty), "repetitionPenalty", repetitionPenalty, "must be positive (1.0 is off)");
            require(stopSequences.size() <= MAX_STOP_SEQUENCES, "stopSequences", stopSequences.size() + " strings",
                    "must hold at most " + MAX_STOP_SEQUENCES + " strings");
            for (String stop : stopSequences) {
                require(!stop.isEmpty(), "stopSequences", "\"\"", "must not contain an empty string");
                require(stop.length() <= MAX_STOP_LENGTH, "stopSequences", "a string of " + stop.length() + " characters",
                        "must not contain a string longer than " + MAX_STOP_LENGTH + " characters");
            }
            return new GenerationParameters(this);
        }

        private static void require(boolean ok, String field, Object value, String rule) {
            if (!ok) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "generation parameter " + field + "=" + value + " " + rule);
            }
        }
    }
}
