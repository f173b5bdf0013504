package io.kefu.eval.ab;

import io.kefu.ErrorCode;
import io.kefu.KefuException;

/**
 * Conversion of a treatment arm against a control arm: rates, absolute and relative lift, the
 * two-sided two-proportion z-test (pooled standard error) and a Wald confidence interval for the
 * difference (unpooled standard error), as in the usual textbook treatment.
 *
 * @param control name of the control arm
 * @param treatment name of the treatment arm
 * @param controlSessions sessions in the control arm
 * @param controlConversions converted sessions in the control arm
 * @param treatmentSessions sessions in the treatment arm
 * @param treatmentConversions converted sessions in the treatment arm
 * @param controlRate conversion rate of the control arm
 * @param treatmentRate conversion rate of the treatment arm
 * @param absoluteLift treatment rate minus control rate
 * @param relativeLift absolute lift divided by the control rate (NaN when the control rate is 0)
 * @param z the z statistic
 * @param pValue two-sided p-value
 * @param confidence the interval's confidence level, e.g. 0.95
 * @param ciLow lower end of the interval for the absolute lift
 * @param ciHigh upper end of the interval for the absolute lift
 */
public record ProportionComparison(String control, String treatment, long controlSessions, long controlConversions,
                                   long treatmentSessions, long treatmentConversions, double controlRate,
                                   double treatmentRate, double absoluteLift, double relativeLift, double z,
                                   double pValue, double confidence, double ciLow, double ciHigh) {
    /**
     * @throws KefuException {@link ErrorCode#INVALID_ARGUMENT} when an arm has no sessions, more
     *     conversions than sessions, or the confidence is not in (0, 1)
     */
    public static ProportionComparison of(String control, long controlConversions, long controlSessions,
                                          String treatment, long treatmentConversions, long treatmentSessions,
                                          double confidence) {
        check(control, controlConversions, controlSessions);
        check(treatment, treatmentConversions, treatmentSessions);
        if (!(confidence > 0 && confidence < 1)) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "confidence=" + confidence + " must be in (0, 1)");
        }
        double pa = (double) controlConversions / controlSessions;
        double pb = (double) treatmentConversions / treatmentSessions;
        double pooled = (double) (controlConversions + treatmentConversions) / (controlSessions + treatmentSessions);
        double sePooled = Math.sqrt(pooled * (1 - pooled) * (1.0 / controlSessions + 1.0 / treatmentSessions));
        double z = sePooled == 0 ? 0 : (pb - pa) / sePooled;
        double p = sePooled == 0 ? 1 : 2 * (1 - Normal.cdf(Math.abs(z)));
        double se = Math.sqrt(pa * (1 - pa) / controlSessions + pb * (1 - pb) / treatmentSessions);
        double zc = Normal.inverseCdf(1 - (1 - confidence) / 2);
        double lift = pb - pa;
        return new ProportionComparison(control, treatment, controlSessions, controlConversions, treatmentSessions,
                treatmentConversions, pa, pb, lift, pa == 0 ? Double.NaN : lift / pa, z, p, confidence,
                lift - zc * se, lift + zc * se);
    }

    private static void check(String arm, long conversions, long sessions) {
        if (sessions <= 0) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "arm '" + arm + "' has no sessions");
        }
        if (conversions < 0 || conversions > sessions) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "arm '" + arm + "' has " + conversions
                    + " conversions for " + sessions + " sessions");
        }
    }
}
