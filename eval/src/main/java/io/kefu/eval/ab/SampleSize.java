package io.kefu.eval.ab;

import io.kefu.ErrorCode;
import io.kefu.KefuException;

/**
 * Sessions per arm needed to detect a change of conversion rate from p1 to p2 with a two-sided
 * two-proportion z-test (the classic formula without continuity correction, e.g. Fleiss):
 * {@code n = (z(1-a/2) sqrt(2 pbar qbar) + z(power) sqrt(p1 q1 + p2 q2))^2 / (p1 - p2)^2}.
 *
 * @param p1 baseline conversion rate
 * @param p2 conversion rate to detect
 * @param alpha two-sided significance level
 * @param power probability of detecting the change
 * @param exact the unrounded n
 * @param perArm n rounded up
 */
public record SampleSize(double p1, double p2, double alpha, double power, double exact, long perArm) {
    /** @throws KefuException {@link ErrorCode#INVALID_ARGUMENT} naming the parameter that is out of range */
    public static SampleSize perArm(double p1, double p2, double alpha, double power) {
        require(p1 > 0 && p1 < 1, "p1", p1, "must be in (0, 1)");
        require(p2 > 0 && p2 < 1, "p2", p2, "must be in (0, 1)");
        require(p1 != p2, "p2", p2, "must differ from p1");
        require(alpha > 0 && alpha < 1, "alpha", alpha, "must be in (0, 1)");
        require(power > 0 && power < 1, "power", power, "must be in (0, 1)");
        double za = Normal.inverseCdf(1 - alpha / 2);
        double zb = Normal.inverseCdf(power);
        double pbar = (p1 + p2) / 2;
        double root = za * Math.sqrt(2 * pbar * (1 - pbar)) + zb * Math.sqrt(p1 * (1 - p1) + p2 * (1 - p2));
        double n = root * root / ((p1 - p2) * (p1 - p2));
        return new SampleSize(p1, p2, alpha, power, n, (long) Math.ceil(n));
    }

    private static void require(boolean ok, String name, double value, String rule) {
        if (!ok) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "--" + name + "=" + value + " " + rule);
        }
    }
}
