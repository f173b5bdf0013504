package io.kefu.engine.djl.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Linear;
import io.kefu.engine.djl.torch.Casts;
import io.kefu.engine.djl.torch.Torch;
import io.kefu.runtime.format.DecoderLayout;
import io.kefu.runtime.format.HfModelConfig;
import io.kefu.engine.djl.lora.LoraWeights;

/**
 * The forward pass of Llama, Qwen 2 and Qwen 3 decoders in fp32, written with NDArray ops the way
 * transformers' {@code modeling_llama}, {@code modeling_qwen2} and {@code modeling_qwen3} compute it:
 * RMSNorm, rotary embeddings with {@code rotate_half}, grouped-query attention, SwiGLU MLP,
 * optional q/k/v biases (Qwen 2) and per-head q/k RMSNorm (Qwen 3).
 *
 * <p>Scalars that take part in a computation are 0-d arrays owned by this object: DJL frees the
 * temporary array it makes for {@code mul(Number)} before the backward pass reads it.
 *
 * <p>Weights stored compact ({@link WeightStorage}) are widened to fp32 a layer at a time and
 * released after the layer (an autograd graph that needs them keeps them until its backward pass);
 * the embedding table is read row by row and a compact output head in slices of the vocabulary.
 *
 * <p>{@link #withFp16Products()} gives a model over the same weights whose matrix products (the
 * projections, LoRA's two products, attention's two products) run in fp16, as under PyTorch's
 * autocast: their operands are cast to fp16 and their results back to fp32, so that RMSNorm,
 * rotary embeddings, biases, softmax, residual additions, SwiGLU, the output head and the loss stay
 * fp32. Casts are part of the autograd graph, so gradients reach fp32 LoRA weights.
 */
public final class DecoderModel implements AutoCloseable {
    /** The name of the token embedding table, {@code [vocab, hidden]}. */
    public static final String EMBEDDING = "model.embed_tokens.weight";

    private final DecoderWeights weights;
    private final HfModelConfig config;
    private final NDManager constants;
    private final NDArray eps;
    private final NDArray attentionScale;
    private final RotaryTable rope;
    /** Vocabulary rows of a compact output head widened together: 8192 x 4096 floats are 128 MiB. */
    static final int HEAD_ROWS = 8192;

    private final Layer[] layers;
    private final int headRows;
    /** The dtype matrix products run in: FLOAT32, or FLOAT16 for mixed precision. */
    private final DataType products;

    /** The weights of one decoder layer, looked up once. */
    private record Layer(int index, NDArray inputNorm, NDArray postNorm, NDArray qNorm, NDArray kNorm,
                         String[] modules, FrozenTensor[] weights, NDArray[] biases) {
    }

    /**
     * @param weights the model's weights (not owned: the caller closes them after this model)
     * @param maxPositions positions the RoPE table covers; longer sequences fail
     */
    public DecoderModel(DecoderWeights weights, int maxPositions) {
        this(weights, maxPositions, HEAD_ROWS);
    }

    /** @param headRows vocabulary rows of a compact output head widened together */
    DecoderModel(DecoderWeights weights, int maxPositions, int headRows) {
        this(weights, maxPositions, headRows, DataType.FLOAT32);
    }

