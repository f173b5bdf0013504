package io.kefu.runtime.format;

import java.util.Arrays;
import java.util.Objects;

/**
 * A tensor to be written: its name, element type and shape, declared before any data is written
 * so that every byte offset is known up front.
 *
 * @param name the tensor name
 * @param dtype the element type on disk
 * @param shape the dimensions; the accessor returns a copy
 */
public record TensorSpec(String name, Dtype dtype, long[] shape) {
    /** Validates and copies the shape. */
    public TensorSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        shape = shape.clone();
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("tensor '" + name + "': negative dimension in " + Arrays.toString(shape));
            }
        }
        if (name.isEmpty() || name.equals("__metadata__")) {
            throw new IllegalArgumentException("tensor name '" + name + "' is reserved or empty");
        }
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    /** @return the number of elements */
    public long elementCount() {
        return TensorInfo.elementCount(shape);
    }

    /** @return the size of the data in bytes */
    public long byteSize() {
        return elementCount() * dtype.byteSize();
    }

    /** @return the shape as {@code [a, b]} */
    public String shapeText() {
        return Arrays.toString(shape);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TensorSpec t && name.equals(t.name) && dtype == t.dtype && Arrays.equals(shape, t.shape);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, dtype, Arrays.hashCode(shape));
    }

    @Override
    public String toString() {
        return "TensorSpec[" + name + ", " + dtype + ", " + Arrays.toString(shape) + "]";
    }
}
