package io.kefu.train;

/**
 * The loss of preference training, named as LLaMA-Factory's {@code pref_loss}. With {@code pc},
 * {@code pr} the summed log-probabilities of the chosen and rejected answers under the trained model,
 * {@code rc}, {@code rr} under the reference (the model the run starts from, frozen), and {@code ac},
 * {@code ar} the log-probabilities averaged over the answers' tokens:
 */
public enum PreferenceLoss {
    /**
     * DPO: {@code -(1 - eps) logsigmoid(beta d) - eps logsigmoid(-beta d)} with
     * {@code d = (pc - pr) - (rc - rr)} and {@code eps} the label smoothing (TRL's {@code sigmoid}).
     */
    SIGMOID,
    /**
     * ORPO, no reference: {@code -ac - beta logsigmoid(log(odds(ac) / odds(ar)))} with
     * {@code odds(a) = exp(a) / (1 - exp(a))}.
     */
    ORPO,
    /** SimPO, no reference: {@code -logsigmoid(beta (ac - ar) - gamma)} with {@code gamma} the SimPO margin. */
    SIMPO
}
