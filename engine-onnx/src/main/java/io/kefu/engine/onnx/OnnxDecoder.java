package io.kefu.engine.onnx;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
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

/**
 * Decodes a batch with an {@link OnnxDecoderModel}. Between steps the key/value cache stays in
 * ONNX Runtime: each step's {@code present.*} outputs are passed straight back as the next step's
 * {@code past_key_values.*} inputs, and the previous step's outputs are released once the next
 * step has run. Only the inputs (a few ids per row) and the last position's logits cross into Java.
 *
 * <p>Rows are left-padded to the longest; pad positions are masked out and each row's position ids
 * start at 0 on its first real token. Rows may join a running batch: their prompts are prefilled
 * alone, then the two caches are merged through Java buffers (the shorter one left-padded with
 * zeros, rows stacked; the bytes are copied as they are, so fp16 caches stay fp16). Rows that leave
 * are cut out the same way, and positions that became padding in every remaining row are trimmed.
 * Not thread-safe.
 *
 * <p>Why one long class: the cache layout (padding, positions, tensor names and dtypes) is known
 * here only, and step, join, leave and trim each edit it; keeping them together keeps that layout
 * in one place.
 */
public final class OnnxDecoder implements JoinableDecoder {
    private static final long PAD_ID = 0;

    private final OnnxDecoderModel model;
    private Past past;                    // the cache fed to the next run; null while the batch is empty
    private long[][] mask = new long[0][]; // attention mask per row, as wide as the cache
    private long[] nextPosition = new long[0];
    private final LogitsRows logitsRows;
    private boolean closed;

    OnnxDecoder(OnnxDecoderModel model) {
        this.model = model;
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
        return mask.length;
    }

    @Override
    public float[][] join(int[][] promptIds) {
        check();
        int width = JoinableDecoder.longestPrompt(promptIds);
        int n = promptIds.length;
        long[] ids = new long[n * width];
        long[] positions = new long[n * width];
        long[][] newMask = new long[n][];
        long[] newNext = new long[n];
        for (int r = 0; r < n; r++) {
            int pad = width - promptIds[r].length;
            newMask[r] = new long[width];
            for (int i = 0; i < width; i++) {
                boolean real = i >= pad;
                ids[r * width + i] = real ? checkId(promptIds[r][i - pad], r, i - pad) : PAD_ID;
                positions[r * width + i] = real ? i - pad : 0;
                newMask[r][i] = real ? 1 : 0;
            }
            newNext[r] = promptIds[r].length;
        }
        OrtSession.Result result = run(ids, positions, newMask, width, null);
        Past prefilled = Past.of(result, model.layers());
        try {
            float[][] logits = lastLogits(result, n);
            if (past == null) {
                past = prefilled;
                mask = newMask;
                nextPosition = newNext;
                return logits;
            }
            int total = Math.max(mask[0].length, width);
            Past merged = Past.stack(model, past, mask[0].length, prefilled, width, total);
            past.close();
            past = merged;
            mask = concat(padFront(mask, total), padFront(newMask, total));
            nextPosition = concat(nextPosition, newNext);
            return logits;
        } finally {
            if (past != prefilled) {
                prefilled.close();
            }
        }
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
        long[] ids = new long[rows];
        long[] positions = new long[rows];
        long[][] grown = new long[rows][];
        for (int r = 0; r < rows; r++) {
            ids[r] = checkId(nextTokens[r], r, -1);
            positions[r] = nextPosition[r];
            grown[r] = Arrays.copyOf(mask[r], mask[r].length + 1);
            grown[r][grown[r].length - 1] = 1;
        }
        OrtSession.Result result = run(ids, positions, grown, 1, past);
        Past next = Past.of(result, model.layers());
        float[][] logits;
        try {
            logits = lastLogits(result, rows);
        } catch (RuntimeException e) {
            next.close();
            throw e;
        }
        past.close();
        past = next;
        mask = grown;
        for (int r = 0; r < rows; r++) {
            nextPosition[r]++;
        }
        return logits;
    }

    @Override
    public void retain(int[] keep) {
        check();
        if (keep.length == rows()) {
            return; // the indices ascend within the batch, so this is every row
        }
        if (keep.length == 0) {
            past.close();
            past = null;
            mask = new long[0][];
            nextPosition = new long[0];
            return;
        }
        int width = mask[0].length;
        int trim = width;
        for (int k : keep) {
            int pad = 0;
            while (pad < width && mask[k][pad] == 0) {
                pad++;
            }
            trim = Math.min(trim, pad);
        }
        Past selected = Past.select(model, past, width, keep, trim);
        past.close();
        past = selected;
        long[][] keptMask = new long[keep.length][];
        long[] keptNext = new long[keep.length];
        for (int i = 0; i < keep.length; i++) {
            keptMask[i] = Arrays.copyOfRange(mask[keep[i]], trim, width);
            keptNext[i] = nextPosition[keep[i]];
        }
        mask = keptMask;
        nextPosition = keptNext;
    }

