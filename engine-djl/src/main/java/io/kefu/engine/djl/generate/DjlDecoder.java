package io.kefu.engine.djl.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.runtime.generate.JoinableDecoder;
import io.kefu.runtime.generate.LogitsRows;
import io.kefu.engine.djl.torch.GradMode;
import io.kefu.engine.djl.lora.LoraWeights;
import io.kefu.engine.djl.model.DecoderModel;
import io.kefu.engine.djl.model.KvCache;
import io.kefu.engine.djl.model.Masks;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * Decodes a left-padded batch with a key/value cache. Each row's positions start at 0 on its
 * first real token and its padding is masked out, so a row decodes as it would alone. Forward
 * passes run with grad mode off on the calling thread, so any thread may decode.
 *
 * <p>Rows may join a running batch: new prompts are prefilled into a cache of their own, then the
 * two caches are merged (the shorter left-padded with zeros, rows stacked), and each row's padding
 * grows by what was added in front of it. Rows that leave are cut out of the cache, and positions
 * that became padding in every remaining row are trimmed. Not thread-safe.
 *
 * <p>The forward pass is {@link DecoderModel}'s on the calling thread, or a {@link ShardedForward}
 * split over its own threads, with one cache per attention shard.
 */
public final class DjlDecoder implements JoinableDecoder {
    private final DecoderModel model;
    private final LoraWeights lora;
    private final NDManager manager;
    private final ShardedForward sharded;  // null for the model's own pass
    private final LogitsRows logitsRows;
    private KvCache[] cache;               // one per attention shard (one without sharding); null while the batch is empty
    private int[] padding = new int[0];    // leading cache positions of each row that are padding
    private int[] nextPosition = new int[0];
    private boolean closed;

    /**
     * Decodes with the model's own pass on the calling thread.
     *
     * @param model the forward pass
     * @param lora an adapter applied without merging, or null
     */
    public DjlDecoder(DecoderModel model, LoraWeights lora, NDManager parent) {
        this.model = model;
        this.lora = lora;
        this.sharded = null;
        this.manager = parent.newSubManager();
        this.logitsRows = new LogitsRows(model.config().vocabSize());
    }

    /**
     * Decodes with a sharded pass (no LoRA). Several decoders may share it, on any threads (their
     * passes take turns); it stays open when this decoder closes.
     */
    public DjlDecoder(ShardedForward sharded, NDManager parent) {
        this.model = sharded.model();
        this.lora = null;
        this.sharded = sharded;
        this.manager = parent.newSubManager();
        this.logitsRows = new LogitsRows(model.config().vocabSize());
    }

    @Override
    public int vocabSize() {
        return model.config().vocabSize();
    }

    @Override
    public int maxSequenceLength() {
        return model.maxPositions();
    }

    @Override
    public int rows() {
        return padding.length;
    }

    @Override
    public float[][] join(int[][] promptIds) {
        check();
        int t = JoinableDecoder.longestPrompt(promptIds);
        int b = promptIds.length;
        if (t > model.maxPositions()) {
            throw new KefuException(ErrorCode.INVALID_REQUEST, "prompt of " + t + " tokens exceeds the model's "
                    + model.maxPositions() + " positions");
        }
        int[] newPadding = new int[b];
        int[] newNext = new int[b];
        long[] ids = new long[b * t];
        long[] pos = new long[b * t];
        for (int r = 0; r < b; r++) {
            int pad = t - promptIds[r].length;
            newPadding[r] = pad;
            newNext[r] = promptIds[r].length;
            for (int i = 0; i < t; i++) {
                ids[r * t + i] = i < pad ? 0 : promptIds[r][i - pad];
                pos[r * t + i] = Math.max(0, i - pad);
            }
        }
        KvCache[] fresh = sharded != null ? sharded.newCaches(manager) : new KvCache[] {new KvCache(manager, model.config().numHiddenLayers())};
        try {
            float[][] logits = forward(ids, pos, b, t, fresh, newPadding);
            if (cache == null) {
                cache = fresh;
                padding = newPadding;
                nextPosition = newNext;
                return logits;
            }
            KvCache[] merged = engineCall(() -> concatRows(cache, fresh), "merging the caches of joining rows");
            long length = merged[0].length();
            int[] oldPadding = padding.clone();
            for (int r = 0; r < oldPadding.length; r++) {
                oldPadding[r] += (int) (length - cache[0].length());
            }
            for (int r = 0; r < b; r++) {
                newPadding[r] += (int) (length - fresh[0].length());
            }
            close(fresh);
            close(cache);
            cache = merged;
            padding = concat(oldPadding, newPadding);
            nextPosition = concat(nextPosition, newNext);
            return logits;
        } catch (RuntimeException e) {
            if (fresh != cache) {
                close(fresh);
            }
            throw e;
        }
    }

