package io.kefu.engine.onnx;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.runtime.generate.JoinableDecoder;
import io.kefu.runtime.generate.LogitsRows;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Decodes a batch with a graph whose key/value cache is one buffer per layer that
 * {@code GroupQueryAttention} writes into in place (ONNX Runtime GenAI's
 * {@code past_present_share_buffer}). The buffers are Java direct memory, bound both as the
 * {@code past_key_values.*} inputs and as the pinned {@code present.*} outputs of every run, so a
 * step writes one new position per row and copies nothing else.
 *
 * <p>Each row's positions start at 0; its length is the number of ones at the front of its
 * attention mask (rows are ragged, never padded in front). Joining rows are prefilled together,
 * right-padded to the longest prompt, straight into the next free slots of the buffers (what a
 * padded position writes lies past its row's length, which the row's next step overwrites before
 * anything reads it); a row that leaves is overwritten by the rows after it moving up. The buffers grow (doubling rows or positions, copying what
 * the rows hold) only when a row needs more than they have. Not thread-safe.
 */
final class SharedCacheDecoder implements JoinableDecoder {
    private static final int MIN_POSITIONS = 64;
    private static final int MIN_ROWS = 4;

    private final OnnxDecoderModel model;
    private final int elementBytes;
    private final int positionBytes;          // one position of one head
    private ByteBuffer[] keys = new ByteBuffer[0];   // per layer: (rowCapacity, kv_heads, positionCapacity, head_dim)
    private ByteBuffer[] values = new ByteBuffer[0];
    private int rowCapacity;
    private int positionCapacity;
    private int[] lengths = new int[0];       // positions each row holds
    private ByteBuffer stepLogits;            // fp32 (rows, 1, vocab) a decoding step writes its logits into
    private final LogitsRows logitsRows;
    // a decoding step's past/present tensors over slots 0..stepRows-1 (key, value per layer), kept from step to step
    // while the rows and the buffers stay the same: making them is two native calls each
    private OnnxTensor[] stepTensors;
    private int stepRows;
    private boolean closed;