    private DecoderModel(DecoderWeights weights, int maxPositions, int headRows, DataType products) {
        this.headRows = headRows;
        this.products = products;
        this.weights = weights;
        this.config = weights.config();
        this.constants = weights.manager().newSubManager();
        this.eps = constants.create((float) config.rmsNormEps());
        this.attentionScale = constants.create((float) (1.0 / Math.sqrt(config.headDim())));
        this.rope = new RotaryTable(constants, config, Math.min(maxPositions, config.maxPositionEmbeddings()));
        this.layers = new Layer[config.numHiddenLayers()];
        String[] projections = {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"};
        for (int i = 0; i < layers.length; i++) {
            String p = "model.layers." + i + ".";
            String[] modules = new String[projections.length];
            FrozenTensor[] w = new FrozenTensor[projections.length];
            NDArray[] b = new NDArray[projections.length];
            for (int j = 0; j < projections.length; j++) {
                modules[j] = DecoderLayout.modulePath(i, projections[j]);
                w[j] = weights.frozen(modules[j] + ".weight");
                b[j] = weights.find(modules[j] + ".bias");
            }
            layers[i] = new Layer(i, weights.get(p + "input_layernorm.weight"), weights.get(p + "post_attention_layernorm.weight"),
                    weights.find(p + "self_attn.q_norm.weight"), weights.find(p + "self_attn.k_norm.weight"), modules, w, b);
        }
    }

    /**
     * @return a model over the same weights whose matrix products run in fp16 (see the class
     *     comment); close it before this one's weights
     */
    public DecoderModel withFp16Products() {
        return new DecoderModel(weights, rope.positions(), headRows, DataType.FLOAT16);
    }

    /** @return whether matrix products run in fp16 */
    public boolean fp16Products() {
        return products == DataType.FLOAT16;
    }

    /** @return the config */
    public HfModelConfig config() {
        return config;
    }

    /** @return the weights */
    public DecoderWeights weights() {
        return weights;
    }

    /** @return the RoPE table the layers use */
    public RotaryTable rope() {
        return rope;
    }

    /** @return how many positions a sequence may span */
    public int maxPositions() {
        return rope.positions();
    }

    /**
     * Runs the decoder layers.
     *
     * @param ids token ids {@code [B, T]} (int64)
     * @param positions position ids {@code [B, T]} (int64)
     * @param mask additive attention mask broadcastable to {@code [B, kv_heads, groups, T, S]}, or null
     *     for none (S counts cached plus new positions)
     * @param cache the key/value cache to read and extend, or null
     * @param lora LoRA weights to add, or null
     * @param training whether LoRA dropout is active
     * @return the final-normed hidden states {@code [B, T, hidden]}
     */
    public NDArray hidden(NDArray ids, NDArray positions, NDArray mask, KvCache cache, LoraWeights lora, boolean training) {
        return layers(embed(ids), positions, mask, cache, lora, training);
    }

    /** @return the embeddings {@code [B, T, hidden]} of token ids {@code [B, T]} (int64) */
    public NDArray embed(NDArray ids) {
        FrozenTensor table = weights.frozen(EMBEDDING);
        if (table.resident()) {
            NDArray array = table.widen(null);
            return array.getNDArrayInternal().embedding(ids, array, SparseFormat.DENSE).singletonOrThrow();
        }
        long[] shape = ids.getShape().getShape();
        return table.gatherRows(ids.getManager(), ids.toLongArray()).reshape(shape[0], shape[1], config.hiddenSize());
    }

    /** @return the number of decoder layers */
    public int layerCount() {
        return layers.length;
    }

    /**
     * @return one dropout seed per layer, drawn from libtorch's generator: a training pass seeds each
     *     layer with its own, so that a layer recomputed later (gradient checkpointing) draws the
     *     same dropout masks as its first pass
     */
    public int[] dropoutSeeds(NDManager manager) {
        try (NDArray seeds = manager.randomInteger(0, Integer.MAX_VALUE, new Shape(layers.length), DataType.INT32)) {
            return seeds.toIntArray();
        }
    }

    /**
     * Runs the decoder layers on embeddings, as {@link #hidden} does on token ids.
     *
     * @param x token embeddings {@code [B, T, hidden]}
     * @return the final-normed hidden states {@code [B, T, hidden]}
     */
    public NDArray layers(NDArray x, NDArray positions, NDArray mask, KvCache cache, LoraWeights lora, boolean training) {
        int[] seeds = training ? dropoutSeeds(x.getManager()) : null;
        for (int i = 0; i < layers.length; i++) {
            if (seeds != null) {
                Torch.engine().setRandomSeed(seeds[i]);
            }
            x = layer(i, x, positions, mask, cache, lora, training);
        }
        return finalNorm(x);
    }

    /**
     * Runs one decoder layer.
     *
     * @param index the layer
     * @param x its input {@code [B, T, hidden]}
     * @return its output {@code [B, T, hidden]}, before the final norm
     */
    public NDArray layer(int index, NDArray x, NDArray positions, NDArray mask, KvCache cache, LoraWeights lora, boolean training) {
        Layer layer = layers[index];
        NDArray[] w = new NDArray[layer.weights.length];
        boolean half = fp16Products();
        for (int j = 0; j < w.length; j++) {
            FrozenTensor weight = layer.weights[j];
            if (!half) {
                w[j] = weight.widen(x.getManager());
            } else if (weight.resident()) {
                // an fp32 weight may be trained (full fine-tuning): cast inside the graph
                w[j] = Casts.to(weight.widen(x.getManager()), DataType.FLOAT16);
            } else {
                w[j] = weight.half(x.getManager());
            }
        }
        try {
            return layer(layer, w, x, positions, mask, cache, lora, training);
        } finally {
            // a graph that saved a widened weight for its backward pass keeps its own reference
            for (int j = 0; j < w.length; j++) {
                if (half || !layer.weights[j].resident()) {
                    w[j].close();
                }
            }
        }
    }

    private NDArray layer(Layer layer, NDArray[] w, NDArray x, NDArray positions, NDArray mask, KvCache cache, LoraWeights lora,
                          boolean training) {
        long b = x.getShape().get(0);
        long t = x.getShape().get(1);
        int heads = config.numAttentionHeads();
        int kvHeads = config.numKeyValueHeads();
        int groups = config.groupSize();
        int d = config.headDim();
        NDArray h = rmsNorm(x, layer.inputNorm);
        NDArray q = project(layer, w, 0, h, lora, training).reshape(b, t, heads, d);
        NDArray k = project(layer, w, 1, h, lora, training).reshape(b, t, kvHeads, d);
        NDArray v = project(layer, w, 2, h, lora, training).reshape(b, t, kvHeads, d);
        if (layer.qNorm != null) {
            q = rmsNorm(q, layer.qNorm);
            k = rmsNorm(k, layer.kNorm);
        }
        q = rope.apply(q.transpose(0, 2, 1, 3), positions);
        k = rope.apply(k.transpose(0, 2, 1, 3), positions);
        v = v.transpose(0, 2, 1, 3);
        if (cache != null) {
            NDArray[] kv = cache.append(layer.index, k, v);
            k = kv[0];
            v = kv[1];
        }
        long s = k.getShape().get(2);
        NDArray q5 = q.reshape(b, kvHeads, groups, t, d);
        NDArray k5 = k.reshape(b, kvHeads, 1, s, d);
        NDArray v5 = v.reshape(b, kvHeads, 1, s, d);
        NDArray scores = product(q5, k5.transpose(0, 1, 2, 4, 3)).mul(attentionScale);
        if (mask != null) {
            scores = scores.add(mask);
        }
        NDArray attended = product(scores.softmax(-1), v5)
                .reshape(b, heads, t, d).transpose(0, 2, 1, 3).reshape(b, t, (long) heads * d);
        x = x.add(project(layer, w, 3, attended, lora, training));
        h = rmsNorm(x, layer.postNorm);
        NDArray gate = project(layer, w, 4, h, lora, training);
        NDArray up = project(layer, w, 5, h, lora, training);
        NDArray act = gate.mul(gate.getNDArrayInternal().sigmoid()).mul(up);
        return x.add(project(layer, w, 6, act, lora, training));
    }

    /** @return the final RMSNorm of the last layer's output */
    public NDArray finalNorm(NDArray x) {
        return rmsNorm(x, weights.get("model.norm.weight"));
    }

    /** @return whether the output head is an fp32 array, so that autograd can run through {@link #logits} */
    public boolean headResident() {
        return weights.frozen(weights.outputHeadName()).resident();
    }

    /** @return whether the output head is an fp32 array that takes a gradient (full fine-tuning) */
    public boolean headTrained() {
        return headResident() && weights.outputHead().hasGradient();
    }

    /**
     * @return logits {@code [..., vocab]} of hidden states {@code [..., hidden]}; a compact head is
     *     widened a slice of the vocabulary at a time and each slice's logits written into place, outside
     *     any autograd graph (training goes through {@link #targetLogProbs} instead)
     */
    public NDArray logits(NDArray hidden) {
        FrozenTensor head = weights.frozen(weights.outputHeadName());
        if (head.resident()) {
            return Linear.linear(hidden, head.widen(null)).singletonOrThrow();
        }
        long vocab = head.shape()[0];
        long[] shape = hidden.getShape().getShape();
        shape[shape.length - 1] = vocab;
        NDManager manager = hidden.getManager();
        NDArray logits = manager.create(new Shape(shape), DataType.FLOAT32);
        try (NDArray scratch = manager.create(new Shape(Math.min(vocab, headRows), head.shape()[1]), DataType.FLOAT32)) {
            for (long from = 0; from < vocab; from += headRows) {
                long to = Math.min(vocab, from + headRows);
                try (NDArray slice = head.widenRows(manager, from, to, scratch); NDArray part = Linear.linear(hidden, slice).singletonOrThrow()) {
                    logits.set(new NDIndex("..., {}:{}", from, to), part);
                }
            }
        }
        return logits;
    }

    /**
     * The log-probability of each hidden row's target token, computed a slice of the vocabulary at a
     * time without a graph ({@link TargetLogProbs}); with {@code expectation} ready to give the
     * gradient of the hidden rows.
     *
     * @param hidden final-normed hidden rows {@code [rows, hidden]}, without a graph
     * @param targets each row's target token
     */
    public TargetLogProbs targetLogProbs(NDArray hidden, long[] targets, boolean expectation) {
        return TargetLogProbs.compute(weights.frozen(weights.outputHeadName()), headRows, hidden, targets, expectation);
    }

    private NDArray project(Layer layer, NDArray[] w, int which, NDArray x, LoraWeights lora, boolean training) {
        NDArray bias = layer.biases[which];
        NDArray y;
        if (fp16Products()) {
            // the bias is added in fp32, after the product
            y = Casts.to(Linear.linear(Casts.to(x, DataType.FLOAT16), w[which]).singletonOrThrow(), DataType.FLOAT32);
            if (bias != null) {
                y = y.add(bias);
            }
        } else {
            y = bias == null ? Linear.linear(x, w[which]).singletonOrThrow() : Linear.linear(x, w[which], bias).singletonOrThrow();
        }
        return lora == null ? y : lora.addUpdate(layer.modules[which], x, y, training, products);
    }

    /** @return {@code a.matMul(b)}, in fp16 when products run in fp16, as fp32 */
    private NDArray product(NDArray a, NDArray b) {
        if (!fp16Products()) {
            return a.matMul(b);
        }
        return Casts.to(Casts.to(a, DataType.FLOAT16).matMul(Casts.to(b, DataType.FLOAT16)), DataType.FLOAT32);
    }

    private NDArray rmsNorm(NDArray x, NDArray weight) {
        NDArray variance = x.square().mean(new int[] {-1}, true);
        return x.div(variance.add(eps).sqrt()).mul(weight);
    }

    @Override
    public void close() {
        constants.close();
    }
}
