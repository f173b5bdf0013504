package io.kefu.engine.djl.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.kefu.runtime.format.Dtype;
import io.kefu.runtime.quant.HalfPrecision;
import io.kefu.runtime.quant.Nf4Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.util.stream.IntStream;

/**
 * A frozen weight as it is stored, and how it becomes the fp32 array the forward pass computes
 * with. Only {@link Fp32} is stored as that array; the compact forms are widened on use, into arrays
 * owned by the caller's manager, so a model holds its base small and one layer at a time in fp32.
 *
 * <p>Raw bf16 bits and NF4 are widened in Java (libtorch's CPU build, through DJL 0.36, aborts the
 * JVM on any bfloat16 or int16 array); fp16 is a FLOAT16 array widened by libtorch. Compact arrays
 * live in memory libtorch owns (or a mapped checkpoint file), never in Java's heap or direct-buffer
 * budget, and widened arrays are written in place through a view of their native memory.
 */
public sealed interface FrozenTensor {
    /** @return the tensor's shape */
    long[] shape();

    /** @return bytes the stored form occupies */
    long storageBytes();

    /** @return whether {@link #widen} returns the stored array itself rather than a new one */
    default boolean resident() {
        return false;
    }

    /** @return the fp32 values: the stored array for {@link Fp32}, otherwise a new array owned by {@code manager} */
    NDArray widen(NDManager manager);

    /**
     * @return the values in fp16, for fp16 matrix products: always a new array owned by {@code manager}
     *     (a value beyond fp16's range becomes infinite, as a cast in PyTorch does)
     */
    default NDArray half(NDManager manager) {
        NDArray wide = widen(manager);
        NDArray half = wide.toType(DataType.FLOAT16, true);
        half.attach(manager);
        if (!resident()) {
            wide.close();
        }
        return half;
    }

    /**
     * @return rows {@code [from, to)} of a matrix in fp32 (a view for {@link Fp32}, otherwise a new
     *     array owned by {@code manager})
     */
    NDArray widenRows(NDManager manager, long from, long to);

    /**
     * As {@link #widenRows(NDManager, long, long)}, but a compact form that is widened in Java writes
     * into {@code scratch} (a contiguous fp32 {@code [at least to - from, columns]} array) and returns a view of
     * it, so that a loop over slices allocates nothing. The caller closes what is returned.
     *
     * @param scratch where the values may be written, or null
     */
    default NDArray widenRows(NDManager manager, long from, long to, NDArray scratch) {
        return widenRows(manager, from, to);
    }

    /** @return the rows of a matrix at {@code ids}, in fp32, {@code [ids.length, columns]}, owned by {@code manager} */
    NDArray gatherRows(NDManager manager, long[] ids);

    /** @return the values as a Java array, for saving or exporting */
    default float[] floats() {
        try (NDManager m = manager().newSubManager()) {
            return widen(m).toFloatArray();
        }
    }

    /** @return the manager that owns the stored form */
    NDManager manager();

    /** Frees the stored form. */
    void close();

    /** An fp32 array. */
    record Fp32(NDArray array) implements FrozenTensor {
        @Override
        public long[] shape() {
            return array.getShape().getShape();
        }

        @Override
        public long storageBytes() {
            return 4 * array.size();
        }

        @Override
        public boolean resident() {
            return true;
        }

        @Override
        public NDArray widen(NDManager manager) {
            return array;
        }

        @Override
        public NDArray widenRows(NDManager manager, long from, long to) {
            return array.get(new NDIndex("{}:{}", from, to));
        }

        @Override
        public NDArray gatherRows(NDManager manager, long[] ids) {
            return array.get(manager.create(ids));
        }

        @Override
        public float[] floats() {
            return array.toFloatArray();
        }

        @Override
        public NDManager manager() {
            return array.getManager();
        }

        @Override
        public void close() {
            array.close();
        }
    }

    /** An IEEE half array. */
    record Fp16(NDArray array) implements FrozenTensor {
        @Override
        public long[] shape() {
            return array.getShape().getShape();
        }

        @Override
        public long storageBytes() {
            return 2 * array.size();
        }

        @Override
        public NDArray widen(NDManager manager) {
            return widened(array, manager);
        }

        @Override
        public NDArray half(NDManager manager) {
            NDArray copy = array.duplicate();
            copy.attach(manager);
            return copy;
        }

        @Override
        public NDArray widenRows(NDManager manager, long from, long to) {
            try (NDArray rows = array.get(new NDIndex("{}:{}", from, to))) {
                return widened(rows, manager);
            }
        }

        @Override
        public NDArray gatherRows(NDManager manager, long[] ids) {
            try (NDArray at = manager.create(ids); NDArray rows = array.get(at)) {
                return widened(rows, manager);
            }
        }

        private static NDArray widened(NDArray half, NDManager manager) {
            NDArray wide = half.toType(DataType.FLOAT32, true);
            wide.attach(manager);
            return wide;
        }

        @Override
        public NDManager manager() {
            return array.getManager();
        }

        @Override
        public void close() {
            array.close();
        }
    }

    /** bfloat16 bit patterns, little-endian, in a byte array (a mapped checkpoint region or a converted copy). */
    record Bf16(NDArray bytes, long[] shape) implements FrozenTensor {
        /** Pairs of values one parallel task widens. */
        private static final int WIDEN_TASK = 1 << 19;
        /** Pairs of values a task converts between bulk copies. */
        private static final int WIDEN_CHUNK = 1 << 13;

