package io.kefu.engine.onnx.export;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.runtime.format.HfModelConfig;
import io.kefu.engine.onnx.export.ExportOptions.Operators;
import io.kefu.engine.onnx.export.ExportOptions.Precision;
import io.kefu.engine.onnx.export.GraphBuilder.Attr;
import io.kefu.engine.onnx.proto.Onnx.TensorProto.DataType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Builds the ONNX graph of a Llama / Qwen 2 / Qwen 3 decoder with a key/value cache, in the layout
 * ONNX Runtime GenAI and Optimum use: inputs {@code input_ids}, {@code attention_mask},
 * {@code position_ids}, {@code past_key_values.{i}.key|value}; outputs {@code logits},
 * {@code present.{i}.key|value}; cache tensors shaped {@code (batch, kv_heads, seq, head_dim)}.
 *
 * <p>The attention mask may hold zeros anywhere (left padding): a position attends to the
 * positions up to itself whose mask is 1. Position ids are given by the caller, so a left-padded
 * row can start at 0 on its first real token.
 *
 * <p>With a shared key/value cache ({@link ExportOptions.KvCache#SHARED}) every layer is
 * {@code GroupQueryAttention} writing into its past buffer in place: the cache inputs and outputs
 * are one fixed-length buffer, each row's positions start at 0, and a row's length is the number of
 * ones in its attention mask (ones first, then zeros: right padding).
 */
final class DecoderGraph {
    /** Names of the graph's inputs and outputs, shared with the runtime. */
    static final String INPUT_IDS = "input_ids";
    static final String ATTENTION_MASK = "attention_mask";
    static final String POSITION_IDS = "position_ids";
    static final String LOGITS = "logits";

    private static final float FLOAT_MIN = -3.4028235e38f;
    private static final float FLOAT16_MAX = 65504f;

    private final HfModelConfig config;
    private final WeightSource weights;
    private final ExportOptions options;
    private final GraphBuilder g;
    private final DataType type;
    private final int heads;
    private final int kvHeads;
    private final int headDim;
    /** Quantizes the linear layers' weights, or null to keep them in {@link #type}. */
    private final BlockQuantizer quantizer;

    // values shared by every layer
    private String allowed;       // bool [B,1,S,T]: may query s attend to key t
    private String cosCache;      // [context, headDim/2]
    private String sinCache;
    private String cosFull;       // [B,1,S,D] (standard rotary only)
    private String sinFull;
    private String attentionBias; // [B,1,S,T] additive mask of the fused attention operators
    private String seqlensK;      // int32 [B], GroupQueryAttention only
    private String totalLength;   // int32 scalar, GroupQueryAttention only
    private String maskOnes;      // int64 [B]: ones in each row's attention mask (shared cache only)

    DecoderGraph(WeightSource weights, ExportOptions options, GraphBuilder graph) {
        this.config = weights.config();
        this.weights = weights;
        this.options = options;
        this.g = graph;
        this.type = options.precision() == Precision.FP16 ? DataType.FLOAT16 : DataType.FLOAT;
        this.heads = config.numAttentionHeads();
        this.kvHeads = config.numKeyValueHeads();
        this.headDim = config.headDim();
        this.quantizer = options.quantization() == ExportOptions.Quantization.NONE ? null
                : new BlockQuantizer(options.quantization().bits(), options.blockSize(), options.symmetric());
    }

    static String pastKey(int layer) { return "past_key_values." + layer + ".key"; }

    static String pastValue(int layer) { return "past_key_values." + layer + ".value"; }

    static String presentKey(int layer) { return "present." + layer + ".key"; }

    static String presentValue(int layer) { return "present." + layer + ".value"; }

    /** @return the number of positions the rotary tables cover */
    int contextLength() {
        return options.contextLength().orElse(config.maxPositionEmbeddings());
    }

    /** @return whether the layers use ONNX Runtime's MultiHeadAttention operator (else GroupQueryAttention, with contrib operators) */
    boolean usesMultiHeadAttention() {
        return options.operators() == Operators.CONTRIB && heads == kvHeads && !sharedCache();
    }

    private boolean sharedCache() {
        return options.kvCache() == ExportOptions.KvCache.SHARED;
    }

    void build() {
        declareInputsAndOutputs();
        float[] embedding = weights.read("model.embed_tokens.weight", config.vocabSize(), config.hiddenSize());
        String embed = null; // the table in full, where the head multiplies with it
        String hidden;
        if (options.quantizeEmbedding()) {
            hidden = quantizedEmbedding(embedding);
        } else {
            DataType embedType = halfEmbedding(embedding) ? DataType.FLOAT16 : type;
            embed = g.weight("model.embed_tokens.weight", embedType, new long[] {config.vocabSize(), config.hiddenSize()}, embedding);
            hidden = g.op("Gather", embed, INPUT_IDS);
            if (embedType != type) {
                hidden = cast(hidden, type);
            }
        }
        embedding = null; // a large table: let it go before the layers are read
        if (!sharedCache()) {
            buildMask();
        }
        buildRotaryTables();

        boolean contrib = options.operators() == Operators.CONTRIB;
        String normed = rmsNorm(hidden, normWeight("model.layers.0.input_layernorm.weight", config.hiddenSize()));
        String residual = hidden;
        for (int layer = 0; layer < config.numHiddenLayers(); layer++) {
            String prefix = "model.layers." + layer + ".";
            String attention = attention(layer, normed);
            String[] addNorm = addAndNorm(residual, attention, normWeight(prefix + "post_attention_layernorm.weight", config.hiddenSize()), contrib);
            residual = addNorm[1];
            String mlp = mlp(layer, addNorm[0]);
            String nextNorm = layer + 1 < config.numHiddenLayers()
                    ? "model.layers." + (layer + 1) + ".input_layernorm.weight" : "model.norm.weight";
            addNorm = addAndNorm(residual, mlp, normWeight(nextNorm, config.hiddenSize()), contrib);
            normed = addNorm[0];
            residual = addNorm[1];
        }
        logits(normed, embed);
    }

    private void declareInputsAndOutputs() {
        g.input(INPUT_IDS, DataType.INT64, "batch_size", "sequence_length");
        g.input(ATTENTION_MASK, DataType.INT64, "batch_size", "total_sequence_length");
        g.input(POSITION_IDS, DataType.INT64, "batch_size", "sequence_length");
        // a shared cache is one buffer, as long in and out; a growing one gains the new positions
        String pastLength = sharedCache() ? "max_sequence_length" : "past_sequence_length";
        String presentLength = sharedCache() ? "max_sequence_length" : "total_sequence_length";
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            g.input(pastKey(i), type, "batch_size", kvHeads, pastLength, headDim);
            g.input(pastValue(i), type, "batch_size", kvHeads, pastLength, headDim);
        }
        g.output(LOGITS, DataType.FLOAT, "batch_size", options.lastLogitsOnly() ? 1 : "sequence_length", config.vocabSize());
        for (int i = 0; i < config.numHiddenLayers(); i++) {
            g.output(presentKey(i), type, "batch_size", kvHeads, presentLength, headDim);
            g.output(presentValue(i), type, "batch_size", kvHeads, presentLength, headDim);
        }
    }

    /** allowed[b,0,s,t] = attention_mask[b,t] == 1 and t <= past + s. */
    private void buildMask() {
        String total = g.op("Squeeze", g.op("Shape", List.of(ATTENTION_MASK), Attr.of("start", 1L), Attr.of("end", 2L)));
        String seq = g.op("Squeeze", g.op("Shape", List.of(INPUT_IDS), Attr.of("start", 1L), Attr.of("end", 2L)));
        String past = g.op("Sub", total, seq);
        String one = g.int64Scalar(1);
        String keyIndex = g.op("Range", g.int64Scalar(0), total, one);
        String queryIndex = g.op("Unsqueeze", g.op("Range", past, total, one), g.int64s(-1));
        String causal = g.op("LessOrEqual", keyIndex, queryIndex);
        String present = g.op("Unsqueeze", g.op("Cast", List.of(ATTENTION_MASK), Attr.of("to", (long) DataType.BOOL.getNumber())),
                g.int64s(1, 2));
        allowed = g.op("And", causal, present);
    }

    /** cos/sin of position * inverse frequency, computed in fp32 as transformers does, [context, headDim/2]. */
    private void buildRotaryTables() {
        int half = headDim / 2;
        double[] invFreq = new double[half];
        for (int i = 0; i < half; i++) {
            float exponent = (float) (2 * i) / (float) headDim;
            invFreq[i] = 1.0f / (float) Math.pow((float) config.ropeTheta(), exponent);
        }
        if (config.ropeScaling().isPresent()) {
            invFreq = config.ropeScaling().get().scale(invFreq);
        }
        int context = contextLength();
        float[] cos = new float[context * half];
        float[] sin = new float[context * half];
        for (int p = 0; p < context; p++) {
            for (int i = 0; i < half; i++) {
                float angle = (float) p * (float) invFreq[i];
                cos[p * half + i] = (float) Math.cos(angle);
                sin[p * half + i] = (float) Math.sin(angle);
            }
        }
        cosCache = g.weight("rotary.cos_cache", type, new long[] {context, half}, cos);
        sinCache = g.weight("rotary.sin_cache", type, new long[] {context, half}, sin);
        if (options.operators() == Operators.STANDARD) {
            cosFull = fullTable(cosCache);
            sinFull = fullTable(sinCache);
        }
    }

    /** [B,1,S,D] = concat(table[pos], table[pos]) as transformers' rotary embedding lays it out. */
    private String fullTable(String table) {
        String gathered = g.op("Gather", table, POSITION_IDS);
        String doubled = g.op("Concat", List.of(gathered, gathered), Attr.of("axis", -1L));
        return g.op("Unsqueeze", doubled, g.int64s(1));
    }

    private String normWeight(String name, int size) {
        return g.weight(name, type, new long[] {size}, weights.read(name, size));
    }

    /** RMSNorm over the last axis in fp32, as transformers' LlamaRMSNorm: w * x / sqrt(mean(x^2) + eps). */
    private String rmsNorm(String x, String weight) {
        String x32 = type == DataType.FLOAT ? x : cast(x, DataType.FLOAT);
        String meanSquare = g.op("ReduceMean", List.of(g.op("Mul", x32, x32)), Attr.ints("axes", -1), Attr.of("keepdims", 1L));
        String rms = g.op("Sqrt", g.op("Add", meanSquare, g.floatScalar(DataType.FLOAT, (float) config.rmsNormEps())));
        String normalized = g.op("Div", x32, rms);
        if (type != DataType.FLOAT) {
            normalized = cast(normalized, type);
        }
        return g.op("Mul", normalized, weight);
    }

    /** @return {normed(residual + x), residual + x} */
    private String[] addAndNorm(String residual, String x, String weight, boolean contrib) {
        if (contrib) {
            List<String> out = List.of(g.fresh("skip_norm"), g.fresh("skip_sum"));
            // the fused operator adds x and the residual in fp32 and normalises the sum
            g.nodeWithOutputs("SkipSimplifiedLayerNormalization", GraphBuilder.MS_DOMAIN, List.of(x, residual, weight),
                    List.of(out.get(0), "", "", out.get(1)), Attr.of("epsilon", (float) config.rmsNormEps()));
            return out.toArray(new String[0]);
        }
        String sum = g.op("Add", residual, x);
        return new String[] {rmsNorm(sum, weight), sum};
    }

    private String linear(String x, String module, int in, int out, boolean bias) {
        float[] w = weights.read(module + ".weight", out, in);
        String product = quantizer == null
                ? g.op("MatMul", x, g.weight(module + ".weight_t", type, new long[] {in, out}, transpose(w, out, in)))
                : quantizedMatMul(x, module, w, out, in);
        if (!bias) {
            return product;
        }
        return g.op("Add", product, g.weight(module + ".bias", type, new long[] {out}, weights.read(module + ".bias", out)));
    }

    /**
     * Several linear layers reading the same input. Quantized, they run as one MatMulNBits over their stacked weights
     * (named after the modules joined by '+') whose output is split again: each call of the operator costs a fixed
     * few microseconds beside the bytes it reads, and the values are the same, since blocks run along a row.
     */
    private String[] linears(String x, String prefix, List<String> modules, int in, int[] outs, boolean bias) {
        String[] results = new String[modules.size()];
        if (quantizer == null) {
            for (int i = 0; i < results.length; i++) {
                results[i] = linear(x, prefix + modules.get(i), in, outs[i], bias);
            }
            return results;
        }
        String product = stackedLinear(x, prefix, modules, in, outs, bias);
        long[] sizes = Arrays.stream(outs).asLongStream().toArray();
        return g.node("Split", "", List.of(product, g.int64s(sizes)), results.length, Attr.of("axis", -1L)).toArray(new String[0]);
    }

    /** The quantized product of several linear layers reading {@code x}, their outputs side by side (see {@link #linears}). */
    private String stackedLinear(String x, String prefix, List<String> modules, int in, int[] outs, boolean bias) {
        int total = Arrays.stream(outs).sum();
        float[] stacked = new float[Math.multiplyExact(total, in)];
        float[] biases = bias ? new float[total] : null;
        int row = 0;
        for (int i = 0; i < modules.size(); i++) {
            String module = prefix + modules.get(i);
            System.arraycopy(weights.read(module + ".weight", outs[i], in), 0, stacked, row * in, outs[i] * in);
            if (bias) {
                System.arraycopy(weights.read(module + ".bias", outs[i]), 0, biases, row, outs[i]);
            }
            row += outs[i];
        }
        String fused = prefix + String.join("+", modules);
        String product = quantizedMatMul(x, fused, stacked, total, in);
        if (bias) {
            product = g.op("Add", product, g.weight(fused + ".bias", type, new long[] {total}, biases));
        }
        return product;
    }

    /** {@code x @ W^T} with {@code W [n, k]} quantized block-wise: ONNX Runtime's MatMulNBits (see {@link BlockQuantizer}). */
    private String quantizedMatMul(String x, String module, float[] w, int n, int k) {
        BlockQuantizer.Quantized q = quantizer.quantize(w, n, k);
        List<String> inputs = new ArrayList<>(List.of(x,
                g.rawWeight(module + ".weight_q", DataType.UINT8, new long[] {n, q.blocks(), q.blobSize()}, q.packed()),
                g.weight(module + ".weight_scales", type, new long[] {(long) n * q.blocks()}, q.scales())));
        if (q.zeroPoints() != null) {
            inputs.add(g.rawWeight(module + ".weight_zero_points", DataType.UINT8, new long[] {(long) n * q.zeroPointBytesPerRow()},
                    q.zeroPoints()));
        }
        return g.node("MatMulNBits", GraphBuilder.MS_DOMAIN, inputs, 1, Attr.of("K", (long) k), Attr.of("N", (long) n),
                Attr.of("bits", (long) q.bits()), Attr.of("block_size", (long) q.blockSize()),
                Attr.of("accuracy_level", (long) options.accuracyLevel())).get(0);
    }

    private static float[] transpose(float[] w, int rows, int cols) {
        float[] t = new float[w.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * rows + r] = w[r * cols + c];
            }
        }
        return t;
    }

    private String attention(int layer, String x) {
        String prefix = "model.layers." + layer + ".self_attn.";
        int hidden = config.hiddenSize();
        boolean bias = config.attentionBias();
        List<String> qkvModules = List.of("q_proj", "k_proj", "v_proj");
        int[] qkvSizes = {heads * headDim, kvHeads * headDim, kvHeads * headDim};
        if (packedAttention()) {
            String packed = stackedLinear(x, prefix, qkvModules, hidden, qkvSizes, bias);
            String context = sharedGroupQueryAttention(layer, List.of(packed, "", ""), true);
            return linear(context, prefix + "o_proj", heads * headDim, hidden, config.outputProjectionBias());
        }
        String[] qkv = linears(x, prefix, qkvModules, hidden, qkvSizes, bias);
        String q = qkv[0];
        String k = qkv[1];
        String v = qkv[2];
        if (config.architecture().hasQkNorm()) {
            q = headNorm(q, heads, normWeight(prefix + "q_norm.weight", headDim));
            k = headNorm(k, kvHeads, normWeight(prefix + "k_norm.weight", headDim));
        }
        String context;
        if (options.operators() == Operators.CONTRIB) {
            q = rotaryContrib(q, heads);
            k = rotaryContrib(k, kvHeads);
            context = usesMultiHeadAttention() ? multiHeadAttention(layer, q, k, v) : groupQueryAttention(layer, q, k, v);
        } else {
            context = standardAttention(layer, rotaryStandard(toHeads(q, heads)), rotaryStandard(toHeads(k, kvHeads)),
                    toHeads(v, kvHeads));
        }
        return linear(context, prefix + "o_proj", heads * headDim, hidden, config.outputProjectionBias());
    }

    /** Qwen 3's per-head RMSNorm of queries and keys, before the rotary embedding. */
    private String headNorm(String x, int n, String weight) {
        String perHead = g.op("Reshape", x, g.int64s(0, 0, n, headDim));
        return g.op("Reshape", rmsNorm(perHead, weight), g.int64s(0, 0, (long) n * headDim));
    }

    /** [B,S,n*D] -> [B,n,S,D] */
    private String toHeads(String x, int n) {
        return g.op("Transpose", List.of(g.op("Reshape", x, g.int64s(0, 0, n, headDim))), Attr.ints("perm", 0, 2, 1, 3));
    }

    private String rotaryContrib(String x, int n) {
        return g.node("RotaryEmbedding", GraphBuilder.MS_DOMAIN, List.of(x, POSITION_IDS, cosCache, sinCache), 1,
                Attr.of("interleaved", 0L), Attr.of("num_heads", (long) n)).get(0);
    }

    /** x * cos + rotate_half(x) * sin on [B,n,S,D], as transformers' apply_rotary_pos_emb. */
    private String rotaryStandard(String x) {
        long half = headDim / 2;
        String first = g.op("Slice", x, g.int64s(0), g.int64s(half), g.int64s(-1));
        String second = g.op("Slice", x, g.int64s(half), g.int64s(headDim), g.int64s(-1));
        String rotated = g.op("Concat", List.of(g.op("Neg", second), first), Attr.of("axis", -1L));
        return g.op("Add", g.op("Mul", x, cosFull), g.op("Mul", rotated, sinFull));
    }

    /** @return the additive mask [B,1,S,T] of the fused attention operators: 0 where allowed, the type's lowest value elsewhere */
    private String attentionBias() {
        if (attentionBias == null) {
            attentionBias = g.op("Where", allowed, g.floatScalar(type, 0f),
                    g.floatScalar(type, type == DataType.FLOAT ? FLOAT_MIN : -65504f));
        }
        return attentionBias;
    }

    /** ONNX Runtime's MultiHeadAttention: q, k, v as [B,S,n*D], cache as [B,n,T,D], mask as additive bias. */
    private String multiHeadAttention(int layer, String q, String k, String v) {
        String bias = attentionBias();
        String out = "attention_" + layer + "/out";
        g.nodeWithOutputs("MultiHeadAttention", GraphBuilder.MS_DOMAIN,
                List.of(q, k, v, "", "", bias, pastKey(layer), pastValue(layer)),
                List.of(out, presentKey(layer), presentValue(layer)),
                Attr.of("num_heads", (long) heads), Attr.of("scale", (float) (1.0 / Math.sqrt(headDim))));
        return out;
    }

    /**
     * ONNX Runtime's GroupQueryAttention: q, k, v as [B,S,n*D], cache as [B,kv,T,D]. The operator
     * assumes each row's valid positions start at 0 (right padding); rows here may be left-padded,
     * so every row is declared full length ({@code seqlens_k = T - 1}) and the pads are masked by
     * the additive attention bias instead.
     */
    private String groupQueryAttention(int layer, String q, String k, String v) {
        if (sharedCache()) {
            return sharedGroupQueryAttention(layer, List.of(q, k, v), false);
        }
        if (seqlensK == null) {
            String total = g.op("Shape", List.of(ATTENTION_MASK), Attr.of("start", 1L), Attr.of("end", 2L));
            String batch = g.op("Shape", List.of(ATTENTION_MASK), Attr.of("start", 0L), Attr.of("end", 1L));
            String last = g.op("Sub", total, g.int64s(1));
            seqlensK = g.op("Cast", List.of(g.op("Expand", last, batch)), Attr.of("to", (long) DataType.INT32.getNumber()));
            totalLength = g.op("Cast", List.of(g.op("Squeeze", total)), Attr.of("to", (long) DataType.INT32.getNumber()));
        }
        String bias = attentionBias();
        String out = "attention_" + layer + "/out";
        g.nodeWithOutputs("GroupQueryAttention", GraphBuilder.MS_DOMAIN,
                List.of(q, k, v, pastKey(layer), pastValue(layer), seqlensK, totalLength, "", "", "", bias),
                List.of(out, presentKey(layer), presentValue(layer)),
                Attr.of("num_heads", (long) heads), Attr.of("kv_num_heads", (long) kvHeads),
                Attr.of("scale", (float) (1.0 / Math.sqrt(headDim))));
        return out;
    }

    /**
     * GroupQueryAttention over a shared cache: past and present are the same buffer, the operator
     * writes each row's new keys and values at its length so far and attends to its first
     * {@code seqlens_k + 1} positions, {@code seqlens_k} being the row's ones in the attention mask
     * minus one. Rows are right-padded, so no additive mask is needed.
     */
    private String sharedGroupQueryAttention(int layer, List<String> qkv, boolean rotary) {
        if (seqlensK == null) {
            seqlensK = g.op("Cast", List.of(g.op("Sub", maskOnes(), g.int64Scalar(1))), Attr.of("to", (long) DataType.INT32.getNumber()));
            String total = g.op("Shape", List.of(ATTENTION_MASK), Attr.of("start", 1L), Attr.of("end", 2L));
            totalLength = g.op("Cast", List.of(g.op("Squeeze", total)), Attr.of("to", (long) DataType.INT32.getNumber()));
        }
        String out = "attention_" + layer + "/out";
        List<String> inputs = new ArrayList<>(qkv);
        inputs.addAll(List.of(pastKey(layer), pastValue(layer), seqlensK, totalLength));
        List<Attr> attrs = new ArrayList<>(List.of(Attr.of("num_heads", (long) heads), Attr.of("kv_num_heads", (long) kvHeads),
                Attr.of("scale", (float) (1.0 / Math.sqrt(headDim)))));
        if (rotary) {
            inputs.addAll(List.of(cosCache, sinCache, POSITION_IDS));
            attrs.add(Attr.of("do_rotary", 1L));
            attrs.add(Attr.of("rotary_interleaved", 0L));
        }
        g.nodeWithOutputs("GroupQueryAttention", GraphBuilder.MS_DOMAIN, inputs, List.of(out, presentKey(layer), presentValue(layer)),
                attrs.toArray(new Attr[0]));
        return out;
    }

    /**
     * Whether a layer's attention is one quantized q/k/v product feeding GroupQueryAttention packed, the operator
     * applying the rotary embedding itself, as ONNX Runtime GenAI's model builder lays it out: with a shared cache
     * (positions start at 0 in every row), and without Qwen 3's per-head norms, which come between the product and
     * the rotary embedding.
     */
    private boolean packedAttention() {
        return quantizer != null && sharedCache() && options.operators() == Operators.CONTRIB && !config.architecture().hasQkNorm();
    }

    private String maskOnes() {
        if (maskOnes == null) {
            maskOnes = g.op("ReduceSum", List.of(ATTENTION_MASK, g.int64s(1)), Attr.of("keepdims", 0L));
        }
        return maskOnes;
    }

    /**
     * [B,1,H]: each row's last real new position of {@code x} [B,S,H]. With a shared cache the rows
     * of a prompt batch are right-padded, so row b's last prompt token is at {@code ones(b) - 1};
     * a decoding step ({@code S = 1}) has it at 0: {@code min(ones(b), S) - 1}.
     */
    private String lastRealPosition(String x) {
        String seq = g.op("Shape", List.of(INPUT_IDS), Attr.of("start", 1L), Attr.of("end", 2L));
        String last = g.op("Sub", g.op("Min", maskOnes(), seq), g.int64Scalar(1));                // [B]
        String index = g.op("Unsqueeze", last, g.int64s(1, 2));                                    // [B,1,1]
        String batch = g.op("Shape", List.of(x), Attr.of("start", 0L), Attr.of("end", 1L));
        String shape = g.op("Concat", List.of(batch, g.int64s(1, config.hiddenSize())), Attr.of("axis", 0L));
        return g.op("GatherElements", List.of(x, g.op("Expand", index, shape)), Attr.of("axis", 1L));
    }

    /**
     * Attention with grouped key/value heads from standard operators: q [B,H,S,D], k and v
     * [B,KV,S,D]; writes the present cache outputs and returns the context [B,S,H*D].
     */
    private String standardAttention(int layer, String q, String k, String v) {
        g.nodeWithOutputs("Concat", "", List.of(pastKey(layer), k), List.of(presentKey(layer)), Attr.of("axis", 2L));
        g.nodeWithOutputs("Concat", "", List.of(pastValue(layer), v), List.of(presentValue(layer)), Attr.of("axis", 2L));
        int group = heads / kvHeads;
        String q5 = g.op("Reshape", q, g.int64s(0, kvHeads, group, -1, headDim));         // [B,KV,G,S,D]
        String k5 = g.op("Unsqueeze", presentKey(layer), g.int64s(2));                     // [B,KV,1,T,D]
        String v5 = g.op("Unsqueeze", presentValue(layer), g.int64s(2));
        String kT = g.op("Transpose", List.of(k5), Attr.ints("perm", 0, 1, 2, 4, 3));      // [B,KV,1,D,T]
        String scores = g.op("Mul", g.op("MatMul", q5, kT), g.floatScalar(type, (float) (1.0 / Math.sqrt(headDim))));
        if (type != DataType.FLOAT) {
            scores = cast(scores, DataType.FLOAT);
        }
        String mask5 = g.op("Unsqueeze", allowed, g.int64s(2));                            // [B,1,1,S,T]
        scores = g.op("Where", mask5, scores, g.floatScalar(DataType.FLOAT, FLOAT_MIN));
        String probs = g.op("Softmax", List.of(scores), Attr.of("axis", -1L));
        if (type != DataType.FLOAT) {
            probs = cast(probs, type);
        }
        String context = g.op("MatMul", probs, v5);                                        // [B,KV,G,S,D]
        String perHead = g.op("Reshape", context, g.int64s(0, heads, -1, headDim));        // [B,H,S,D]
        String bshd = g.op("Transpose", List.of(perHead), Attr.ints("perm", 0, 2, 1, 3));
        return g.op("Reshape", bshd, g.int64s(0, 0, (long) heads * headDim));
    }

    private String mlp(int layer, String x) {
        String prefix = "model.layers." + layer + ".mlp.";
        int hidden = config.hiddenSize();
        int inner = config.intermediateSize();
        boolean bias = config.mlpBias();
        String[] gateUp = linears(x, prefix, List.of("gate_proj", "up_proj"), hidden, new int[] {inner, inner}, bias);
        String gate = gateUp[0];
        String up = gateUp[1];
        String activated = g.op("Mul", g.op("Mul", gate, g.op("Sigmoid", gate)), up);
        return linear(activated, prefix + "down_proj", inner, hidden, bias);
    }

    /**
     * Whether a quantized export keeps the token embedding in fp16: it is read one row per token, so it costs memory,
     * not decoding time, and fp16 halves that. Only when the output head does not multiply with the same table (a
     * tied head left unquantized would then run as an fp16 matrix product, far slower on CPUs), and only when every
     * value fits fp16's range.
     */
    private boolean halfEmbedding(float[] embedding) {
        if (quantizer == null || type == DataType.FLOAT16 || (config.tieWordEmbeddings() && !options.quantizeLmHead())) {
            return false;
        }
        for (float v : embedding) {
            if (!(Math.abs(v) <= FLOAT16_MAX)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The token embedding stored as {@link #quantizedMatMul} stores a weight, its rows looked up with ONNX Runtime's
     * {@code com.microsoft.GatherBlockQuantized}: data uint8 {@code [vocab, hidden * bits / 8]} (the same bytes as
     * MatMulNBits' {@code B}), scales {@code [vocab, blocks]}, zero points uint8 {@code [vocab, ceil(blocks * bits / 8)]}.
     */
    private String quantizedEmbedding(float[] table) {
        int vocab = config.vocabSize();
        int hidden = config.hiddenSize();
        if (config.tieWordEmbeddings() && !options.quantizeLmHead()) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "quantizeEmbedding: the model ties its output head to the token"
                    + " embedding, and an unquantized head multiplies with the embedding's full values; quantize the head too"
                    + " (quantizeLmHead) or keep the embedding");
        }
        if (hidden % options.blockSize() != 0) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "quantizeEmbedding: GatherBlockQuantized needs the hidden size ("
                    + hidden + ") to be a multiple of the block size (" + options.blockSize() + ")");
        }
        BlockQuantizer.Quantized q = quantizer.quantize(table, vocab, hidden);
        String name = "model.embed_tokens";
        List<String> inputs = new ArrayList<>(List.of(
                g.rawWeight(name + ".weight_q", DataType.UINT8, new long[] {vocab, (long) q.blocks() * q.blobSize()}, q.packed()),
                INPUT_IDS,
                g.weight(name + ".weight_scales", type, new long[] {vocab, q.blocks()}, q.scales())));
        if (q.zeroPoints() != null) {
            inputs.add(g.rawWeight(name + ".weight_zero_points", DataType.UINT8, new long[] {vocab, q.zeroPointBytesPerRow()},
                    q.zeroPoints()));
        }
        return g.node("GatherBlockQuantized", GraphBuilder.MS_DOMAIN, inputs, 1, Attr.of("gather_axis", 0L),
                Attr.of("quantize_axis", 1L), Attr.of("block_size", (long) q.blockSize()), Attr.of("bits", (long) q.bits())).get(0);
    }

    /** logits [B,S,V] (or [B,1,V]: last position only) = x @ lm_head^T (the embedding matrix when tied), always fp32. */
    private void logits(String x, String embed) {
        if (options.lastLogitsOnly()) {
            x = sharedCache() ? lastRealPosition(x) : g.op("Slice", x, g.int64s(-1), g.int64s(Long.MAX_VALUE), g.int64s(1));
        }
        String rows = g.op("Reshape", x, g.int64s(-1, config.hiddenSize()));
        String product;
        if (options.quantizeLmHead()) {
            String name = config.tieWordEmbeddings() ? "model.embed_tokens.weight" : "lm_head.weight";
            product = quantizedMatMul(rows, "lm_head", weights.read(name, config.vocabSize(), config.hiddenSize()), config.vocabSize(),
                    config.hiddenSize());
        } else {
            String head = embed;
            if (!config.tieWordEmbeddings()) {
                head = g.weight("lm_head.weight", type, new long[] {config.vocabSize(), config.hiddenSize()},
                        weights.read("lm_head.weight", config.vocabSize(), config.hiddenSize()));
            }
            product = g.op("Gemm", List.of(rows, head), Attr.of("transB", 1L));
        }
        String shape = g.op("Concat", List.of(g.op("Shape", List.of(x), Attr.of("end", 2L)), g.int64s(config.vocabSize())),
                Attr.of("axis", 0L));
        String logits = g.op("Reshape", product, shape);
        if (type != DataType.FLOAT) {
            logits = cast(logits, DataType.FLOAT);
        }
        g.alias(logits, LOGITS);
    }

    private String cast(String x, DataType to) {
        return g.op("Cast", List.of(x), Attr.of("to", (long) to.getNumber()));
    }
}
