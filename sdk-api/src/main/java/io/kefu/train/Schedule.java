package io.kefu.train;

/** How the learning rate decays after warmup. */
public enum Schedule {
    /** Half a cosine from the peak to 0 at the last step. */
    COSINE,
    /** A straight line from the peak to 0 at the last step. */
    LINEAR,
    /** Stays at the peak. */
    CONSTANT
}
