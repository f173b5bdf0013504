package io.kefu.engine.onnx.export;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.util.Locale;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * How to export a checkpoint to ONNX. Immutable; build with {@link #builder()}.
 *
 * <p>Defaults: {@link Precision#FP32}, {@link Operators#CONTRIB} (ONNX Runtime's fused operators
 * where they fit), external data only when the weights exceed {@link #INLINE_LIMIT_BYTES}, a
 * context length equal to the checkpoint's {@code max_position_embeddings}, and logits for the
 * last position only (generation needs no more; see {@link #lastLogitsOnly()}).
 */
public final class ExportOptions {
    /** Weights larger than this go to an external data file (protobuf cannot hold 2 GiB). */
    public static final long INLINE_LIMIT_BYTES = 1_800_000_000L;

    /** Element type of the weights, activations and key/value cache. */
    public enum Precision {
        /** 32-bit floats: exact, runs everywhere. */
        FP32,
        /** 16-bit floats: half the memory; meant for GPUs (logits stay fp32). */
        FP16;

        /** @return the precision spelled {@code fp32} or {@code fp16} (case-insensitive) */
        public static Precision parse(String text) {
            for (Precision p : values()) {
                if (p.name().equalsIgnoreCase(text)) {
                    return p;
                }
            }
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "dtype '" + text + "' is not one of fp32, fp16");
        }

        /** @return {@code fp32} or {@code fp16} */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Which operators the graph is made of. */
    public enum Operators {
        /**
         * ONNX Runtime's contrib operators where they fit: {@code SkipSimplifiedLayerNormalization},
         * {@code RotaryEmbedding}, and {@code MultiHeadAttention} when every query head has its own
         * key/value head, else {@code GroupQueryAttention}; plain ONNX operators elsewhere. Runs
         * only on ONNX Runtime.
         */
        CONTRIB,
        /** Only standard ONNX operators (opset 17): runs on any ONNX runtime. */
        STANDARD
    }

    private final Precision precision;
    private final Operators operators;
    private final boolean externalData;
    private final Integer contextLength;
    private final boolean lastLogitsOnly;

    private ExportOptions(Builder b) {
        this.precision = b.precision;
        this.operators = b.operators;
        this.externalData = b.externalData;
        this.contextLength = b.contextLength;
        this.lastLogitsOnly = b.lastLogitsOnly;
    }

    /** @return the defaults */
    public static ExportOptions defaults() {
        return builder().build();
    }

    /** @return a builder holding the defaults listed in the class javadoc */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the weight and activation type (default FP32) */
    public Precision precision() { return precision; }

    /** @return the operator set (default CONTRIB) */
    public Operators operators() { return operators; }

    /** @return whether to force an external data file even for small models (default false) */
    public boolean externalData() { return externalData; }

    /** @return the most positions the exported model supports, or empty for max_position_embeddings */
    public OptionalInt contextLength() {
        return contextLength == null ? OptionalInt.empty() : OptionalInt.of(contextLength);
    }

    /**
     * @return whether {@code logits} holds only the last position, {@code (batch, 1, vocab)}, instead
     *     of every position, {@code (batch, sequence, vocab)} (default true). Generation needs only the
     *     last; with long prompts and large vocabularies it saves the output-head work and memory of
     *     every other position (a 500-token prompt with a 152k vocabulary: 300 MB per row). Scoring
     *     every position (perplexity) needs false.
     */
    public boolean lastLogitsOnly() { return lastLogitsOnly; }

    /** Builds {@link ExportOptions}. */
    public static final class Builder {
        private Precision precision = Precision.FP32;
        private Operators operators = Operators.CONTRIB;
        private boolean externalData;
        private Integer contextLength;
        private boolean lastLogitsOnly = true;

        private Builder() {
        }

        /** @param value the weight type (default FP32) */
        public Builder precision(Precision value) { this.precision = Objects.requireNonNull(value, "precision"); return this; }

        /** @param value the operator set (default CONTRIB) */
        public Builder operators(Operators value) { this.operators = Objects.requireNonNull(value, "operators"); return this; }

        /** @param value true to always write weights to {@code model.onnx.data} (default false: only over the inline limit) */
        public Builder externalData(boolean value) { this.externalData = value; return this; }

        /** @param value positions the rotary tables cover, at least 1 (default max_position_embeddings) */
        public Builder contextLength(int value) { this.contextLength = value; return this; }

        /** @param value true for logits of the last position only (default true), false for every position */
        public Builder lastLogitsOnly(boolean value) { this.lastLogitsOnly = value; return this; }

        /**
         * @return the options
         * @throws KefuException with {@link ErrorCode#INVALID_ARGUMENT} when the context length is not positive
         */
        public ExportOptions build() {
            if (contextLength != null && contextLength < 1) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "export option contextLength=" + contextLength + " must be at least 1");
            }
            return new ExportOptions(this);
        }
    }
}
