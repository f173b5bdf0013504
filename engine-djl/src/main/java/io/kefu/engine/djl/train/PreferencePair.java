package io.kefu.engine.djl.train;

import io.kefu.ErrorCode;
import io.kefu.KefuException;

/**
 * One tokenized preference example: the same prompt with the chosen and with the rejected answer,
 * and (for DPO) both answers' summed log-probabilities under the reference model.
 *
 * @param refChosen the chosen answer's summed log-probability under the reference, NaN until computed
 * @param refRejected the same for the rejected answer
 */
public record PreferencePair(TokenSequence chosen, TokenSequence rejected, double refChosen, double refRejected) {
    /** Checks both answers have a trained token. */
    public PreferencePair {
        if (chosen.trainedTokens() == 0 || rejected.trainedTokens() == 0) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "a preference pair needs trained tokens in both answers");
        }
    }

    /** A pair whose reference log-probabilities are not computed yet. */
    public PreferencePair(TokenSequence chosen, TokenSequence rejected) {
        this(chosen, rejected, Double.NaN, Double.NaN);
    }

    /** @return whether the reference log-probabilities are computed */
    boolean hasReference() {
        return !Double.isNaN(refChosen);
    }

    /** @return this pair with the reference log-probabilities */
    PreferencePair withReference(double chosenLogProb, double rejectedLogProb) {
        return new PreferencePair(chosen, rejected, chosenLogProb, rejectedLogProb);
    }
}
