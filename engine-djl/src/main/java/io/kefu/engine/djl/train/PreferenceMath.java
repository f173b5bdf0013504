package io.kefu.engine.djl.train;

import io.kefu.train.PreferenceLoss;
import io.kefu.train.TrainingConfig;

/**
 * The preference losses of one chosen/rejected pair and their derivatives with respect to the two
 * answers' summed log-probabilities, in doubles, after TRL's {@code DPOTrainer} and LLaMA-Factory's
 * {@code CustomDPOTrainer}: ORPO and SimPO work on the log-probabilities averaged over each answer's
 * tokens, and {@code prefFtx} adds the chosen answer's averaged negative log-likelihood.
 */
final class PreferenceMath {
    private final PreferenceLoss loss;
    private final double beta;
    private final double labelSmoothing;
    private final double ftx;
    private final double gamma;

    PreferenceMath(PreferenceLoss loss, double beta, double labelSmoothing, double ftx, double gamma) {
        this.loss = loss;
        this.beta = beta;
        this.labelSmoothing = labelSmoothing;
        this.ftx = ftx;
        this.gamma = gamma;
    }

    static PreferenceMath of(TrainingConfig config) {
        return new PreferenceMath(config.prefLoss(), config.prefBeta(), config.labelSmoothing(), config.prefFtx(),
                config.simpoGamma());
    }

    /** @return whether the loss compares with a reference model */
    boolean needsReference() {
        return loss == PreferenceLoss.SIGMOID;
    }

    /**
     * One pair's loss.
     *
     * @param dChosen the derivative of the loss with respect to the chosen answer's summed log-probability
     * @param dRejected the same for the rejected answer
     */
    record Outcome(double loss, double dChosen, double dRejected) {
    }

    /**
     * @param chosen summed log-probability of the chosen answer's tokens under the trained model
     * @param rejected the same for the rejected answer
     * @param chosenTokens the chosen answer's token count
     * @param rejectedTokens the rejected answer's token count
     * @param refChosen the chosen answer's summed log-probability under the reference (ignored without one)
     * @param refRejected the same for the rejected answer
     */
    Outcome pair(double chosen, double rejected, int chosenTokens, int rejectedTokens, double refChosen, double refRejected) {
        double ac = chosen / chosenTokens;
        double ar = rejected / rejectedTokens;
        double value;
        double dc;
        double dr;
        switch (loss) {
            case SIGMOID -> {
                double z = beta * ((chosen - rejected) - (refChosen - refRejected));
                value = -(1 - labelSmoothing) * logSigmoid(z) - labelSmoothing * logSigmoid(-z);
                double dz = -(1 - labelSmoothing) * sigmoid(-z) + labelSmoothing * sigmoid(z);
                dc = beta * dz;
                dr = -beta * dz;
            }
            case SIMPO -> {
                double z = beta * (ac - ar) - gamma;
                value = -logSigmoid(z);
                double dz = -sigmoid(-z);
                dc = beta * dz / chosenTokens;
                dr = -beta * dz / rejectedTokens;
            }
            case ORPO -> {
                // log odds(a) = a - log(1 - exp(a)); log1p(-exp(a)) is exact for a close to 0
                double logOdds = (ac - ar) - (Math.log1p(-Math.exp(ac)) - Math.log1p(-Math.exp(ar)));
                value = -ac - beta * logSigmoid(logOdds);
                double dOdds = -beta * sigmoid(-logOdds);
                // d logOdds / d a = 1 / (1 - exp(a)) for the chosen side, its negative for the rejected
                dc = (-1 + dOdds / -Math.expm1(ac)) / chosenTokens;
                dr = (-dOdds / -Math.expm1(ar)) / rejectedTokens;
            }
            default -> throw new IllegalStateException(loss.name());
        }
        if (ftx > 0) {
            value += ftx * -ac;
            dc += -ftx / chosenTokens;
        }
        return new Outcome(value, dc, dr);
    }

    static double logSigmoid(double x) {
        return x >= 0 ? -Math.log1p(Math.exp(-x)) : x - Math.log1p(Math.exp(x));
    }

    static double sigmoid(double x) {
        return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    }
}
