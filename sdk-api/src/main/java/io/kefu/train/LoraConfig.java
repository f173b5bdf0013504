package io.kefu.train;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Low-rank adaptation settings, with PEFT's meaning and names. Immutable; build with {@link #builder()}.
 *
 * <p>Defaults: {@code rank=8}, {@code alpha=16}, {@code dropout=0.0}, {@code targets=[q_proj, v_proj]},
 * {@code rsLora=false}. The update is {@code W + scale * B * A} with {@code scale = alpha / rank},
 * or {@code alpha / sqrt(rank)} with rsLoRA.
 */
public final class LoraConfig {
    /** The linear layers of a Llama/Qwen decoder layer that LoRA can target. */
    public static final List<String> LINEAR_MODULES =
            List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");
    /** PEFT's shorthand for every linear layer except the output head. */
    public static final String ALL_LINEAR = "all-linear";

    private final int rank;
    private final double alpha;
    private final double dropout;
    private final List<String> targets;
    private final boolean rsLora;

    private LoraConfig(Builder b) {
        this.rank = b.rank;
        this.alpha = b.alpha;
        this.dropout = b.dropout;
        this.targets = b.targets.contains(ALL_LINEAR) ? LINEAR_MODULES : List.copyOf(b.targets);
        this.rsLora = b.rsLora;
    }

    /** @return a builder holding the defaults listed in the class javadoc */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the rank r (default 8) */
    public int rank() { return rank; }

    /** @return lora_alpha (default 16) */
    public double alpha() { return alpha; }

    /** @return dropout applied to the LoRA input during training (default 0.0) */
    public double dropout() { return dropout; }

    /** @return target module names, {@code all-linear} expanded (default q_proj, v_proj) */
    public List<String> targets() { return targets; }

    /** @return whether rank-stabilised scaling alpha/sqrt(r) is used (default false) */
    public boolean rsLora() { return rsLora; }

    /** @return the factor applied to B·A */
    public double scale() {
        return rsLora ? alpha / Math.sqrt(rank) : alpha / rank;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof LoraConfig c && rank == c.rank && alpha == c.alpha && dropout == c.dropout
                && targets.equals(c.targets) && rsLora == c.rsLora;
    }

    @Override
    public int hashCode() {
        return Objects.hash(rank, alpha, dropout, targets, rsLora);
    }

    @Override
    public String toString() {
        return "LoraConfig[rank=" + rank + ", alpha=" + alpha + ", dropout=" + dropout + ", targets=" + targets
                + ", rsLora=" + rsLora + "]";
    }

    /** Builds a {@link LoraConfig}; {@link #build()} validates every field. */
    public static final class Builder {
        private int rank = 8;
        private double alpha = 16;
        private double dropout = 0.0;
        private List<String> targets = List.of("q_proj", "v_proj");
        private boolean rsLora = false;

        private Builder() {
        }

        /** @param value rank r, at least 1 (default 8) */
        public Builder rank(int value) { this.rank = value; return this; }

        /** @param value lora_alpha, positive (default 16) */
        public Builder alpha(double value) { this.alpha = value; return this; }

        /** @param value dropout in [0, 1) (default 0.0) */
        public Builder dropout(double value) { this.dropout = value; return this; }

        /** @param value module names from {@link #LINEAR_MODULES}, or {@code all-linear} (default q_proj, v_proj) */
        public Builder targets(String... value) { return targets(List.of(value)); }

        /** @param value module names from {@link #LINEAR_MODULES}, or {@code all-linear} */
        public Builder targets(List<String> value) { this.targets = List.copyOf(value); return this; }

        /** @param value whether to scale by alpha/sqrt(r) (default false) */
        public Builder rsLora(boolean value) { this.rsLora = value; return this; }

        /**
         * @return the config
         * @throws KefuException with {@link ErrorCode#INVALID_CONFIG} naming the bad field
         */
        public LoraConfig build() {
            if (rank < 1) {
                throw invalid("lora rank=" + rank + " must be at least 1");
            }
            if (!(alpha > 0) || !Double.isFinite(alpha)) {
                throw invalid("lora alpha=" + alpha + " must be positive");
            }
            if (!(dropout >= 0 && dropout < 1)) {
                throw invalid("lora dropout=" + dropout + " must be in [0, 1)");
            }
            if (targets.isEmpty()) {
                throw invalid("lora targets must name at least one module");
            }
            if (Set.copyOf(targets).size() != targets.size()) {
                throw invalid("lora targets " + targets + " name a module twice");
            }
            for (String target : targets) {
                if (!target.equals(ALL_LINEAR) && !LINEAR_MODULES.contains(target)) {
                    throw invalid("lora target '" + target + "' is not one of " + LINEAR_MODULES + " or all-linear");
                }
            }
            return new LoraConfig(this);
        }

        private static KefuException invalid(String message) {
            return new KefuException(ErrorCode.INVALID_CONFIG, message);
        }
    }
}
