package io.kefu.runtime.quant;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.util.stream.IntStream;

/**
 * One tensor quantized by {@link Nf4#quantize}: packed 4-bit codes (two per byte, the first of
 * each pair in the high nibble) and its block maxima, either as fp32 values or, double-quantized,
 * as 8-bit codes with one fp32 scale per {@value Nf4#ABSMAX_BLOCK_SIZE} blocks and the mean that
 * was subtracted before quantizing them. Immutable.
 */
public final class Nf4Tensor {
    private final long[] shape;
    private final int elementCount;
    private final ByteBuffer packed;
    private final float[] absmax;
    private final byte[] absmaxCodes;
    private final float[] absmaxScales;
    private final float absmaxOffset;

    Nf4Tensor(long[] shape, int elementCount, ByteBuffer packed, float[] absmax, byte[] absmaxCodes, float[] absmaxScales,
                      float absmaxOffset) {
        this.shape = shape.clone();
        this.elementCount = elementCount;
        this.packed = packed;
        this.absmax = absmax;
        this.absmaxCodes = absmaxCodes;
        this.absmaxScales = absmaxScales;
        this.absmaxOffset = absmaxOffset;
    }

    /** @return the tensor's shape */
    public long[] shape() {
        return shape.clone();
    }

    /** @return the number of values */
    public int elementCount() {
        return elementCount;
    }

    /** @return whether the block maxima are stored as 8-bit codes */
    public boolean isDoubleQuantized() {
        return absmax == null;
    }

    /** @return the number of {@value Nf4#BLOCK_SIZE}-value blocks (the last one may be shorter) */
    public int blockCount() {
        return (elementCount + Nf4.BLOCK_SIZE - 1) / Nf4.BLOCK_SIZE;
    }

    /** @return the packed codes, read-only, {@code ceil(elementCount / 2)} bytes */
    public ByteBuffer packedCodes() {
        return packed.duplicate().clear().asReadOnlyBuffer();
    }

    /** @return the 4-bit code (0..15, an index into {@link Nf4#codeValues()}) of value {@code index} */
    public int code(int index) {
        int b = packed.get(index >> 1);
        return (index & 1) == 0 ? (b >> 4) & 0xF : b & 0xF;
    }

    /** @return the absolute maximum of {@code block}, as stored (dequantized from 8 bits when double-quantized) */
    public float blockMaximum(int block) {
        if (absmax != null) {
            return absmax[block];
        }
        float scaled = DynamicCode8.VALUES[absmaxCodes[block] & 0xFF] * absmaxScales[block / Nf4.ABSMAX_BLOCK_SIZE];
        return scaled + absmaxOffset;
    }

    /** @return the 8-bit codes of the centred block maxima, or null without double quantization */
    byte[] absmaxCodes() {
        return absmaxCodes;
    }

    /** @return the fp32 scale of each {@value Nf4#ABSMAX_BLOCK_SIZE} block maxima, or null without double quantization */
    float[] absmaxScales() {
        return absmaxScales;
    }

    /** @return the mean subtracted from the block maxima before their quantization */
    float absmaxOffset() {
        return absmaxOffset;
    }

    /** @return bytes this tensor occupies: the packed codes plus its block statistics */
    public long storageBytes() {
        long stats = absmax != null ? 4L * absmax.length : absmaxCodes.length + 4L * absmaxScales.length + 4;
        return packed.capacity() + stats;
    }

    /** @return every value, dequantized: {@code code value * block maximum} in fp32 */
    public float[] dequantize() {
        float[] out = new float[elementCount];
        dequantizeInto(FloatBuffer.wrap(out));
        return out;
    }

    /**
     * Writes every value, dequantized, at the buffer's position (for example a direct buffer an
     * engine turns into an fp32 array), advancing it by {@link #elementCount()}.
     */
    public void dequantizeInto(FloatBuffer out) {
        if (out.remaining() < elementCount) {
            throw new IllegalArgumentException("buffer has room for " + out.remaining() + " values, need " + elementCount);
        }
        int start = out.position();
        int blocks = blockCount();
        IntStream.range(0, (blocks + Nf4.BLOCKS_PER_TASK - 1) / Nf4.BLOCKS_PER_TASK).parallel().forEach(task -> {
            int last = Math.min(blocks, (task + 1) * Nf4.BLOCKS_PER_TASK);
            for (int block = task * Nf4.BLOCKS_PER_TASK; block < last; block++) {
                float scale = blockMaximum(block);
                int end = Math.min(elementCount, (block + 1) * Nf4.BLOCK_SIZE);
                for (int i = block * Nf4.BLOCK_SIZE; i < end; i++) {
                    out.put(start + i, Nf4.CODE[code(i)] * scale);
                }
            }
        });
        out.position(start + elementCount);
    }
}
