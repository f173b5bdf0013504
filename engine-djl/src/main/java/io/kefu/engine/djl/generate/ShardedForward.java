package io.kefu.engine.djl.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.core.Linear;
import io.kefu.runtime.format.DecoderLayout;
import io.kefu.runtime.format.HfModelConfig;
import io.kefu.engine.djl.model.DecoderModel;
import io.kefu.engine.djl.model.DecoderWeights;
import io.kefu.engine.djl.model.KvCache;
import io.kefu.engine.djl.model.RotaryTable;
import io.kefu.engine.djl.torch.GradMode;
import io.kefu.engine.djl.torch.Torch;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * The inference forward pass of a {@link DecoderModel} without LoRA, split into shards that run at
 * once on {@link ShardThreads}: attention by key/value heads, the MLP by intermediate rows, the
 * output head by vocabulary rows (as Megatron-LM splits a layer: q/k/v, gate and up by output
 * rows; o_proj and down_proj by input columns, so each shard's share is a partial sum of the
 * layer's output, added up when the shards join). Only the last position's logits are computed.
 *
 * <p>Made once per chat model: the shards' weights are views of the model's tensors (no copies),
 * and the threads wait parked between steps. {@link #close()} stops the threads. Each shard keeps
 * the key/value cache of its own heads: {@link #newCaches} makes one cache per attention shard.
 * Per head and per output element the arithmetic is the model's; only the partial sums of
 * o_proj and down_proj and the residual are added in another order (differences of the order of
 * fp32 rounding). Only fp32 weights are split: {@link #start} returns null for any other.
 */
public final class ShardedForward implements AutoCloseable {
    private final DecoderModel model;
    private final ShardThreads threads;
    private final NDManager views;
    private final NDArray eps;
    private final NDArray attentionScale;
    private final RotaryTable rope;  // the model's
    private final NDArray rotateHalf;
    private final Layer[] layers;
    private final NDArray finalNorm;
    private final NDArray[] head;
    private final int[] vocabFrom;
    private final int groups;
    private final int headDim;

    /** One layer: norms shared by all shards, and each shard's views. */
    private record Layer(NDArray inputNorm, NDArray postNorm, NDArray qNorm, NDArray kNorm, Attention[] attention, Mlp[] mlp) {
    }

    /** A shard's key/value heads: q, k, v rows, o_proj columns (o_proj's bias on shard 0 only). */
    private record Attention(int kvHeads, NDArray q, NDArray k, NDArray v, NDArray qBias, NDArray kBias, NDArray vBias,
                             NDArray o, NDArray oBias) {
    }

    /** A shard's intermediate rows: gate and up rows, down_proj columns (down_proj's bias on shard 0 only). */
    private record Mlp(NDArray gate, NDArray up, NDArray gateBias, NDArray upBias, NDArray down, NDArray downBias) {
    }

    /**
     * Splits the pass over as many threads as libtorch uses on the calling thread
     * ({@code kefu.djl.threads}, else one per core).
     *
     * @param parent the manager the views live under
     * @return the sharded pass, or null when the model cannot run it (a tensor that is not fp32)
     */
    public static ShardedForward start(DecoderModel model, NDManager parent) {
        return start(model, Torch.threads(), parent);
    }

    /** @return the pass split into {@code shards}, or null when the model cannot run it */
    static ShardedForward start(DecoderModel model, int shards, NDManager parent) {
        for (NDArray a : model.weights().all().values()) {
            if (a.getDataType() != DataType.FLOAT32) {
                return null;
            }
        }
        ShardThreads threads = ShardThreads.start(shards);
        try (GradMode noGrad = GradMode.off()) {
            return new ShardedForward(model, threads, parent);
        } catch (RuntimeException e) {
            threads.close();
            throw e;
        }
    }

    private ShardedForward(DecoderModel model, ShardThreads threads, NDManager parent) {
        this.model = model;
        this.threads = threads;
        this.views = parent.newSubManager();
        HfModelConfig config = model.config();
        DecoderWeights weights = model.weights();
        this.groups = config.groupSize();
        this.headDim = config.headDim();
        this.eps = views.create((float) config.rmsNormEps());
        this.attentionScale = views.create((float) (1.0 / Math.sqrt(headDim)));
        this.rope = model.rope();
        this.rotateHalf = rotateHalf(views, headDim);
        int n = threads.count();
        int[] kvFrom = split(config.numKeyValueHeads(), Math.min(n, config.numKeyValueHeads()));
        int[] interFrom = split(config.intermediateSize(), n);
        this.layers = new Layer[config.numHiddenLayers()];
        for (int i = 0; i < layers.length; i++) {
            String p = "model.layers." + i + ".";
            Attention[] attention = new Attention[kvFrom.length - 1];
            for (int s = 0; s < attention.length; s++) {
                long q0 = (long) kvFrom[s] * groups * headDim;
                long q1 = (long) kvFrom[s + 1] * groups * headDim;
                long k0 = (long) kvFrom[s] * headDim;
                long k1 = (long) kvFrom[s + 1] * headDim;
                attention[s] = new Attention(kvFrom[s + 1] - kvFrom[s],
                        rows(weights.get(module(i, "q_proj") + ".weight"), q0, q1), rows(weights.get(module(i, "k_proj") + ".weight"), k0, k1),
                        rows(weights.get(module(i, "v_proj") + ".weight"), k0, k1), rows(weights.find(module(i, "q_proj") + ".bias"), q0, q1),
                        rows(weights.find(module(i, "k_proj") + ".bias"), k0, k1), rows(weights.find(module(i, "v_proj") + ".bias"), k0, k1),
                        columns(weights.get(module(i, "o_proj") + ".weight"), q0, q1), s == 0 ? weights.find(module(i, "o_proj") + ".bias") : null);
            }
            Mlp[] mlp = new Mlp[n];
            for (int s = 0; s < n; s++) {
                long from = interFrom[s];
                long to = interFrom[s + 1];
                mlp[s] = new Mlp(rows(weights.get(module(i, "gate_proj") + ".weight"), from, to), rows(weights.get(module(i, "up_proj") + ".weight"), from, to),
                        rows(weights.find(module(i, "gate_proj") + ".bias"), from, to), rows(weights.find(module(i, "up_proj") + ".bias"), from, to),
                        columns(weights.get(module(i, "down_proj") + ".weight"), from, to), s == 0 ? weights.find(module(i, "down_proj") + ".bias") : null);
            }
            layers[i] = new Layer(weights.get(p + "input_layernorm.weight"), weights.get(p + "post_attention_layernorm.weight"),
                    weights.find(p + "self_attn.q_norm.weight"), weights.find(p + "self_attn.k_norm.weight"), attention, mlp);
        }
        this.finalNorm = weights.get("model.norm.weight");
        this.vocabFrom = split(config.vocabSize(), n);
        this.head = new NDArray[n];
        for (int s = 0; s < n; s++) {
            head[s] = rows(weights.outputHead(), vocabFrom[s], vocabFrom[s + 1]);
        }
    }

    /** @return the model this pass runs */
    DecoderModel model() {
        return model;
    }

    /** @return one empty cache per attention shard */
    KvCache[] newCaches(NDManager parent) {
        KvCache[] caches = new KvCache[layers[0].attention.length];
        for (int s = 0; s < caches.length; s++) {
            caches[s] = new KvCache(parent, layers.length);
        }
        return caches;
    }

    /**
     * Runs the layers on the lead thread, extending each shard's cache.
     *
     * @param ids token ids {@code [B, T]}, in the step's manager
     * @param positions position ids {@code [B, T]}
     * @param mask the additive mask {@code [B, 1, 1, T, S]}, or null where nothing is masked
     * @param caches from {@link #newCaches}
     * @param out {@code [B][vocab]} arrays to write the logits into
     * @return {@code out}, holding the logits at each row's last position
     */
    float[][] lastLogits(NDArray ids, NDArray positions, NDArray mask, KvCache[] caches, float[][] out) {
        long b = ids.getShape().get(0);
        long t = ids.getShape().get(1);
        NDArray x = model.embed(ids);
        NDArray[] angles = rope.angles(positions, x.getManager());
        NDArray[] partial = new NDArray[threads.count()];
        for (int li = 0; li < layers.length; li++) {
            Layer layer = layers[li];
            int index = li;
            NDArray before = x;
            NDArray h = rmsNorm(x, layer.inputNorm);
            threads.forEachShard(s -> partial[s] = s < layer.attention.length
                    ? kept(() -> withResidual(s, before, attention(index, layer, layer.attention[s], h, angles, mask, caches[s], b, t))) : null);
            NDArray mid = sum(partial);
            NDArray h2 = rmsNorm(mid, layer.postNorm);
            threads.forEachShard(s -> partial[s] = kept(() -> withResidual(s, mid, mlp(layer.mlp[s], h2))));
            x = sum(partial);
        }
        NDArray last = rmsNorm(x.get(":, -1, :"), finalNorm);
        threads.forEachShard(s -> {
            try (NDArray logits = Linear.linear(last, head[s]).singletonOrThrow()) {
                // read in place: no vocabulary-sized Java array per step
                FloatBuffer flat = logits.toByteBuffer(true).order(ByteOrder.nativeOrder()).asFloatBuffer();
                int width = vocabFrom[s + 1] - vocabFrom[s];
                for (int r = 0; r < b; r++) {
                    flat.get(r * width, out[r], vocabFrom[s], width);
                }
            }
        });
        return out;
    }

    /** Runs {@code work} on the lead thread. */
    <T> T onLead(Callable<T> work) {
        return threads.onLead(work);
    }

    private NDArray attention(int index, Layer layer, Attention a, NDArray h, NDArray[] angles, NDArray mask, KvCache cache, long b, long t) {
        int kvHeads = a.kvHeads;
        int qHeads = kvHeads * groups;
        NDArray q = linear(h, a.q, a.qBias).reshape(b, t, qHeads, headDim);
        NDArray k = linear(h, a.k, a.kBias).reshape(b, t, kvHeads, headDim);
        NDArray v = linear(h, a.v, a.vBias).reshape(b, t, kvHeads, headDim);
        if (layer.qNorm != null) {
            q = rmsNorm(q, layer.qNorm);
            k = rmsNorm(k, layer.kNorm);
        }
        q = rotate(q.transpose(0, 2, 1, 3), angles);
        k = rotate(k.transpose(0, 2, 1, 3), angles);
        NDArray[] kv = cache.append(index, k, v.transpose(0, 2, 1, 3));
        long s = kv[0].getShape().get(2);
        NDArray q5 = q.reshape(b, kvHeads, groups, t, headDim);
        NDArray k5 = kv[0].reshape(b, kvHeads, 1, s, headDim);
        NDArray v5 = kv[1].reshape(b, kvHeads, 1, s, headDim);
        NDArray scores = q5.matMul(k5.transpose(0, 1, 2, 4, 3)).mul(attentionScale);
        if (mask != null) {
            scores = scores.add(mask);
        }
        NDArray attended = scores.softmax(-1).matMul(v5)
                .reshape(b, qHeads, t, headDim).transpose(0, 2, 1, 3).reshape(b, t, (long) qHeads * headDim);
        return linear(attended, a.o, a.oBias);
    }

    private NDArray mlp(Mlp m, NDArray h) {
        NDArray gate = linear(h, m.gate, m.gateBias);
        NDArray up = linear(h, m.up, m.upBias);
        NDArray act = gate.mul(gate.getNDArrayInternal().sigmoid()).mul(up);
        return linear(act, m.down, m.downBias);
    }

    /** RoPE as {@link RotaryTable#apply} computes it, its {@code rotate_half} as one exact product with a signed permutation. */
    private NDArray rotate(NDArray x, NDArray[] angles) {
        return x.mul(angles[0]).add(x.matMul(rotateHalf).mul(angles[1]));
    }

    /** @return {@code R} {@code [d, d]} with {@code x R = rotate_half(x) = cat(-x2, x1)} */
    private static NDArray rotateHalf(NDManager manager, int d) {
        int half = d / 2;
        float[] r = new float[d * d];
        for (int i = 0; i < half; i++) {
            r[(i + half) * d + i] = -1;
            r[i * d + i + half] = 1;
        }
        return manager.create(r, new ai.djl.ndarray.types.Shape(d, d));
    }

    /**
     * Runs a shard's work in a scope of its own, which frees what the work made but its result (kept
     * by the step's manager). Without it, arrays made on a shard's thread from a cached key or value
     * (a reshape, a transpose) would belong to the cache's manager and keep every step's cache alive.
     */
    private static NDArray kept(Supplier<NDArray> work) {
        try (NDScope scope = new NDScope()) {
            NDArray out = work.get();
            NDScope.unregister(out);
            return out;
        }
    }

    /** Shard 0 adds the residual to its share, so the join adds one array fewer. */
    private static NDArray withResidual(int shard, NDArray residual, NDArray share) {
        return shard == 0 ? residual.add(share) : share;
    }

    private static NDArray sum(NDArray[] partial) {
        NDArray total = partial[0];
        for (int s = 1; s < partial.length && partial[s] != null; s++) {
            total = total.add(partial[s]);
        }
        return total;
    }

    private static NDArray linear(NDArray x, NDArray weight, NDArray bias) {
        return bias == null ? Linear.linear(x, weight).singletonOrThrow() : Linear.linear(x, weight, bias).singletonOrThrow();
    }

    private NDArray rmsNorm(NDArray x, NDArray weight) {
        NDArray variance = x.square().mean(new int[] {-1}, true);
        return x.div(variance.add(eps).sqrt()).mul(weight);
    }

    /** A view of rows {@code [from, to)} of a matrix or vector (null stays null). */
    private NDArray rows(NDArray a, long from, long to) {
        return a == null ? null : a.get(views, new NDIndex(from + ":" + to));
    }

    /** A view of columns {@code [from, to)} of a matrix. */
    private NDArray columns(NDArray a, long from, long to) {
        return a.get(views, new NDIndex(":, " + from + ":" + to));
    }

    private static String module(int layer, String projection) {
        return DecoderLayout.modulePath(layer, projection);
    }

    /** @return {@code parts + 1} boundaries cutting {@code total} into near-equal ranges */
    private static int[] split(int total, int parts) {
        int[] from = new int[parts + 1];
        for (int i = 0; i <= parts; i++) {
            from[i] = (int) ((long) total * i / parts);
        }
        return from;
    }

    @Override
    public void close() {
        threads.close();
        views.close();
    }
}