    SharedCacheDecoder(OnnxDecoderModel model) {
        this.model = model;
        this.elementBytes = model.cacheType() == OnnxJavaType.FLOAT16 ? 2 : 4;
        this.positionBytes = model.headDim() * elementBytes;
        this.logitsRows = new LogitsRows(model.vocabSize());
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
    public int rows() {
        return lengths.length;
    }

    @Override
    public float[][] join(int[][] promptIds) {
        check();
        int longest = JoinableDecoder.longestPrompt(promptIds);
        int rows = rows();
        int n = promptIds.length;
        long[] ids = new long[n * longest];
        long[] positions = new long[n * longest];
        long[] mask = new long[n * longest];
        int[] last = new int[n];
        for (int r = 0; r < n; r++) {
            for (int i = 0; i < promptIds[r].length; i++) {
                ids[r * longest + i] = checkId(promptIds[r][i], r, i);
                positions[r * longest + i] = i;
                mask[r * longest + i] = 1;
            }
            last[r] = promptIds[r].length - 1;
        }
        ensureCapacity(rows + n, Math.max(longest, maxLength()));
        // into the slots after the batch's rows: a failure leaves the rows there as they were
        float[][] logits = run(ids, positions, mask, n, longest, rows, last);
        int[] joined = Arrays.copyOf(lengths, rows + n);
        for (int r = 0; r < n; r++) {
            joined[rows + r] = promptIds[r].length;
        }
        lengths = joined;
        return logits;
    }

    @Override
    public float[][] step(int[] nextTokens) {
        check();
        int rows = rows();
        if (rows == 0) {
            throw new KefuException(ErrorCode.INTERNAL, "step with no rows in the batch");
        }
        if (nextTokens.length != rows) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "step got " + nextTokens.length + " tokens for a batch of " + rows + " rows");
        }
        int total = maxLength() + 1;
        ensureCapacity(rows, total);
        long[] ids = new long[rows];
        long[] positions = new long[rows];
        long[] mask = new long[rows * total];
        for (int r = 0; r < rows; r++) {
            ids[r] = checkId(nextTokens[r], r, -1);
            positions[r] = lengths[r];
            Arrays.fill(mask, r * total, r * total + lengths[r] + 1, 1L);
        }
        float[][] logits = run(ids, positions, mask, rows, 1, 0, new int[rows]);
        for (int r = 0; r < rows; r++) {
            lengths[r]++;
        }
        return logits;
    }

    @Override
    public void retain(int[] keep) {
        check();
        int[] kept = new int[keep.length];
        for (int i = 0; i < keep.length; i++) {
            if (keep[i] != i) {
                for (int layer = 0; layer < keys.length; layer++) {
                    moveRow(keys[layer], keep[i], i);
                    moveRow(values[layer], keep[i], i);
                }
            }
            kept[i] = lengths[keep[i]];
        }
        lengths = kept;
    }

    private void moveRow(ByteBuffer buffer, int from, int to) {
        int rowBytes = model.kvHeads() * positionCapacity * positionBytes;
        buffer.put(to * rowBytes, buffer, from * rowBytes, rowBytes);
    }

    private int maxLength() {
        int longest = 0;
        for (int length : lengths) {
            longest = Math.max(longest, length);
        }
        return longest;
    }

    /** Grows the buffers (doubling) until they hold {@code rows} rows of {@code positions} positions, keeping every row's cache. */
    private void ensureCapacity(int rows, int positions) {
        if (rows <= rowCapacity && positions <= positionCapacity) {
            return;
        }
        int newRows = Math.max(rowCapacity, MIN_ROWS);
        while (newRows < rows) {
            newRows *= 2;
        }
        int newPositions = Math.max(positionCapacity, MIN_POSITIONS);
        while (newPositions < positions) {
            newPositions *= 2;
        }
        newPositions = Math.max(positions, Math.min(newPositions, model.maxSequenceLength())); // no longer than a row may grow
        long bytes = (long) newRows * model.kvHeads() * newPositions * positionBytes;
        if (bytes > Integer.MAX_VALUE) {
            throw new KefuException(ErrorCode.ENGINE_FAILURE, model.file() + ": a key/value cache of " + newRows + " rows x "
                    + newPositions + " positions would take " + bytes + " bytes per layer, over the 2 GiB a buffer can hold;"
                    + " decode fewer rows together (BatchingOptions) or shorter sequences");
        }
        int layers = model.layers();
        ByteBuffer[] newKeys = new ByteBuffer[layers];
        ByteBuffer[] newValues = new ByteBuffer[layers];
        for (int layer = 0; layer < layers; layer++) {
            newKeys[layer] = ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.nativeOrder());
            newValues[layer] = ByteBuffer.allocateDirect((int) bytes).order(ByteOrder.nativeOrder());
            if (layer < keys.length) {
                copyRows(keys[layer], newKeys[layer], newPositions);
                copyRows(values[layer], newValues[layer], newPositions);
            }
        }
        releaseStepTensors();
        keys = newKeys;
        values = newValues;
        rowCapacity = newRows;
        positionCapacity = newPositions;
    }

    private void copyRows(ByteBuffer from, ByteBuffer to, int newPositions) {
        for (int r = 0; r < lengths.length; r++) {
            for (int h = 0; h < model.kvHeads(); h++) {
                int head = r * model.kvHeads() + h;
                to.put(head * newPositions * positionBytes, from, head * positionCapacity * positionBytes, lengths[r] * positionBytes);
            }
        }
    }

    /**
     * Runs the graph on {@code width} new tokens for each of {@code rows} slots from {@code firstRow},
     * their caches bound as past and present at once; returns the logits at each row's new token
     * {@code last[row]}.
     */
    private float[][] run(long[] ids, long[] positions, long[] mask, int rows, int width, int firstRow, int[] last) {
        List<OnnxTensor> owned = new ArrayList<>();
        try {
            Map<String, OnnxTensor> inputs = new HashMap<>();
            Map<String, OnnxTensor> pinned = new HashMap<>();
            inputs.put(OnnxDecoderModel.INPUT_IDS, own(owned, longs(ids, rows, width)));
            inputs.put(OnnxDecoderModel.ATTENTION_MASK, own(owned, longs(mask, rows, mask.length / rows)));
            if (model.hasPositionIds()) {
                inputs.put(OnnxDecoderModel.POSITION_IDS, own(owned, longs(positions, rows, width)));
            }
            OnnxTensor[] caches = width == 1 && firstRow == 0 ? stepTensors(rows) : null;
            for (int layer = 0; layer < model.layers(); layer++) {
                OnnxTensor key = caches != null ? caches[2 * layer] : own(owned, slots(keys[layer], firstRow, rows));
                OnnxTensor value = caches != null ? caches[2 * layer + 1] : own(owned, slots(values[layer], firstRow, rows));
                inputs.put(OnnxDecoderModel.pastKey(layer), key);
                inputs.put(OnnxDecoderModel.pastValue(layer), value);
                pinned.put(OnnxDecoderModel.presentKey(layer), key);
                pinned.put(OnnxDecoderModel.presentValue(layer), value);
            }
            if (width == 1 && model.logitsType() == OnnxJavaType.FLOAT) {
                // a decoding step: the logits go straight into a buffer of ours, read once
                FloatBuffer out = stepLogits(rows);
                pinned.put(OnnxDecoderModel.LOGITS, own(owned, OnnxTensor.createTensor(model.env(), out,
                        new long[] {rows, 1, model.vocabSize()})));
                try (OrtSession.Result result = model.session().run(inputs, Set.of(), pinned)) {
                    return rowsAt(out, 1, last);
                }
            }
            try (OrtSession.Result result = model.session().run(inputs, Set.of(OnnxDecoderModel.LOGITS), pinned)) {
                return logits(result, last);
            }
        } catch (OrtException e) {
            throw new KefuException(ErrorCode.ENGINE_FAILURE, model.file() + ": ONNX Runtime failed to run the decoder: " + e.getMessage(), e);
        } finally {
            owned.forEach(OnnxTensor::close);
        }
    }

    /**
     * Each row's logits at its new token {@code last[row]}: the graph's only position when it returns
     * one per row (it picks each row's last real token itself), else that position.
     */
    private float[][] logits(OrtSession.Result result, int[] last) {
        OnnxTensor tensor = (OnnxTensor) result.get(OnnxDecoderModel.LOGITS).orElseThrow(() -> new KefuException(
                ErrorCode.ENGINE_FAILURE, model.file() + ": the decoder did not return logits"));
        return rowsAt(tensor.getFloatBuffer(), tensor.getInfo().getShape()[1], last);
    }

    /** @return from {@code (rows, positions, vocab)} logits each row's at {@code last[row]}, or at the only position */
    private float[][] rowsAt(FloatBuffer all, long positions, int[] last) {
        int vocab = model.vocabSize();
        float[][] out = logitsRows.take(last.length);
        for (int r = 0; r < last.length; r++) {
            all.position((int) ((r * positions + (positions == 1 ? 0 : last[r])) * vocab));
            all.get(out[r]);
        }
        return out;
    }

    /** @return a direct buffer of {@code rows x vocab} floats for a step's logits, grown when a batch needs more */
    private FloatBuffer stepLogits(int rows) {
        int bytes = rows * model.vocabSize() * Float.BYTES;
        if (stepLogits == null || stepLogits.capacity() < bytes) {
            stepLogits = ByteBuffer.allocateDirect(bytes).order(ByteOrder.nativeOrder());
        }
        return stepLogits.slice(0, bytes).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /** @return the key and value tensors of every layer over slots {@code 0 .. rows - 1}, made again when the rows changed */
    private OnnxTensor[] stepTensors(int rows) throws OrtException {
        if (stepTensors != null && stepRows == rows) {
            return stepTensors;
        }
        releaseStepTensors();
        OnnxTensor[] made = new OnnxTensor[2 * model.layers()];
        try {
            for (int layer = 0; layer < model.layers(); layer++) {
                made[2 * layer] = slots(keys[layer], 0, rows);
                made[2 * layer + 1] = slots(values[layer], 0, rows);
            }
        } catch (OrtException | RuntimeException e) {
            Arrays.stream(made).filter(Objects::nonNull).forEach(OnnxTensor::close);
            throw e;
        }
        stepTensors = made;
        stepRows = rows;
        return made;
    }

    private void releaseStepTensors() {
        if (stepTensors != null) {
            Arrays.stream(stepTensors).forEach(OnnxTensor::close);
            stepTensors = null;
        }
    }

    /** A tensor over slots {@code firstRow .. firstRow + rows - 1} of a buffer, sharing its memory. */
    private OnnxTensor slots(ByteBuffer buffer, int firstRow, int rows) throws OrtException {
        int rowBytes = model.kvHeads() * positionCapacity * positionBytes;
        ByteBuffer view = buffer.slice(firstRow * rowBytes, rows * rowBytes).order(ByteOrder.nativeOrder());
        return OnnxTensor.createTensor(model.env(), view, new long[] {rows, model.kvHeads(), positionCapacity, model.headDim()},
                model.cacheType());
    }

    private OnnxTensor longs(long[] values, int rows, int columns) throws OrtException {
        return OnnxTensor.createTensor(model.env(), LongBuffer.wrap(values), new long[] {rows, columns});
    }

    private static OnnxTensor own(List<OnnxTensor> owned, OnnxTensor tensor) {
        owned.add(tensor);
        return tensor;
    }

    private long checkId(int id, int row, int index) {
        if (id < 0 || id >= model.vocabSize()) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "token id " + id + " (row " + row
                    + (index >= 0 ? ", position " + index : "") + ") is outside the vocabulary [0, " + model.vocabSize() + ")");
        }
        return id;
    }

    private void check() {
        if (closed) {
            throw new KefuException(ErrorCode.CLOSED, "the ONNX decoder was closed");
        }
        model.checkOpen();
    }

    /** Releases the cache buffers; idempotent. */
    @Override
    public void close() {
        closed = true;
        releaseStepTensors();
        keys = new ByteBuffer[0];
        values = new ByteBuffer[0];
        lengths = new int[0];
        stepLogits = null;
    }
}