    private long checkId(int id, int row, int index) {
        if (id < 0 || id >= model.vocabSize()) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "token id " + id + " (row " + row
                    + (index >= 0 ? ", position " + index : "") + ") is outside the vocabulary [0, " + model.vocabSize() + ")");
        }
        return id;
    }

    /** Runs the graph on new tokens after {@code cache} (an empty cache when null); the caller owns the result. */
    private OrtSession.Result run(long[] ids, long[] positions, long[][] rowMask, int width, Past cache) {
        int rows = rowMask.length;
        List<OnnxTensor> owned = new ArrayList<>();
        try {
            Map<String, OnnxTensor> inputs = new HashMap<>();
            inputs.put(OnnxDecoderModel.INPUT_IDS, own(owned, longs(ids, rows, width)));
            int total = rowMask[0].length;
            long[] flatMask = new long[rows * total];
            for (int r = 0; r < rows; r++) {
                System.arraycopy(rowMask[r], 0, flatMask, r * total, total);
            }
            inputs.put(OnnxDecoderModel.ATTENTION_MASK, own(owned, longs(flatMask, rows, total)));
            if (model.hasPositionIds()) {
                inputs.put(OnnxDecoderModel.POSITION_IDS, own(owned, longs(positions, rows, width)));
            }
            OnnxTensor empty = cache == null ? own(owned, emptyCache(rows)) : null;
            for (int layer = 0; layer < model.layers(); layer++) {
                for (String name : List.of(OnnxDecoderModel.pastKey(layer), OnnxDecoderModel.pastValue(layer))) {
                    inputs.put(name, cache == null ? empty : cache.get(name));
                }
            }
            return model.session().run(inputs);
        } catch (OrtException e) {
            throw new KefuException(ErrorCode.ENGINE_FAILURE, model.file() + ": ONNX Runtime failed to run the decoder: " + e.getMessage(), e);
        } finally {
            owned.forEach(OnnxTensor::close);
        }
    }

    private float[][] lastLogits(OrtSession.Result result, int rows) {
        OnnxValue value = result.get(OnnxDecoderModel.LOGITS).orElseThrow(() -> new KefuException(ErrorCode.ENGINE_FAILURE,
                model.file() + ": the decoder did not return logits"));
        OnnxTensor tensor = (OnnxTensor) value;
        // graphs may return every position (batch, width, vocab) or only the last (batch, 1, vocab)
        long positions = tensor.getInfo().getShape()[1];
        FloatBuffer logits = tensor.getFloatBuffer();
        int vocab = model.vocabSize();
        float[][] out = logitsRows.take(rows);
        for (int r = 0; r < rows; r++) {
            logits.position((int) ((r * positions + positions - 1) * vocab));
            logits.get(out[r]);
        }
        return out;
    }

    private OnnxTensor longs(long[] values, int r, int c) throws OrtException {
        return OnnxTensor.createTensor(model.env(), LongBuffer.wrap(values), new long[] {r, c});
    }

    private OnnxTensor emptyCache(int rows) throws OrtException {
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

    private static long[][] padFront(long[][] rows, int width) {
        long[][] out = new long[rows.length][];
        for (int r = 0; r < rows.length; r++) {
            out[r] = new long[width];
            System.arraycopy(rows[r], 0, out[r], width - rows[r].length, rows[r].length);
        }
        return out;
    }

    private static long[][] concat(long[][] a, long[][] b) {
        long[][] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static long[] concat(long[] a, long[] b) {
        long[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
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
            if (past != null) {
                past.close();
                past = null;
            }
        }
    }

    /**
     * The past keys and values fed to the next run, by input name ({@code past_key_values.*}):
     * either a run's {@code present.*} outputs, or tensors assembled in Java when rows joined or left.
     */
    private static final class Past implements AutoCloseable {
        private final Map<String, OnnxTensor> byInput;
        private final AutoCloseable owner;

        private Past(Map<String, OnnxTensor> byInput, AutoCloseable owner) {
            this.byInput = byInput;
            this.owner = owner;
        }

        /** The present outputs of a run, which the returned value now owns (closed here when they are missing). */
        static Past of(OrtSession.Result result, int layers) {
            Map<String, OnnxTensor> byInput = new HashMap<>();
            try {
                for (int layer = 0; layer < layers; layer++) {
                    byInput.put(OnnxDecoderModel.pastKey(layer), present(result, OnnxDecoderModel.presentKey(layer)));
                    byInput.put(OnnxDecoderModel.pastValue(layer), present(result, OnnxDecoderModel.presentValue(layer)));
                }
            } catch (RuntimeException e) {
                result.close();
                throw e;
            }
            return new Past(byInput, result);
        }

        private static OnnxTensor present(OrtSession.Result result, String name) {
            return (OnnxTensor) result.get(name).orElseThrow(() -> new KefuException(ErrorCode.ENGINE_FAILURE,
                    "the decoder did not return output '" + name + "'"));
        }

        OnnxTensor get(String input) {
            OnnxTensor tensor = byInput.get(input);
            if (tensor == null) {
                throw new KefuException(ErrorCode.ENGINE_FAILURE, "the decoder returned no present output for input '" + input + "'");
            }
            return tensor;
        }

        /**
         * The rows of {@code first} (length {@code firstLength}) then those of {@code second}, each
         * left-padded with zeros to {@code total} positions.
         */
        static Past stack(OnnxDecoderModel model, Past first, int firstLength, Past second, int secondLength, int total) {
            return assemble(model, first.byInput.keySet(), name -> {
                CacheBytes a = CacheBytes.of(first.get(name), model);
                CacheBytes b = CacheBytes.of(second.get(name), model);
                CacheBytes out = CacheBytes.allocate(a.rows + b.rows, total, model);
                for (int r = 0; r < a.rows; r++) {
                    out.copyRow(r, total - firstLength, a, r, 0, firstLength);
                }
                for (int r = 0; r < b.rows; r++) {
                    out.copyRow(a.rows + r, total - secondLength, b, r, 0, secondLength);
                }
                return out;
            });
        }

        /** The given rows of {@code past} (length {@code width}), without their first {@code trim} positions. */
        static Past select(OnnxDecoderModel model, Past past, int width, int[] rows, int trim) {
            return assemble(model, past.byInput.keySet(), name -> {
                CacheBytes in = CacheBytes.of(past.get(name), model);
                CacheBytes out = CacheBytes.allocate(rows.length, width - trim, model);
                for (int i = 0; i < rows.length; i++) {
                    out.copyRow(i, 0, in, rows[i], trim, width - trim);
                }
                return out;
            });
        }

        private interface Builder {
            CacheBytes build(String input) throws OrtException;
        }

        private static Past assemble(OnnxDecoderModel model, Iterable<String> inputs, Builder builder) {
            Map<String, OnnxTensor> byInput = new HashMap<>();
            List<OnnxTensor> tensors = new ArrayList<>();
            try {
                for (String name : inputs) {
                    OnnxTensor tensor = builder.build(name).toTensor(model);
                    tensors.add(tensor);
                    byInput.put(name, tensor);
                }
            } catch (OrtException | RuntimeException e) {
                tensors.forEach(OnnxTensor::close);
                throw new KefuException(ErrorCode.ENGINE_FAILURE, model.file() + ": cannot rebuild the key/value cache: " + e.getMessage(), e);
            }
            return new Past(byInput, () -> tensors.forEach(OnnxTensor::close));
        }

        @Override
        public void close() {
            try {
                owner.close();
            } catch (Exception e) {
                throw new KefuException(ErrorCode.ENGINE_FAILURE, "releasing the key/value cache failed: " + e.getMessage(), e);
            }
        }
    }

    /** The raw bytes of one cache tensor, {@code (rows, kv_heads, length, head_dim)}, in any element type. */
    private static final class CacheBytes {
        final ByteBuffer bytes;
        final int rows;
        final int length;
        final int heads;
        final int rowBytes; // bytes of one position of one head

        private CacheBytes(ByteBuffer bytes, int rows, int length, OnnxDecoderModel model) {
            this.bytes = bytes;
            this.rows = rows;
            this.length = length;
            this.heads = model.kvHeads();
            this.rowBytes = model.headDim() * (model.cacheType() == OnnxJavaType.FLOAT16 ? 2 : 4);
        }

        static CacheBytes of(OnnxTensor tensor, OnnxDecoderModel model) {
            long[] shape = tensor.getInfo().getShape();
            return new CacheBytes(tensor.getByteBuffer(), (int) shape[0], (int) shape[2], model);
        }

        static CacheBytes allocate(int rows, int length, OnnxDecoderModel model) {
            int size = rows * model.kvHeads() * length * model.headDim() * (model.cacheType() == OnnxJavaType.FLOAT16 ? 2 : 4);
            return new CacheBytes(ByteBuffer.allocateDirect(size).order(ByteOrder.nativeOrder()), rows, length, model);
        }

        /** Copies {@code count} positions of every head of {@code from}'s row into this row, at position {@code at}. */
        void copyRow(int row, int at, CacheBytes from, int fromRow, int fromPosition, int count) {
            for (int h = 0; h < heads; h++) {
                int src = ((fromRow * heads + h) * from.length + fromPosition) * rowBytes;
                int dst = ((row * heads + h) * length + at) * rowBytes;
                bytes.put(dst, from.bytes, src, count * rowBytes);
            }
        }

        OnnxTensor toTensor(OnnxDecoderModel model) throws OrtException {
            long[] shape = {rows, heads, length, rowBytes / (model.cacheType() == OnnxJavaType.FLOAT16 ? 2 : 4)};
            return OnnxTensor.createTensor(model.env(), bytes.rewind(), shape, model.cacheType());
        }
    }
}
