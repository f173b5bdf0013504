/**
 * A/B test statistics: sticky arm assignment by a hash of the session ({@link io.kefu.eval.ab.ArmAssigner}), conversion
 * rates with a two-proportion z-test and confidence interval ({@link io.kefu.eval.ab.ProportionComparison}),
 * and the sample size a planned effect needs ({@link io.kefu.eval.ab.SampleSize}).
 */
package io.kefu.eval.ab;
