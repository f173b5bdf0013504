package io.kefu.runtime.format;

import java.util.Arrays;
import java.util.Objects;

/**
 * An fp32 tensor held on the heap, row-major.
 *
 * @param shape the dimensions; the accessor returns a copy
 * @param data the values; not copied (the record shares the caller's array)
 */
public record FloatTensor(long[] shape, float[] data) {
    /** Checks that the data length matches the shape. */
    public FloatTensor {
        shape = shape.clone();
        Objects.requireNonNull(data, "data");
        if (TensorInfo.elementCount(shape) != data.length) {
            throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs "
                    + TensorInfo.elementCount(shape) + " values, got " + data.length);
        }
    }

    /** @return a 2-D tensor {@code [rows, cols]} */
    public static FloatTensor matrix(int rows, int cols, float[] data) {
        return new FloatTensor(new long[] {rows, cols}, data);
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** @return dimension {@code i} */
    public long dim(int i) {
        return shape[i];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FloatTensor t && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "FloatTensor" + Arrays.toString(shape);
    }
}
