package io.kefu.engine.djl.torch;

import ai.djl.pytorch.jni.JniUtils;

/**
 * Sets libtorch's grad mode on the current thread until closed, then restores what the thread had.
 *
 * <p>libtorch keeps grad mode per thread and a new thread starts with it on; DJL switches it off
 * only on the thread that loads the engine. So code that updates parameters in place or runs
 * inference opens {@link #off()}, and code that records gradients opens {@link #on()}, rather than
 * relying on whichever thread calls it. (In place updates of a parameter that requires a gradient
 * fail while grad mode is on; inference with it on records graphs nobody uses.)
 *
 * <p>Open and close on the same thread, with try-with-resources.
 */
public final class GradMode implements AutoCloseable {
    private final boolean previous;
    private boolean closed;

    private GradMode(boolean enabled) {
        Torch.engine();
        this.previous = JniUtils.isGradMode();
        JniUtils.setGradMode(enabled);
    }

    /** @return a scope in which this thread records no gradients */
    public static GradMode off() {
        return new GradMode(false);
    }

    /** @return a scope in which this thread records gradients */
    public static GradMode on() {
        return new GradMode(true);
    }

    /** Restores the thread's grad mode from before this scope. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            JniUtils.setGradMode(previous);
        }
    }
}
