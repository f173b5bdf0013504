package io.kefu.runtime.config;

import io.kefu.train.BaseDtype;
import io.kefu.train.WeightQuantization;
import java.util.Locale;
import java.util.Optional;

/**
 * The names a user types for how a frozen base is stored, on the command line and in config files:
 * {@code auto}, {@code fp32}, {@code fp16}, {@code bf16} (also {@code float32}, {@code float16},
 * {@code bfloat16}, as {@code torch_dtype} spells them) and {@code none}, {@code nf4}.
 */
public final class PrecisionNames {
    /** The base dtypes, as a message lists them. */
    public static final String BASE_DTYPES = "auto, fp32, fp16, bf16";
    /** The quantizations, as a message lists them. */
    public static final String QUANTIZATIONS = "none, nf4";

    private PrecisionNames() {
    }

    /** @return the base dtype {@code text} names, in any case, or empty when it names none */
    public static Optional<BaseDtype> baseDtype(String text) {
        return Optional.ofNullable(switch (text == null ? "" : text.strip().toLowerCase(Locale.ROOT)) {
            case "auto" -> BaseDtype.AUTO;
            case "fp32", "float32" -> BaseDtype.FP32;
            case "fp16", "float16" -> BaseDtype.FP16;
            case "bf16", "bfloat16" -> BaseDtype.BF16;
            default -> null;
        });
    }

    /** @return the quantization {@code text} names, in any case, or empty when it names none */
    public static Optional<WeightQuantization> quantization(String text) {
        return Optional.ofNullable(switch (text == null ? "" : text.strip().toLowerCase(Locale.ROOT)) {
            case "none" -> WeightQuantization.NONE;
            case "nf4" -> WeightQuantization.NF4;
            default -> null;
        });
    }

    /** @return the short name, e.g. {@code bf16} */
    public static String name(BaseDtype dtype) {
        return dtype.name().toLowerCase(Locale.ROOT);
    }

    /** @return the short name, e.g. {@code nf4} */
    public static String name(WeightQuantization quantization) {
        return quantization.name().toLowerCase(Locale.ROOT);
    }
}
