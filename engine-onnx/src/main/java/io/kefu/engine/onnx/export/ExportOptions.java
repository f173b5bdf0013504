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
 * context length equal to the checkpoint's {@code max_position_embeddings}, logits for the
 * last position only (generation needs no more; see {@link #lastLogitsOnly()}), and a growing
 * key/value cache ({@link KvCache#GROWING}).
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

    /** How the key/value cache passes from one decoding step to the next. */
    public enum KvCache {
        /**
         * Each step's {@code present.*} outputs are the past plus the new positions, a new tensor that
         * the next step takes as {@code past_key_values.*}: any attention mask (left padding), as
         * Optimum's exports; the cache is copied once per step.
         */
        GROWING,
        /**
         * ONNX Runtime GenAI's {@code past_present_share_buffer}: past and present are one buffer of
         * fixed length that {@code GroupQueryAttention} writes the new positions into in place, so
         * nothing is copied per step. Each row's positions start at 0 and its length is the number of
         * ones in its attention mask (right padding only). Needs {@link Operators#CONTRIB}.
         */
        SHARED;

        /** @return the cache spelled {@code growing} or {@code shared} (case-insensitive) */
        public static KvCache parse(String text) {
            for (KvCache c : values()) {
                if (c.name().equalsIgnoreCase(text)) {
                    return c;
                }
            }
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "kv cache '" + text + "' is not one of growing, shared");
        }

        /** @return {@code growing} or {@code shared} */
        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Weight-only quantization of the linear layers ({@code com.microsoft.MatMulNBits}). */
    public enum Quantization {
        /** Weights in {@link Precision}. */
        NONE(0),
        /** 4-bit integers, a scale (and zero point) per block. */
        INT4(4),
        /** 8-bit integers, a scale (and zero point) per block. */
        INT8(8);

        private final int bits;

        Quantization(int bits) {
            this.bits = bits;
        }

        /** @return bits per weight, 0 for none */
        public int bits() {
            return bits;
        }

        /** @return the quantization spelled {@code none}, {@code int4} or {@code int8} (case-insensitive) */
        public static Quantization parse(String text) {
            for (Quantization q : values()) {
                if (q.name().equalsIgnoreCase(text)) {
                    return q;
                }
            }
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "quantization '" + text + "' is not one of none, int4, int8");
        }
    }

    /** The accuracy levels of MatMulNBits: 0 unset, 1 fp32, 2 fp16, 4 int8 activations (3, bf16, is not offered on CPU). */
    private static final java.util.Set<Integer> ACCURACY_LEVELS = java.util.Set.of(0, 1, 2, 4);

    private final Precision precision;
    private final Operators operators;
    private final boolean externalData;
    private final Integer contextLength;
    private final boolean lastLogitsOnly;
    private final Quantization quantization;
    private final int blockSize;
    private final boolean symmetric;
    private final int accuracyLevel;
    private final boolean quantizeLmHead;
    private final boolean quantizeEmbedding;
    private final KvCache kvCache;

    private ExportOptions(Builder b) {
        this.precision = b.precision;
        this.operators = b.operators;
        this.externalData = b.externalData;
        this.contextLength = b.contextLength;
        this.lastLogitsOnly = b.lastLogitsOnly;
        this.quantization = b.quantization;
        this.blockSize = b.blockSize;
        this.symmetric = b.symmetric;
        this.accuracyLevel = b.accuracyLevel;
        this.quantizeLmHead = b.quantizeLmHead;
        this.quantizeEmbedding = b.quantizeEmbedding;
        this.kvCache = b.kvCache;
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

    /** @return the weight-only quantization of the linear layers (default NONE) */
    public Quantization quantization() { return quantization; }

    /** @return weights sharing one scale and zero point along the input dimension (default 32) */
    public int blockSize() { return blockSize; }

    /** @return whether every block's zero point is the middle level (default false: a zero point per block) */
    public boolean symmetric() { return symmetric; }

    /**
     * @return MatMulNBits' {@code accuracy_level} (default 4): how ONNX Runtime may compute with the activations; 4 lets
     *     it quantize them to int8 per block and use integer dot products (fastest on CPUs with VNNI), 0 or 1 keeps them fp32
     */
    public int accuracyLevel() { return accuracyLevel; }

    /** @return whether the output head is quantized too (default false: it stays in {@link #precision()}) */
    public boolean quantizeLmHead() { return quantizeLmHead; }

    /**
     * @return whether the token embedding is stored quantized too, looked up with ONNX Runtime's GatherBlockQuantized
     *     (default false: a quantized export keeps it in fp16). A tied embedding needs {@link #quantizeLmHead()} as well,
     *     since an unquantized head multiplies with its full values, and the hidden size must be a multiple of the
     *     block size.
     */
    public boolean quantizeEmbedding() { return quantizeEmbedding; }

    /** @return how the key/value cache passes between steps (default GROWING) */
    public KvCache kvCache() { return kvCache; }

    /** Builds {@link ExportOptions}. */
    public static final class Builder {
        private Precision precision = Precision.FP32;
        private Operators operators = Operators.CONTRIB;
        private boolean externalData;
        private Integer contextLength;
        private boolean lastLogitsOnly = true;
        private Quantization quantization = Quantization.NONE;
        private int blockSize = 32;
        private boolean symmetric;
        private int accuracyLevel = 4;
        private boolean quantizeLmHead;
        private boolean quantizeEmbedding;
        private KvCache kvCache = KvCache.GROWING;

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

        /** @param value weight-only quantization of the linear layers (default NONE) */
        public Builder quantization(Quantization value) { this.quantization = Objects.requireNonNull(value, "quantization"); return this; }

        /** @param value quantization block size: 16, 32, 64, 128 or 256 (default 32) */
        public Builder blockSize(int value) { this.blockSize = value; return this; }

        /** @param value true for symmetric blocks (default false) */
        public Builder symmetric(boolean value) { this.symmetric = value; return this; }

        /** @param value MatMulNBits' accuracy level: 0, 1, 2 or 4 (default 4) */
        public Builder accuracyLevel(int value) { this.accuracyLevel = value; return this; }

        /** @param value true to quantize the output head too (default false) */
        public Builder quantizeLmHead(boolean value) { this.quantizeLmHead = value; return this; }

        /** @param value true to store the token embedding quantized too (default false) */
        public Builder quantizeEmbedding(boolean value) { this.quantizeEmbedding = value; return this; }

        /** @param value how the key/value cache passes between steps (default GROWING) */
        public Builder kvCache(KvCache value) { this.kvCache = Objects.requireNonNull(value, "kvCache"); return this; }

        /**
         * @return the options
         * @throws KefuException with {@link ErrorCode#INVALID_ARGUMENT} when the context length is not positive, or a
         *     quantization setting is out of range or asks for ONNX Runtime's operators with {@link Operators#STANDARD},
         *     or a shared key/value cache is asked for with {@link Operators#STANDARD}
         */
        public ExportOptions build() {
            if (contextLength != null && contextLength < 1) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "export option contextLength=" + contextLength + " must be at least 1");
            }
            if (blockSize < 16 || blockSize > 256 || Integer.bitCount(blockSize) != 1) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "export option blockSize=" + blockSize + " must be 16, 32, 64, 128 or 256");
            }
            if (!ACCURACY_LEVELS.contains(accuracyLevel)) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "export option accuracyLevel=" + accuracyLevel + " must be 0, 1, 2 or 4");
            }
            if (quantization != Quantization.NONE && operators == Operators.STANDARD) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "quantization " + quantization.name().toLowerCase(Locale.ROOT)
                        + " uses ONNX Runtime's MatMulNBits operator, which operators=standard excludes; use operators=contrib");
            }
            if (kvCache == KvCache.SHARED && operators == Operators.STANDARD) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "kv cache shared uses ONNX Runtime's GroupQueryAttention"
                        + " operator, which operators=standard excludes; use operators=contrib");
            }
            if (quantizeLmHead && quantization == Quantization.NONE) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "quantizeLmHead needs a quantization (int4 or int8)");
            }
            if (quantizeEmbedding && quantization == Quantization.NONE) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "quantizeEmbedding needs a quantization (int4 or int8)");
            }
            return new ExportOptions(this);
        }
    }
}
