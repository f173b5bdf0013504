package io.kefu.eval.standard;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.GenerationParameters;
import io.kefu.shop.checks.BusinessChecks;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * How {@link StandardEvaluator} runs. Immutable; build with {@link #builder()}.
 *
 * <p>Defaults: {@code batchSize=8}; {@code seed=0}; decoding {@link GenerationParameters#greedy()}
 * (the seed is written into the parameters); {@link BusinessChecks#defaults()}; no predictions file
 * (predictions stay in memory; with a file they are streamed to it as JSONL and an interrupted run
 * resumes from it).
 */
public final class EvaluationConfig {
    private final int batchSize;
    private final long seed;
    private final GenerationParameters parameters;
    private final BusinessChecks checks;
    private final Path predictionsFile;

    private EvaluationConfig(Builder b) {
        this.batchSize = b.batchSize;
        this.seed = b.seed;
        this.parameters = b.parameters.toBuilder().seed(b.seed).build();
        this.checks = b.checks;
        this.predictionsFile = b.predictionsFile;
    }

    /** @return the defaults listed on the class */
    public static EvaluationConfig defaults() {
        return builder().build();
    }

    /** @return a builder with the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder starting from this configuration */
    public Builder toBuilder() {
        return builder().batchSize(batchSize).seed(seed).parameters(parameters).checks(checks).predictionsFile(predictionsFile);
    }

    /** @return requests per {@code chatBatch} call (default 8) */
    public int batchSize() { return batchSize; }

    /** @return the decoding seed (default 0) */
    public long seed() { return seed; }

    /** @return decoding parameters, seed included (default greedy) */
    public GenerationParameters parameters() { return parameters; }

    /** @return the business checks (default {@link BusinessChecks#defaults()}) */
    public BusinessChecks checks() { return checks; }

    /** @return the JSONL file predictions are streamed to and resumed from, if any (default none) */
    public Optional<Path> predictionsFile() { return Optional.ofNullable(predictionsFile); }

    /** Builds an {@link EvaluationConfig}. */
    public static final class Builder {
        private int batchSize = 8;
        private long seed;
        private GenerationParameters parameters = GenerationParameters.greedy();
        private BusinessChecks checks = BusinessChecks.defaults();
        private Path predictionsFile;

        private Builder() {
        }

        /** @param value requests per batch, at least 1 (default 8) */
        public Builder batchSize(int value) { this.batchSize = value; return this; }

        /** @param value decoding seed (default 0) */
        public Builder seed(long value) { this.seed = value; return this; }

        /** @param value decoding parameters (default greedy); the seed is replaced by {@link #seed(long)} */
        public Builder parameters(GenerationParameters value) { this.parameters = Objects.requireNonNull(value, "parameters"); return this; }

        /** @param value the business checks (default {@link BusinessChecks#defaults()}) */
        public Builder checks(BusinessChecks value) { this.checks = Objects.requireNonNull(value, "checks"); return this; }

        /** @param value JSONL file to stream predictions to and resume from; null for none (default none) */
        public Builder predictionsFile(Path value) { this.predictionsFile = value; return this; }

        /** @throws KefuException {@link ErrorCode#INVALID_CONFIG} when the batch size is below 1 */
        public EvaluationConfig build() {
            if (batchSize < 1) {
                throw new KefuException(ErrorCode.INVALID_CONFIG, "batchSize=" + batchSize + " must be at least 1");
            }
            return new EvaluationConfig(this);
        }
    }
}