        @Override
        public long storageBytes() {
            return bytes.size();
        }

        @Override
        public NDArray widen(NDManager manager) {
            return widenRange(manager, 0, bytes.size() / 2, shape);
        }

        @Override
        public NDArray widenRows(NDManager manager, long from, long to) {
            long columns = shape[1];
            return widenRange(manager, from * columns, to * columns, new long[] {to - from, columns});
        }

        @Override
        public NDArray widenRows(NDManager manager, long from, long to, NDArray scratch) {
            if (scratch == null) {
                return widenRows(manager, from, to);
            }
            long columns = shape[1];
            Shape rows = scratch.getShape();
            if (scratch.getDataType() != DataType.FLOAT32 || rows.dimension() != 2 || rows.get(1) != columns
                    || rows.get(0) < to - from) {
                throw new IllegalArgumentException("scratch " + rows + " " + scratch.getDataType()
                        + " cannot hold " + (to - from) + " rows of " + columns + " floats");
            }
            widenInto(scratch, from * columns, to * columns);
            return scratch.get(new NDIndex("0:{}", to - from));
        }

        @Override
        public NDArray gatherRows(NDManager manager, long[] ids) {
            long columns = shape[1];
            NDArray out = manager.create(new Shape(ids.length, columns), DataType.FLOAT32);
            FloatBuffer target = floatsOf(out);
            ByteBuffer raw = bytes.toByteBuffer(true);
            for (long id : ids) {
                int at = Math.toIntExact(2 * id * columns);
                HalfPrecision.widen(raw.duplicate().position(at).limit(at + Math.toIntExact(2 * columns)), Dtype.BF16, target);
            }
            return out;
        }

        private NDArray widenRange(NDManager manager, long fromElement, long toElement, long[] outShape) {
            NDArray out = manager.create(new Shape(outShape), DataType.FLOAT32);
            widenInto(out, fromElement, toElement);
            return out;
        }

        /** Writes the fp32 values of elements {@code [fromElement, toElement)} at the start of {@code out}. */
        private void widenInto(NDArray out, long fromElement, long toElement) {
            ByteBuffer raw = bytes.toByteBuffer(true).order(ByteOrder.LITTLE_ENDIAN);
            IntBuffer target = out.toByteBuffer(true).order(ByteOrder.nativeOrder()).asIntBuffer();
            int count = Math.toIntExact(toElement - fromElement);
            int from = Math.toIntExact(fromElement);
            if (count == 0) {
                return;
            }
            // bf16 is the upper half of the fp32 pattern. Values are read in pairs, one int each, so that
            // every operation is on ints (the JIT vectorizes those); an unpaired first or last value alone
            int lead = from % 2;
            if (lead == 1) {
                target.put(0, widened(raw, from));
            }
            int pairs = (count - lead) / 2;
            if (lead + 2 * pairs < count) {
                target.put(count - 1, widened(raw, from + count - 1));
            }
            IntBuffer pairBits = raw.duplicate().position(2 * (from + lead)).slice().order(ByteOrder.LITTLE_ENDIAN).asIntBuffer();
            IntStream.range(0, (pairs + WIDEN_TASK - 1) / WIDEN_TASK).parallel().forEach(task -> {
                int[] in = new int[WIDEN_CHUNK];
                int[] full = new int[2 * WIDEN_CHUNK];
                int end = Math.min(pairs, (task + 1) * WIDEN_TASK);
                for (int a = task * WIDEN_TASK; a < end; a += WIDEN_CHUNK) {
                    int n = Math.min(WIDEN_CHUNK, end - a);
                    pairBits.get(a, in, 0, n);
                    for (int i = 0; i < n; i++) {
                        full[2 * i] = in[i] << 16;
                        full[2 * i + 1] = in[i] & 0xFFFF0000;
                    }
                    target.put(lead + 2 * a, full, 0, 2 * n);
                }
            });
        }

        private static int widened(ByteBuffer raw, int element) {
            return (raw.getShort(2 * element) & 0xFFFF) << 16;
        }

        @Override
        public NDManager manager() {
            return bytes.getManager();
        }

        @Override
        public void close() {
            bytes.close();
        }
    }

    /** 4-bit NormalFloat blocks (QLoRA): the packed codes in a byte array libtorch owns, the block statistics in the heap. */
    record Nf4(Nf4Tensor tensor, NDArray codes) implements FrozenTensor {
        @Override
        public long[] shape() {
            return tensor.shape();
        }

        @Override
        public long storageBytes() {
            return tensor.storageBytes();
        }

        @Override
        public NDArray widen(NDManager target) {
            NDArray out = target.create(new Shape(tensor.shape()), DataType.FLOAT32);
            tensor.dequantizeInto(floatsOf(out));
            return out;
        }

        @Override
        public NDArray widenRows(NDManager target, long from, long to) {
            return widen(target).get(new NDIndex("{}:{}", from, to));
        }

        @Override
        public NDArray gatherRows(NDManager target, long[] ids) {
            return widen(target).get(target.create(ids));
        }

        @Override
        public NDManager manager() {
            return codes.getManager();
        }

        @Override
        public void close() {
            codes.close();
        }
    }

    /** @return a writable view of an fp32 array's native memory */
    private static FloatBuffer floatsOf(NDArray array) {
        return array.toByteBuffer(true).order(ByteOrder.nativeOrder()).asFloatBuffer();
    }
}