    @Override
    public float[][] step(int[] nextTokens) {
        check();
        int b = rows();
        if (b == 0) {
            throw new KefuException(ErrorCode.INTERNAL, "step called with no rows in the batch");
        }
        if (nextTokens.length != b) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "step got " + nextTokens.length + " tokens for a batch of " + b + " rows");
        }
        long[] ids = new long[b];
        long[] pos = new long[b];
        for (int r = 0; r < b; r++) {
            ids[r] = nextTokens[r];
            pos[r] = Math.min(nextPosition[r]++, model.maxPositions() - 1);
        }
        return forward(ids, pos, b, 1, cache, padding);
    }

    @Override
    public void retain(int[] keep) {
        check();
        if (keep.length == rows()) {
            return; // the indices ascend within the batch, so this is every row
        }
        if (keep.length == 0) {
            close(cache);
            cache = null;
            padding = new int[0];
            nextPosition = new int[0];
            return;
        }
        long[] rowsKept = new long[keep.length];
        int[] keptPadding = new int[keep.length];
        int[] keptNext = new int[keep.length];
        int trim = Integer.MAX_VALUE;
        for (int i = 0; i < keep.length; i++) {
            rowsKept[i] = keep[i];
            keptPadding[i] = padding[keep[i]];
            keptNext[i] = nextPosition[keep[i]];
            trim = Math.min(trim, keptPadding[i]);
        }
        long from = trim;
        KvCache[] selected = engineCall(() -> select(cache, rowsKept, from), "dropping rows from the cache");
        for (int i = 0; i < keep.length; i++) {
            keptPadding[i] -= trim;
        }
        close(cache);
        cache = selected;
        padding = keptPadding;
        nextPosition = keptNext;
    }

    private float[][] forward(long[] ids, long[] pos, int b, int t, KvCache[] kv, int[] pads) {
        if (sharded == null) {
            return forwardAlone(ids, pos, b, t, kv[0], pads);
        }
        try {
            return sharded.onLead(() -> {
                try (GradMode noGrad = GradMode.off(); NDScope scope = new NDScope(); NDManager step = manager.newSubManager()) {
                    NDArray input = step.create(ids, new Shape(b, t));
                    NDArray positions = step.create(pos, new Shape(b, t));
                    // one new position and no padding: every cached position is seen, nothing to mask
                    NDArray mask = t == 1 && Arrays.stream(pads).allMatch(p -> p == 0) ? null : Masks.leftPadded(step, pads, kv[0].length(), t);
                    return sharded.lastLogits(input, positions, mask, kv, logitsRows.take(b));
                }
            });
        } catch (KefuException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new KefuException(ErrorCode.ENGINE_FAILURE, "decoding failed: " + e.getMessage(), e);
        }
    }

    private float[][] forwardAlone(long[] ids, long[] pos, int b, int t, KvCache kv, int[] pads) {
        try (GradMode noGrad = GradMode.off(); NDScope scope = new NDScope(); NDManager step = manager.newSubManager()) {
            NDArray input = step.create(ids, new Shape(b, t));
            NDArray positions = step.create(pos, new Shape(b, t));
            NDArray mask = Masks.leftPadded(step, pads, kv.length(), t);
            NDArray hidden = model.hidden(input, positions, mask, kv, lora, false);
            NDArray last = hidden.get(":, -1, :");
            float[][] out = logitsRows.take(b);
            FloatBuffer flat = model.logits(last).toByteBuffer(true).order(ByteOrder.nativeOrder()).asFloatBuffer();
            int v = vocabSize();
            for (int r = 0; r < b; r++) {
                flat.get(r * v, out[r], 0, v);
            }
            return out;
        } catch (KefuException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new KefuException(ErrorCode.ENGINE_FAILURE, "decoding failed: " + e.getMessage(), e);
        }
    }

    private <T> T engineCall(Supplier<T> call, String what) {
        try (GradMode noGrad = GradMode.off()) {
            return sharded == null ? call.get() : sharded.onLead(call::get);
        } catch (KefuException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new KefuException(ErrorCode.ENGINE_FAILURE, what + " failed: " + e.getMessage(), e);
        }
    }

    private KvCache[] concatRows(KvCache[] first, KvCache[] second) {
        KvCache[] out = new KvCache[first.length];
        try {
            for (int s = 0; s < out.length; s++) {
                out[s] = KvCache.concatRows(first[s], second[s], manager);
            }
            return out;
        } catch (RuntimeException e) {
            close(out);
            throw e;
        }
    }

    private KvCache[] select(KvCache[] caches, long[] rows, long from) {
        KvCache[] out = new KvCache[caches.length];
        try {
            for (int s = 0; s < out.length; s++) {
                out[s] = caches[s].select(rows, from, manager);
            }
            return out;
        } catch (RuntimeException e) {
            close(out);
            throw e;
        }
    }

    private static void close(KvCache[] caches) {
        for (KvCache c : caches) {
            if (c != null) {
                c.close();
            }
        }
    }

    private static int[] concat(int[] a, int[] b) {
        int[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private void check() {
        if (closed) {
            throw new KefuException(ErrorCode.CLOSED, "the decoder was closed");
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            manager.close();
        }
    }
}
