package io.kefu.runtime.format;

import io.kefu.train.LoraConfig;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.Locale;

/**
 * Parameter counts of a decoder, from its config alone (no weights needed), as PEFT's
 * {@code print_trainable_parameters()} reports them: with LoRA, "all params" is the base plus the
 * adapter, and each adapted linear layer adds {@code r * (in_features + out_features)}.
 *
 * @param trainable parameters the optimiser updates
 * @param all every parameter of the (adapted) model
 */
public record ParameterCount(long trainable, long all) {
    /** @return the counts of full fine-tuning: every base parameter is trainable */
    public static ParameterCount full(HfModelConfig config) {
        long base = DecoderLayout.of(config).parameterCount();
        return new ParameterCount(base, base);
    }

    /** @return the counts of LoRA on the base: the adapter is trainable, the base is frozen */
    public static ParameterCount lora(HfModelConfig config, LoraConfig lora) {
        DecoderLayout layout = DecoderLayout.of(config);
        long perLayer = 0;
        for (String module : lora.targets()) {
            int[] io = layout.linearFeatures(module);
            perLayer += (long) lora.rank() * (io[0] + io[1]);
        }
        long adapter = perLayer * config.numHiddenLayers();
        return new ParameterCount(adapter, layout.parameterCount() + adapter);
    }

    /** @return the parameters of the base model alone (the frozen part under LoRA) */
    public long frozen() {
        return all - trainable;
    }

    /** @return {@code 100 * trainable / all} */
    public double trainablePercent() {
        return all == 0 ? 0 : 100.0 * trainable / all;
    }

    /**
     * @return PEFT's line, e.g. {@code trainable params: 3,407,872 || all params: 8,033,669,120 ||
     *     trainable%: 0.0424} (the percentage rounded as Python's {@code :.4f} rounds it)
     */
    public String peftLine() {
        String percent = new BigDecimal(trainablePercent()).setScale(4, RoundingMode.HALF_EVEN).toPlainString();
        return String.format(Locale.ROOT, "trainable params: %,d || all params: %,d || trainable%%: %s", trainable, all, percent);
    }
}
