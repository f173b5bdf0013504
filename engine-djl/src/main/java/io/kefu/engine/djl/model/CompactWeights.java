package io.kefu.engine.djl.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.kefu.runtime.format.Dtype;
import io.kefu.runtime.quant.HalfPrecision;
import io.kefu.runtime.quant.Nf4Tensor;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Turns frozen weights kept in a compact form into the fp32 NDArrays the forward pass computes
 * with, one layer at a time, so only that layer exists in fp32. NF4 blocks and raw bf16 bits are
 * widened in Java (libtorch's CPU build aborts the JVM on any bfloat16 array); fp16 is kept as a
 * FLOAT16 NDArray, which is fine for storage, and widened with {@code toType} (fp16 matmul on the
 * CPU is about 150 times slower than fp32, so it is never computed in).
 */
public final class CompactWeights {
    private CompactWeights() {
    }

    /** @return the dequantized fp32 array of an NF4 tensor, owned by {@code manager} */
    public static NDArray widen(NDManager manager, Nf4Tensor tensor) {
        ByteBuffer buffer = manager.allocateDirect(4 * tensor.elementCount()).order(ByteOrder.nativeOrder());
        tensor.dequantizeInto(buffer.asFloatBuffer());
        return manager.create(buffer, new Shape(tensor.shape()), DataType.FLOAT32);
    }

    /** @return the fp32 arrays of one layer's NF4 tensors, by name, owned by {@code manager} */
    public static Map<String, NDArray> widenLayer(NDManager manager, Map<String, Nf4Tensor> layer) {
        Map<String, NDArray> out = new LinkedHashMap<>();
        layer.forEach((name, tensor) -> out.put(name, widen(manager, tensor)));
        return out;
    }

    /**
     * @param raw little-endian bf16 or fp16 bit patterns, as a safetensors file stores them
     * @return the exact fp32 array of those values, owned by {@code manager}
     */
    public static NDArray widen(NDManager manager, ByteBuffer raw, Dtype dtype, long[] shape) {
        ByteBuffer buffer = manager.allocateDirect(2 * raw.remaining()).order(ByteOrder.nativeOrder());
        HalfPrecision.widen(raw.duplicate(), dtype, buffer.asFloatBuffer());
        return manager.create(buffer, new Shape(shape), DataType.FLOAT32);
    }

    /** @return a FLOAT16 array holding {@code values} rounded to fp16 (check {@link HalfPrecision#storageDtype} first) */
    public static NDArray storeFp16(NDManager manager, float[] values, long[] shape) {
        ByteBuffer bits = HalfPrecision.narrow(values, Dtype.F16);
        ByteBuffer buffer = manager.allocateDirect(bits.remaining()).order(ByteOrder.nativeOrder());
        while (bits.hasRemaining()) {
            buffer.putShort(bits.getShort());
        }
        return manager.create(buffer.flip(), new Shape(shape), DataType.FLOAT16);
    }

    /** @return an fp32 copy of a FLOAT16 array, owned by the array's manager */
    public static NDArray widen(NDArray fp16) {
        return fp16.toType(DataType.FLOAT32, true);
    }
}
