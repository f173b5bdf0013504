package io.kefu.engine.djl.generate;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.core.generate.Decoder;
import io.kefu.engine.djl.GradMode;
import io.kefu.engine.djl.lora.LoraWeights;
import io.kefu.engine.djl.model.DecoderModel;
import io.kefu.engine.djl.model.KvCache;
import io.kefu.engine.djl.model.Masks;

/**
 * Decodes a left-padded batch with a key/value cache. Each row's positions start at 0 on its
 * first real token and its padding is masked out, so a row decodes as it would alone. Forward
 * passes run with grad mode off on the calling thread, so any thread may decode.
 */
public final class DjlDecoder implements Decoder {
    private final DecoderModel model;
    private final LoraWeights lora;
    private final NDManager manager;
    private final KvCache cache;
    private int[] padding;
    private int[] nextPosition;
    private boolean closed;

    /**
     * @param model the forward pass
     * @param lora an adapter applied without merging, or null
     */
    public DjlDecoder(DecoderModel model, LoraWeights lora, NDManager parent) {
        this.model = model;
        this.lora = lora;
        this.manager = parent.newSubManager();
        this.cache = new KvCache(manager, model.config().numHiddenLayers());
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
    public float[][] prefill(int[][] promptIds) {
        if (padding != null) {
            throw new KefuException(ErrorCode.INTERNAL, "prefill called twice on one decoder");
        }
        int b = promptIds.length;
        int t = 0;
        for (int[] row : promptIds) {
            if (row.length == 0) {
                throw new KefuException(ErrorCode.INVALID_REQUEST, "an empty prompt cannot be decoded");
            }
            t = Math.max(t, row.length);
        }
        if (t > model.maxPositions()) {
            throw new KefuException(ErrorCode.INVALID_REQUEST, "prompt of " + t + " tokens exceeds the model's "
                    + model.maxPositions() + " positions");
        }
        padding = new int[b];
        nextPosition = new int[b];
        long[] ids = new long[b * t];
        long[] pos = new long[b * t];
        for (int r = 0; r < b; r++) {
            int pad = t - promptIds[r].length;
            padding[r] = pad;
            nextPosition[r] = promptIds[r].length;
            for (int i = 0; i < t; i++) {
                ids[r * t + i] = i < pad ? 0 : promptIds[r][i - pad];
                pos[r * t + i] = Math.max(0, i - pad);
            }
        }
        return run(ids, pos, b, t);
    }

    @Override
    public float[][] step(int[] nextTokens) {
        if (padding == null) {
            throw new KefuException(ErrorCode.INTERNAL, "step called before prefill");
        }
        int b = padding.length;
        long[] ids = new long[b];
        long[] pos = new long[b];
        for (int r = 0; r < b; r++) {
            ids[r] = nextTokens[r];
            pos[r] = Math.min(nextPosition[r]++, model.maxPositions() - 1);
        }
        return run(ids, pos, b, 1);
    }

    private float[][] run(long[] ids, long[] pos, int b, int t) {
        try (GradMode noGrad = GradMode.off(); NDScope scope = new NDScope(); NDManager step = manager.newSubManager()) {
            NDArray input = step.create(ids, new Shape(b, t));
            NDArray positions = step.create(pos, new Shape(b, t));
            NDArray mask = Masks.leftPadded(step, padding, cache.length(), t);
            NDArray hidden = model.hidden(input, positions, mask, cache, lora, false);
            NDArray last = hidden.get(":, -1, :");
            float[] flat = model.logits(last).toFloatArray();
            int v = vocabSize();
            float[][] out = new float[b][v];
            for (int r = 0; r < b; r++) {
                System.arraycopy(flat, r * v, out[r], 0, v);
            }
            return out;
        } catch (KefuException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new KefuException(ErrorCode.ENGINE_FAILURE, "decoding failed: " + e.getMessage(), e);
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
