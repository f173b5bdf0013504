package io.kefu.engine.djl.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Linear;
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
    private final Layer[] layers;

    /** The weights of one decoder layer, looked up once. */
    private record Layer(int index, NDArray inputNorm, NDArray postNorm, NDArray qNorm, NDArray kNorm,
                         String[] modules, NDArray[] weights, NDArray[] biases) {
    }

    /**
     * @param weights the model's weights (not owned: the caller closes them after this model)
     * @param maxPositions positions the RoPE table covers; longer sequences fail
     */
    public DecoderModel(DecoderWeights weights, int maxPositions) {
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
            NDArray[] w = new NDArray[projections.length];
            NDArray[] b = new NDArray[projections.length];
            for (int j = 0; j < projections.length; j++) {
                modules[j] = DecoderLayout.modulePath(i, projections[j]);
                w[j] = weights.get(modules[j] + ".weight");
                b[j] = weights.find(modules[j] + ".bias");
            }
            layers[i] = new Layer(i, weights.get(p + "input_layernorm.weight"), weights.get(p + "post_attention_layernorm.weight"),
                    weights.find(p + "self_attn.q_norm.weight"), weights.find(p + "self_attn.k_norm.weight"), modules, w, b);
        }
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
        NDArray table = weights.get(EMBEDDING);
        return table.getNDArrayInternal().embedding(ids, table, SparseFormat.DENSE).singletonOrThrow();
    }

    /**
     * Runs the decoder layers on embeddings, as {@link #hidden} does on token ids.
     *
     * @param x token embeddings {@code [B, T, hidden]}
     * @return the final-normed hidden states {@code [B, T, hidden]}
     */
    public NDArray layers(NDArray x, NDArray positions, NDArray mask, KvCache cache, LoraWeights lora, boolean training) {
        long b = x.getShape().get(0);
        long t = x.getShape().get(1);
        int heads = config.numAttentionHeads();
        int kvHeads = config.numKeyValueHeads();
        int groups = config.groupSize();
        int d = config.headDim();
        for (Layer layer : layers) {
            NDArray h = rmsNorm(x, layer.inputNorm);
            NDArray q = project(layer, 0, h, lora, training).reshape(b, t, heads, d);
            NDArray k = project(layer, 1, h, lora, training).reshape(b, t, kvHeads, d);
            NDArray v = project(layer, 2, h, lora, training).reshape(b, t, kvHeads, d);
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
            NDArray scores = q5.matMul(k5.transpose(0, 1, 2, 4, 3)).mul(attentionScale);
            if (mask != null) {
                scores = scores.add(mask);
            }
            NDArray attended = scores.softmax(-1).matMul(v5)
                    .reshape(b, heads, t, d).transpose(0, 2, 1, 3).reshape(b, t, (long) heads * d);
            x = x.add(project(layer, 3, attended, lora, training));
            h = rmsNorm(x, layer.postNorm);
            NDArray gate = project(layer, 4, h, lora, training);
            NDArray up = project(layer, 5, h, lora, training);
            NDArray act = gate.mul(gate.getNDArrayInternal().sigmoid()).mul(up);
            x = x.add(project(layer, 6, act, lora, training));
        }
        return rmsNorm(x, weights.get("model.norm.weight"));
    }

    /** @return logits {@code [..., vocab]} of hidden states {@code [..., hidden]} */
    public NDArray logits(NDArray hidden) {
        return Linear.linear(hidden, weights.outputHead()).singletonOrThrow();
    }

    private NDArray project(Layer layer, int which, NDArray x, LoraWeights lora, boolean training) {
        NDArray bias = layer.biases[which];
        NDArray y = bias == null ? Linear.linear(x, layer.weights[which]).singletonOrThrow()
                : Linear.linear(x, layer.weights[which], bias).singletonOrThrow();
        return lora == null ? y : lora.addUpdate(layer.modules[which], x, y, training);
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
