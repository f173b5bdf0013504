package io.kefu.engine.djl.train;

import io.kefu.train.Schedule;

/**
 * The learning rate of each optimiser step, as transformers' schedulers compute it: linear warmup
 * from 0 over the warmup steps, then cosine or linear decay to 0 at the last step (or constant).
 */
record LrSchedule(double peak, Schedule schedule, long warmupSteps, long totalSteps) {
    /** @return the warmup steps for a ratio of the total, rounded up as transformers does */
    static long warmupSteps(double ratio, long totalSteps) {
        return (long) Math.ceil(ratio * totalSteps);
    }

    /** @return the rate for a 1-based step */
    double at(long step) {
        long current = step - 1; // transformers' LambdaLR is evaluated at 0 for the first step
        if (current < warmupSteps) {
            return peak * current / Math.max(1, warmupSteps);
        }
        double progress = (double) (current - warmupSteps) / Math.max(1, totalSteps - warmupSteps);
        switch (schedule) {
            case COSINE:
                return peak * Math.max(0, 0.5 * (1 + Math.cos(Math.PI * progress)));
            case LINEAR:
                return peak * Math.max(0, 1 - progress);
            default:
                return peak;
        }
    }
}
