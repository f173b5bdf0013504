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
import java.nio.ShortBuffer;
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
     * @return rows {@code [from, to)} of a matrix in fp32 (a view for {@link Fp32}, otherwise a new
     *     array owned by {@code manager})
     */
    NDArray widenRows(NDManager manager, long from, long to);

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
        /** Values one parallel task widens. */
        private static final int WIDEN_TASK = 1 << 20;
        /** Values a task converts between bulk copies. */
        private static final int WIDEN_CHUNK = 1 << 14;

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
            ShortBuffer raw = bytes.toByteBuffer(true).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer();
            IntBuffer target = out.toByteBuffer(true).order(ByteOrder.nativeOrder()).asIntBuffer();
            int count = Math.toIntExact(toElement - fromElement);
            int from = Math.toIntExact(fromElement);
            IntStream.range(0, (count + WIDEN_TASK - 1) / WIDEN_TASK).parallel().forEach(task -> {
                // bf16 is the upper half of the fp32 pattern: bulk copies and an int shift the JIT vectorizes
                short[] half = new short[WIDEN_CHUNK];
                int[] full = new int[WIDEN_CHUNK];
                int end = Math.min(count, (task + 1) * WIDEN_TASK);
                for (int a = task * WIDEN_TASK; a < end; a += WIDEN_CHUNK) {
                    int n = Math.min(WIDEN_CHUNK, end - a);
                    raw.get(from + a, half, 0, n);
                    for (int i = 0; i < n; i++) {
                        full[i] = (half[i] & 0xFFFF) << 16;
                    }
                    target.put(a, full, 0, n);
                }
            });
            return out;
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
