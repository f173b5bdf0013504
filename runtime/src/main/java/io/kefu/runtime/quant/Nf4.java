package io.kefu.runtime.quant;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.runtime.format.TensorInfo;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * 4-bit NormalFloat quantization as QLoRA (Dettmers et al. 2023, arXiv:2305.14314) defines it:
 * the tensor is cut into blocks of {@value #BLOCK_SIZE} values in row-major order, each block is
 * divided by its absolute maximum, and every scaled value is replaced by the index of the nearest
 * of the 16 NF4 code values (a value exactly halfway between two codes takes the lower one). The
 * indices are packed two per byte, the first of each pair in the high nibble. With double
 * quantization the fp32 block maxima are themselves centred on their mean and quantized to 8 bits
 * in blocks of {@value #ABSMAX_BLOCK_SIZE}, with one fp32 scale per block.
 *
 * <p>Memory per parameter: {@code 0.5 + 4/64} bytes = 0.5625 (4.5 bits) without double
 * quantization, {@code 0.5 + 1/64 + 4/(64*256)} bytes ≈ 0.5159 (4.127 bits) with it
 * ({@link #bytesPerParameter(boolean)}).
 */
public final class Nf4 {
    /** Values per block sharing one absolute maximum (QLoRA's and bitsandbytes' default). */
    public static final int BLOCK_SIZE = 64;
    /** Block maxima per block of the double quantization. */
    public static final int ABSMAX_BLOCK_SIZE = 256;

    /**
     * The 16 NF4 code values, ascending: the table of bitsandbytes' {@code get_4bit_type("nf4")}
     * (functional.py), generated there by {@code create_normal_map(offset=0.9677083)} from the
     * quantiles of N(0, 1) and normalised to [-1, 1], with an exact zero.
     */
    static final float[] CODE = {
        -1.0f, -0.6961928009986877f, -0.5250730514526367f, -0.39491748809814453f,
        -0.28444138169288635f, -0.18477343022823334f, -0.09105003625154495f, 0.0f,
        0.07958029955625534f, 0.16093020141124725f, 0.24611230194568634f, 0.33791524171829224f,
        0.44070982933044434f, 0.5626170039176941f, 0.7229568362236023f, 1.0f,
    };
    static final float[] BOUNDS = midpoints(CODE);
    /** The code of 0.0, used to pad an odd element count to whole bytes. */
    static final int ZERO_CODE = 7;
    /** Blocks one parallel task codes or decodes: 16384 blocks are a million values. */
    static final int BLOCKS_PER_TASK = 16384;
    /** The smallest divisor a block maximum is clamped to, so an all-zero block scales to zeros. */
    private static final float MIN_ABSMAX = 1e-38f;

    private Nf4() {
    }

    /** @return the 16 code values, ascending */
    public static float[] codeValues() {
        return CODE.clone();
    }

    /** @return bytes of storage per parameter: {@code 0.5 + 4/64}, or {@code 0.5 + 1/64 + 4/(64*256)} with double quantization */
    public static double bytesPerParameter(boolean doubleQuantization) {
        return doubleQuantization ? 0.5 + 1.0 / BLOCK_SIZE + 4.0 / (BLOCK_SIZE * ABSMAX_BLOCK_SIZE)
                : 0.5 + 4.0 / BLOCK_SIZE;
    }

    /**
     * Quantizes a tensor.
     *
     * @param name the tensor's name, for error messages
     * @param values the values in row-major order
     * @param shape the tensor's shape; its element count must be {@code values.length}
     * @param doubleQuantization whether to store the block maxima as 8-bit codes too
     * @throws KefuException {@link ErrorCode#INVALID_ARGUMENT} when the shape does not match or a value is NaN or infinite
     */
    public static Nf4Tensor quantize(String name, float[] values, long[] shape, boolean doubleQuantization) {
        return quantize(name, values, values.length, shape, doubleQuantization);
    }

    /**
     * Quantizes the first {@code count} values of {@code values} (a buffer reused from tensor to tensor).
     *
     * @throws KefuException {@link ErrorCode#INVALID_ARGUMENT} when the shape does not hold {@code count} values or a value is NaN or infinite
     */
    public static Nf4Tensor quantize(String name, float[] values, int count, long[] shape, boolean doubleQuantization) {
        return quantize(name, values, count, shape, doubleQuantization, ByteBuffer.allocate((count + 1) / 2));
    }

    /**
     * Quantizes the first {@code count} values of {@code values}, writing the packed codes into
     * {@code packed} (for example memory an engine owns outside the Java heap), which the tensor
     * then reads them from.
     *
     * @param packed {@code ceil(count / 2)} bytes
     * @throws KefuException {@link ErrorCode#INVALID_ARGUMENT} when the shape does not hold {@code count} values or a value is NaN or infinite
     */
    public static Nf4Tensor quantize(String name, float[] values, int count, long[] shape, boolean doubleQuantization,
                                     ByteBuffer packed) {
        if (TensorInfo.elementCount(shape) != count || count > values.length) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "tensor '" + name + "': shape " + Arrays.toString(shape)
                    + " holds " + TensorInfo.elementCount(shape) + " values, got " + count);
        }
        if (packed.capacity() != (count + 1) / 2) {
            throw new IllegalArgumentException("codes take " + (count + 1) / 2 + " bytes, the buffer holds " + packed.capacity());
        }
        for (int i = 0; i < count; i++) {
            if (!Float.isFinite(values[i])) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "tensor '" + name + "': value " + values[i]
                        + " at index " + i + " cannot be quantized to NF4 (only finite values can)");
            }
        }
        float[] absmax = blockMaxima(values, count, BLOCK_SIZE);
        // blocks are independent and each fills whole bytes: chunks of them are coded in parallel, a pair of values a byte
        IntStream.range(0, (absmax.length + BLOCKS_PER_TASK - 1) / BLOCKS_PER_TASK).parallel().forEach(task -> {
            int last = Math.min(absmax.length, (task + 1) * BLOCKS_PER_TASK);
            for (int block = task * BLOCKS_PER_TASK; block < last; block++) {
                float inverse = 1f / Math.max(absmax[block], MIN_ABSMAX);
                int end = Math.min(count, (block + 1) * BLOCK_SIZE);
                for (int i = block * BLOCK_SIZE; i < end; i += 2) {
                    int high = nearest(BOUNDS, values[i] * inverse);
                    int low = i + 1 < end ? nearest(BOUNDS, values[i + 1] * inverse) : ZERO_CODE;
                    packed.put(i >> 1, (byte) (high << 4 | low));
                }
            }
        });
        if (!doubleQuantization) {
            return new Nf4Tensor(shape, count, packed, absmax, null, null, 0f);
        }
        double sum = 0;
        for (float a : absmax) {
            sum += a;
        }
        float offset = absmax.length == 0 ? 0f : (float) (sum / absmax.length);
        float[] centred = new float[absmax.length];
        for (int i = 0; i < centred.length; i++) {
            centred[i] = absmax[i] - offset;
        }
        float[] scales = blockMaxima(centred, centred.length, ABSMAX_BLOCK_SIZE);
        byte[] codes = new byte[centred.length];
        for (int block = 0; block < scales.length; block++) {
            float inverse = 1f / Math.max(scales[block], MIN_ABSMAX);
            int end = Math.min(centred.length, (block + 1) * ABSMAX_BLOCK_SIZE);
            for (int i = block * ABSMAX_BLOCK_SIZE; i < end; i++) {
                codes[i] = (byte) nearest(DynamicCode8.BOUNDS, centred[i] * inverse);
            }
        }
        return new Nf4Tensor(shape, count, packed, null, codes, scales, offset);
    }

    /** @return the largest absolute value of each block of {@code blockSize} (the last block may be shorter) */
    private static float[] blockMaxima(float[] values, int count, int blockSize) {
        float[] maxima = new float[(count + blockSize - 1) / blockSize];
        for (int i = 0; i < count; i++) {
            maxima[i / blockSize] = Math.max(maxima[i / blockSize], Math.abs(values[i]));
        }
        return maxima;
    }

    /**
     * @return the index of the code nearest to {@code scaled} (clamped to [-1, 1]): the number of
     *     midpoints strictly below it, so a value on a midpoint takes the lower code
     */
    static int nearest(float[] bounds, float scaled) {
        float x = Math.max(-1f, Math.min(1f, scaled));
        int low = 0;
        int high = bounds.length;
        while (low < high) {
            int mid = (low + high) >>> 1;
            if (bounds[mid] < x) {
                low = mid + 1;
            } else {
                high = mid;
            }
        }
        return low;
    }

    /** @return the fp32 midpoints {@code (code[i] + code[i+1]) / 2} of an ascending code */
    static float[] midpoints(float[] code) {
        float[] bounds = new float[code.length - 1];
        for (int i = 0; i < bounds.length; i++) {
            bounds[i] = (code[i] + code[i + 1]) / 2f;
        }
        return bounds;
    }
}
