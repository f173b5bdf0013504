package io.kefu.engine.djl.train;

/**
 * Dynamic loss scaling for fp16 products, as PyTorch's {@code GradScaler} does it: the loss is
 * multiplied by the scale before the backward pass, so that small gradients survive fp16, and the
 * gradients are divided by it before the optimizer sees them. A step whose gradients overflowed is
 * skipped and the scale halved; after {@value #GROWTH_INTERVAL} good steps in a row it is doubled.
 * Scales are powers of two, so scaling and unscaling are exact.
 *
 * @param scale the factor the loss is multiplied by
 * @param goodSteps steps without overflow since the scale last changed
 */
record LossScaler(double scale, long goodSteps) {
    /** PyTorch's {@code GradScaler(init_scale=2.**16)}. */
    static final double INITIAL_SCALE = 65536;
    static final long GROWTH_INTERVAL = 2000;
    /** Below this the scale stops falling: an overflow at scale 1 is a loss that is not finite in fp16 at all. */
    static final double MIN_SCALE = 1;

    /** @return the scaler a run starts with: {@value #INITIAL_SCALE} with fp16 products, else 1 and never changed */
    static LossScaler initial(boolean fp16) {
        return new LossScaler(fp16 ? INITIAL_SCALE : 1, 0);
    }

    /** @return the scaler after a step whose gradients were all finite */
    LossScaler afterGoodStep(boolean fp16) {
        if (!fp16) {
            return this;
        }
        return goodSteps + 1 >= GROWTH_INTERVAL ? new LossScaler(scale * 2, 0) : new LossScaler(scale, goodSteps + 1);
    }

    /** @return the scaler after a step whose gradients overflowed */
    LossScaler afterOverflow() {
        return new LossScaler(Math.max(MIN_SCALE, scale / 2), 0);
    }

    /** @return whether an overflow at this scale can be cured by a lower one */
    boolean canBackOff() {
        return scale > MIN_SCALE;
    }
}
