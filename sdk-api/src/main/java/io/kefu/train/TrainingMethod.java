package io.kefu.train;

/** What a run learns from. */
public enum TrainingMethod {
    /** Supervised fine-tuning: the cross-entropy of each example's answer. */
    SFT,
    /**
     * Preference training on examples with a chosen and a rejected answer, with the loss of
     * {@link TrainingConfig#prefLoss()}: DPO against the frozen starting model, or ORPO / SimPO
     * without a reference.
     */
    DPO
}
