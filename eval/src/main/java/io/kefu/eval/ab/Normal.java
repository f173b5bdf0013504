package io.kefu.eval.ab;

/**
 * The standard normal distribution: CDF from the error function (a positive-term series below
 * 2.5, a continued fraction above; relative error near 1e-15), and its inverse by Acklam's
 * rational approximation polished with two Newton steps.
 */
public final class Normal {
    private Normal() {
    }

    /** @return P(Z <= x) */
    public static double cdf(double x) {
        double z = Math.abs(x) / Math.sqrt(2);
        double upperTail = 0.5 * erfc(z);
        return x >= 0 ? 1 - upperTail : upperTail;
    }

    /** @return x with P(Z <= x) = p, for 0 < p < 1 */
    public static double inverseCdf(double p) {
        if (!(p > 0 && p < 1)) {
            throw new IllegalArgumentException("probability must be in (0, 1): " + p);
        }
        double x = acklam(p);
        for (int i = 0; i < 2; i++) {
            double density = Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI);
            x -= (cdf(x) - p) / density;
        }
        return x;
    }

    static double erfc(double z) {
        if (z < 2.5) {
            // erf(z) = 2/sqrt(pi) * exp(-z^2) * sum 2^n z^(2n+1) / (1*3*...*(2n+1))
            double term = z;
            double sum = z;
            for (int n = 1; n < 200 && term > 1e-17 * sum; n++) {
                term *= 2 * z * z / (2 * n + 1);
                sum += term;
            }
            return 1 - 2 / Math.sqrt(Math.PI) * Math.exp(-z * z) * sum;
        }
        // erfc(z) = exp(-z^2)/sqrt(pi) * 1/(z + (1/2)/(z + 1/(z + (3/2)/(z + ...)))), evaluated backwards
        double f = z;
        for (int k = 60; k >= 1; k--) {
            f = z + (k / 2.0) / f;
        }
        return Math.exp(-z * z) / Math.sqrt(Math.PI) / f;
    }

    private static double acklam(double p) {
        double[] a = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02,
            -3.066479806614716e+01, 2.506628277459239e+00};
        double[] b = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01,
            -1.328068155288572e+01};
        double[] c = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00,
            4.374664141464968e+00, 2.938163982698783e+00};
        double[] d = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00};
        double low = 0.02425;
        if (p < low) {
            double q = Math.sqrt(-2 * Math.log(p));
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
                    / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        }
        if (p > 1 - low) {
            return -acklam(1 - p);
        }
        double q = p - 0.5;
        double r = q * q;
        return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
                / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
    }
}
