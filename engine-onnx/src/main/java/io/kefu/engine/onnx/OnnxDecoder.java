package io.kefu.engine.onnx;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.core.generate.Decoder;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes one batch with an {@link OnnxDecoderModel}. The key/value cache never leaves ONNX
 * Runtime: each step's {@code present.*} outputs are passed straight back as the next step's
 * {@code past_key_values.*} inputs, and the previous step's outputs are released once the next
 * step has run. Only the inputs (a few ids per row) and the last position's logits cross into Java.
 *
 * <p>Rows are left-padded to the longest prompt; pad positions are masked out and each row's
 * position ids start at 0 on its first real token. Not thread-safe.
 */
public final class OnnxDecoder implements Decoder {
    private static final long PAD_ID = 0;

    private final OnnxDecoderModel model;
    private OrtSession.Result cache;      // holds present.* of the last run
    private long[][] mask;                // attention mask per row, grows by one each step
    private long[] nextPosition;          // position id of each row's next token
    private int rows;
    private boolean closed;

    OnnxDecoder(OnnxDecoderModel model) {
        this.model = model;
    }

    @Override
    public int vocabSize() {
        return model.vocabSize();
    }

    @Override
    public int maxSequenceLength() {
        return model.maxSequenceLength();
    }

    @Override
    public float[][] prefill(int[][] promptIds) {
        check();
        if (cache != null) {
            throw new KefuException(ErrorCode.INTERNAL, "prefill was already called on this decoder; make a new one per batch");
        }
        if (promptIds.length == 0) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "prefill needs at least one prompt");
        }
        rows = promptIds.length;
        int width = 0;
        for (int r = 0; r < rows; r++) {
            if (promptIds[r].length == 0) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "prompt " + r + " is empty");
            }
            width = Math.max(width, promptIds[r].length);
        }
        long[] ids = new long[rows * width];
        long[] positions = new long[rows * width];
        mask = new long[rows][];
        nextPosition = new long[rows];
        for (int r = 0; r < rows; r++) {
            int pad = width - promptIds[r].length;
            mask[r] = new long[width];
            for (int i = 0; i < width; i++) {
                boolean real = i >= pad;
                ids[r * width + i] = real ? checkId(promptIds[r][i - pad], r, i - pad) : PAD_ID;
                positions[r * width + i] = real ? i - pad : 0;
                mask[r][i] = real ? 1 : 0;
            }
            nextPosition[r] = promptIds[r].length;
        }
        return run(ids, positions, width, true);
    }

    @Override
    public float[][] step(int[] nextTokens) {
        check();
        if (cache == null) {
            throw new KefuException(ErrorCode.INTERNAL, "step before prefill");
        }
        if (nextTokens.length != rows) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "step got " + nextTokens.length + " tokens for a batch of " + rows + " rows");
        }
        long[] ids = new long[rows];
        long[] positions = new long[rows];
        for (int r = 0; r < rows; r++) {
            ids[r] = checkId(nextTokens[r], r, -1);
            positions[r] = nextPosition[r]++;
            long[] grown = java.util.Arrays.copyOf(mask[r], mask[r].length + 1);
            grown[grown.length - 1] = 1;
            mask[r] = grown;
        }
        return run(ids, positions, 1, false);
    }

    private long checkId(int id, int row, int index) {
        if (id < 0 || id >= model.vocabSize()) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "token id " + id + " (row " + row
                    + (index >= 0 ? ", position " + index : "") + ") is outside the vocabulary [0, " + model.vocabSize() + ")");
        }
        return id;
    }

    private float[][] run(long[] ids, long[] positions, int width, boolean first) {
        List<OnnxTensor> owned = new ArrayList<>();
        OrtSession.Result result;
        try {
            Map<String, OnnxTensor> inputs = new HashMap<>();
            inputs.put(OnnxDecoderModel.INPUT_IDS, own(owned, longs(ids, rows, width)));
            int total = mask[0].length;
            long[] flatMask = new long[rows * total];
            for (int r = 0; r < rows; r++) {
                System.arraycopy(mask[r], 0, flatMask, r * total, total);
            }
            inputs.put(OnnxDecoderModel.ATTENTION_MASK, own(owned, longs(flatMask, rows, total)));
            if (model.hasPositionIds()) {
                inputs.put(OnnxDecoderModel.POSITION_IDS, own(owned, longs(positions, rows, width)));
            }
            OnnxTensor empty = first ? own(owned, emptyCache()) : null;
            for (int layer = 0; layer < model.layers(); layer++) {
                inputs.put(OnnxDecoderModel.pastKey(layer), first ? empty : present(OnnxDecoderModel.presentKey(layer)));
                inputs.put(OnnxDecoderModel.pastValue(layer), first ? empty : present(OnnxDecoderModel.presentValue(layer)));
            }
            result = model.session().run(inputs);
        } catch (OrtException e) {
            throw new KefuException(ErrorCode.ENGINE_FAILURE, model.file() + ": ONNX Runtime failed to run the decoder: " + e.getMessage(), e);
        } finally {
            owned.forEach(OnnxTensor::close);
        }
        if (cache != null) {
            cache.close();
        }
        cache = result;
        return lastLogits(result);
    }

    private OnnxTensor present(String name) {
        return (OnnxTensor) cache.get(name).orElseThrow(() -> new KefuException(ErrorCode.ENGINE_FAILURE,
                model.file() + ": the decoder did not return output '" + name + "'"));
    }

    private float[][] lastLogits(OrtSession.Result result) {
        OnnxValue value = result.get(OnnxDecoderModel.LOGITS).orElseThrow(() -> new KefuException(ErrorCode.ENGINE_FAILURE,
                model.file() + ": the decoder did not return logits"));
        OnnxTensor tensor = (OnnxTensor) value;
        // graphs may return every position (batch, width, vocab) or only the last (batch, 1, vocab)
        long positions = tensor.getInfo().getShape()[1];
        FloatBuffer logits = tensor.getFloatBuffer();
        int vocab = model.vocabSize();
        float[][] out = new float[rows][vocab];
        for (int r = 0; r < rows; r++) {
            logits.position((int) ((r * positions + positions - 1) * vocab));
            logits.get(out[r]);
        }
        return out;
    }

    private OnnxTensor longs(long[] values, int r, int c) throws OrtException {
        return OnnxTensor.createTensor(model.env(), LongBuffer.wrap(values), new long[] {r, c});
    }

    private OnnxTensor emptyCache() throws OrtException {
        long[] shape = {rows, model.kvHeads(), 0, model.headDim()};
        if (model.cacheType() == OnnxJavaType.FLOAT16) {
            return OnnxTensor.createTensor(model.env(), ByteBuffer.allocateDirect(0).order(ByteOrder.nativeOrder()), shape, OnnxJavaType.FLOAT16);
        }
        return OnnxTensor.createTensor(model.env(), FloatBuffer.allocate(0), shape);
    }

    private static OnnxTensor own(List<OnnxTensor> owned, OnnxTensor tensor) {
        owned.add(tensor);
        return tensor;
    }

    private void check() {
        if (closed) {
            throw new KefuException(ErrorCode.CLOSED, "the ONNX decoder was closed");
        }
        model.checkOpen();
    }

    /** Releases the cache; idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            if (cache != null) {
                cache.close();
                cache = null;
            }
        }
    }
}
