package io.kefu.engine.onnx.export;

/**
 * Block-wise weight-only quantization in the layout of ONNX Runtime's {@code com.microsoft.MatMulNBits}.
 *
 * <p>A linear layer's weight {@code W [N out, K in]} (transformers' layout, row-major) is cut along K into blocks of
 * {@code blockSize} values; each block gets a scale and a zero point, and each value the integer
 * {@code q = clamp(round(w / scale) + zeroPoint, 0, 2^bits - 1)}, so that {@code (q - zeroPoint) * scale} is within half
 * a step of {@code w}. The operator's inputs are then:
 * <ul>
 *   <li>{@code B}: uint8 {@code [N, blocks, blockSize * bits / 8]}: each block's codes packed along K, for 4 bits two
 *       per byte, the first in the low half-byte;</li>
 *   <li>{@code scales}: {@code [N * blocks]} in the activation type;</li>
 *   <li>{@code zero_points}: uint8 {@code [N * ceil(blocks * bits / 8)]}, packed the same way, each row starting on a
 *       new byte; left out for symmetric quantization, whose zero point is the operator's default {@code 2^(bits-1)}.</li>
 * </ul>
 * A last block that K does not fill is padded with zeros.
 *
 * <p>Asymmetric blocks span {@code [min(0, lowest), max(0, highest)]} with {@code 2^bits} levels. Symmetric blocks
 * span {@code [-largest magnitude, +largest magnitude]} with the levels {@code -(2^(bits-1) - 1) .. 2^(bits-1) - 1}
 * around the operator's default zero point, leaving the lowest level unused: mapping the extreme to it instead (as
 * ONNX Runtime's own quantizer does) gains one level on that side but clips values of the other sign by up to a
 * whole step, and every value here stays within half a step.
 */
final class BlockQuantizer {
    private final int bits;
    private final int blockSize;
    private final boolean symmetric;

    /**
     * @param bits 4 or 8
     * @param blockSize a power of two, at least 16
     * @param symmetric whether every block's zero point is the middle level
     */
    BlockQuantizer(int bits, int blockSize, boolean symmetric) {
        if (bits != 4 && bits != 8) {
            throw new IllegalArgumentException("bits must be 4 or 8, not " + bits);
        }
        if (blockSize < 16 || Integer.bitCount(blockSize) != 1) {
            throw new IllegalArgumentException("block size must be a power of two of at least 16, not " + blockSize);
        }
        this.bits = bits;
        this.blockSize = blockSize;
        this.symmetric = symmetric;
    }

    /** A quantized weight as MatMulNBits takes it; {@code zeroPoints} is null when symmetric. */
    record Quantized(int n, int k, int bits, int blockSize, byte[] packed, float[] scales, byte[] zeroPoints) {
        /** @return blocks per output row */
        int blocks() {
            return (k + blockSize - 1) / blockSize;
        }

        /** @return bytes of one block in {@link #packed} */
        int blobSize() {
            return blockSize * bits / 8;
        }

        /** @return bytes of one row's zero points */
        int zeroPointBytesPerRow() {
            return (blocks() * bits + 7) / 8;
        }
    }

    /**
     * @param w the weight {@code [n, k]}, row-major
     * @return its quantized form
     */
    Quantized quantize(float[] w, int n, int k) {
        if ((long) n * k != w.length) {
            throw new IllegalArgumentException("weight of " + w.length + " values is not " + n + " x " + k);
        }
        int blocks = (k + blockSize - 1) / blockSize;
        int blob = blockSize * bits / 8;
        int zpRow = (blocks * bits + 7) / 8;
        byte[] packed = new byte[Math.multiplyExact(n * blocks, blob)];
        float[] scales = new float[n * blocks];
        byte[] zeroPoints = symmetric ? null : new byte[n * zpRow];
        int levels = (1 << bits) - 1;
        int[] codes = new int[blockSize];
        for (int row = 0; row < n; row++) {
            for (int block = 0; block < blocks; block++) {
                int from = row * k + block * blockSize;
                int count = Math.min(blockSize, k - block * blockSize);
                float scale;
                int zeroPoint;
                if (symmetric) {
                    float largest = 0;
                    for (int i = 0; i < count; i++) {
                        largest = Math.max(largest, Math.abs(w[from + i]));
                    }
                    zeroPoint = 1 << (bits - 1);
                    scale = largest / (zeroPoint - 1);
                } else {
                    float low = 0;
                    float high = 0;
                    for (int i = 0; i < count; i++) {
                        low = Math.min(low, w[from + i]);
                        high = Math.max(high, w[from + i]);
                    }
                    scale = (high - low) / levels;
                    zeroPoint = scale == 0 ? 0 : clamp(Math.round(-low / scale), levels);
                }
                float reciprocal = scale == 0 ? 0 : 1 / scale;
                for (int i = 0; i < blockSize; i++) {
                    float v = i < count ? w[from + i] : 0;
                    codes[i] = clamp(Math.round(v * reciprocal) + zeroPoint, levels);
                }
                int index = row * blocks + block;
                scales[index] = scale;
                pack(codes, packed, index * blob);
                if (zeroPoints != null) {
                    setCode(zeroPoints, row * zpRow, block, zeroPoint);
                }
            }
        }
        return new Quantized(n, k, bits, blockSize, packed, scales, zeroPoints);
    }

    /** @return the weight {@code [n, k]} the operator computes with: {@code (q - zeroPoint) * scale} */
    static float[] dequantize(Quantized q) {
        int blocks = q.blocks();
        float[] w = new float[q.n() * q.k()];
        for (int row = 0; row < q.n(); row++) {
            for (int block = 0; block < blocks; block++) {
                int index = row * blocks + block;
                int zeroPoint = q.zeroPoints() == null ? 1 << (q.bits() - 1) : code(q.zeroPoints(), row * q.zeroPointBytesPerRow(), block, q.bits());
                float scale = q.scales()[index];
                for (int i = 0; i < q.blockSize() && block * q.blockSize() + i < q.k(); i++) {
                    int value = code(q.packed(), index * q.blobSize(), i, q.bits());
                    w[row * q.k() + block * q.blockSize() + i] = (value - zeroPoint) * scale;
                }
            }
        }
        return w;
    }

    private void pack(int[] codes, byte[] out, int offset) {
        for (int i = 0; i < codes.length; i++) {
            setCode(out, offset, i, codes[i]);
        }
    }

    private void setCode(byte[] out, int offset, int i, int code) {
        if (bits == 8) {
            out[offset + i] = (byte) code;
        } else {
            int at = offset + i / 2;
            out[at] = (byte) (i % 2 == 0 ? (out[at] & 0xF0) | code : (out[at] & 0x0F) | (code << 4));
        }
    }

    private static int code(byte[] in, int offset, int i, int bits) {
        if (bits == 8) {
            return in[offset + i] & 0xFF;
        }
        int b = in[offset + i / 2] & 0xFF;
        return i % 2 == 0 ? b & 0x0F : b >>> 4;
    }

    private static int clamp(int v, int levels) {
        return Math.max(0, Math.min(levels, v));
    }
}
