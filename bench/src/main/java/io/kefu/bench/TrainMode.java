package io.kefu.bench;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.runtime.config.PrecisionNames;
import io.kefu.train.BaseDtype;
import io.kefu.train.LoraConfig;
import io.kefu.train.TrainingConfig;
import io.kefu.train.WeightQuantization;
import java.util.Locale;

/**
 * One training mode of {@code kefu bench train}: {@code lora} or {@code full}, optionally followed by
 * {@code +}-joined settings that win over the command's flags (whose storage settings apply to the
 * LoRA modes only): a base dtype ({@code fp32},
 * {@code fp16}, {@code bf16}), {@code nf4} and {@code gc} (gradient checkpointing), e.g.
 * {@code lora+bf16+gc} or {@code lora+nf4+gc}.
 *
 * @param name the mode as typed, printed in the tables
 * @param full full fine-tuning instead of LoRA
 * @param baseDtype how the frozen base is stored
 * @param quantization the base's quantization
 * @param gradientCheckpointing whether layer activations are recomputed in backward
 */
record TrainMode(String name, boolean full, BaseDtype baseDtype, WeightQuantization quantization, boolean gradientCheckpointing) {
    /**
     * @param text the mode, e.g. {@code lora+nf4+gc}
     * @param baseDtype the base dtype of a LoRA mode that names none (--base-dtype)
     * @param quantization the quantization of a LoRA mode that names none (--quantize)
     * @param gradientCheckpointing whether checkpointing is on for a mode without {@code gc} (--gradient-checkpointing)
     * @throws KefuException {@link ErrorCode#INVALID_ARGUMENT} naming the part that is not a mode or setting,
     *     or a setting full fine-tuning cannot take
     */
    static TrainMode parse(String text, BaseDtype baseDtype, WeightQuantization quantization, boolean gradientCheckpointing) {
        String[] parts = text.strip().toLowerCase(Locale.ROOT).split("\\+");
        if (!parts[0].equals("lora") && !parts[0].equals("full")) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--modes: '" + text + "' does not start with lora or full");
        }
        boolean full = parts[0].equals("full");
        // full fine-tuning trains every weight in fp32: the flags' storage is for the LoRA modes
        BaseDtype dtype = full ? BaseDtype.AUTO : baseDtype;
        WeightQuantization quant = full ? WeightQuantization.NONE : quantization;
        boolean gc = gradientCheckpointing;
        for (int i = 1; i < parts.length; i++) {
            String part = parts[i];
            if (part.equals("gc")) {
                gc = true;
            } else if (PrecisionNames.quantization(part).isPresent()) {
                quant = PrecisionNames.quantization(part).get();
            } else if (PrecisionNames.baseDtype(part).isPresent()) {
                dtype = PrecisionNames.baseDtype(part).get();
            } else {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--modes: '" + part + "' in '" + text
                        + "' is not a base dtype (" + PrecisionNames.BASE_DTYPES + "), none, nf4 or gc");
            }
        }
        TrainMode mode = new TrainMode(text.strip(), full, dtype, quant, gc);
        try {
            mode.apply(TrainingConfig.builder()).build();
        } catch (KefuException e) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--modes " + text + ": " + e.getMessage(), e);
        }
        return mode;
    }

    /** @return {@code builder} training this mode: LoRA r=8, alpha 16 on q_proj,v_proj, or every weight */
    TrainingConfig.Builder apply(TrainingConfig.Builder builder) {
        if (full) {
            builder.fullFineTune();
        } else {
            builder.lora(LoraConfig.builder().rank(8).alpha(16).targets("q_proj", "v_proj").build());
        }
        return builder.baseDtype(baseDtype).quantization(quantization).gradientCheckpointing(gradientCheckpointing);
    }

    /** @return {@code lora} or {@code full}: what the PyTorch side trains (in fp32, without checkpointing) */
    String kind() {
        return full ? "full" : "lora";
    }
}
