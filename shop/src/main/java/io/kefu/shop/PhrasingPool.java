package io.kefu.shop;

/** Which set of customer phrasings to draw questions from; the two never share a phrasing. */
public enum PhrasingPool {
    /** Phrasings for training data. */
    TRAIN,
    /** Held-out phrasings for test data only. */
    TEST
}
