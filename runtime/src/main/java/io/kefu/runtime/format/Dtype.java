package io.kefu.runtime.format;

import java.util.Optional;

/** Element types of a safetensors file, spelled as the format spells them. */
public enum Dtype {
    /** 64-bit IEEE float. */
    F64(8, true),
    /** 32-bit IEEE float. */
    F32(4, true),
    /** 16-bit IEEE half float. */
    F16(2, true),
    /** bfloat16: the upper 16 bits of a 32-bit float. */
    BF16(2, true),
    /** 64-bit signed integer. */
    I64(8, false),
    /** 32-bit signed integer. */
    I32(4, false),
    /** 16-bit signed integer. */
    I16(2, false),
    /** 8-bit signed integer. */
    I8(1, false),
    /** 64-bit unsigned integer. */
    U64(8, false),
    /** 32-bit unsigned integer. */
    U32(4, false),
    /** 16-bit unsigned integer. */
    U16(2, false),
    /** 8-bit unsigned integer. */
    U8(1, false),
    /** Boolean stored as one byte, 0 or 1. */
    BOOL(1, false);

    private final int byteSize;
    private final boolean floatingPoint;

    Dtype(int byteSize, boolean floatingPoint) {
        this.byteSize = byteSize;
        this.floatingPoint = floatingPoint;
    }

    /** @return bytes per element */
    public int byteSize() {
        return byteSize;
    }

    /** @return whether the elements are floating-point numbers (readable as fp32) */
    public boolean isFloatingPoint() {
        return floatingPoint;
    }

    /** @return the dtype spelled {@code name} (as in a safetensors header), or empty when unknown */
    public static Optional<Dtype> parse(String name) {
        for (Dtype dtype : values()) {
            if (dtype.name().equals(name)) {
                return Optional.of(dtype);
            }
        }
        return Optional.empty();
    }

    /**
     * @return the dtype named by a {@code torch_dtype} value of config.json ({@code float32},
     *     {@code bfloat16}, {@code float16}), or empty when it names no float type
     */
    public static Optional<Dtype> fromTorchName(String torchDtype) {
        if (torchDtype == null) {
            return Optional.empty();
        }
        switch (torchDtype.replace("torch.", "")) {
            case "float32": case "float": return Optional.of(F32);
            case "bfloat16": return Optional.of(BF16);
            case "float16": case "half": return Optional.of(F16);
            case "float64": case "double": return Optional.of(F64);
            default: return Optional.empty();
        }
    }

    /** @return the {@code torch_dtype} spelling of a float type ({@code float32}, {@code bfloat16} ...) */
    public String torchName() {
        switch (this) {
            case F32: return "float32";
            case BF16: return "bfloat16";
            case F16: return "float16";
            case F64: return "float64";
            default: return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
