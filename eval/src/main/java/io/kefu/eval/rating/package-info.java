/**
 * Human rating: blind rating sheets of answers from several systems ({@link io.kefu.eval.rating.RatingSheet}),
 * their results per system, and agreement between raters as Krippendorff's alpha
 * ({@link io.kefu.eval.rating.Krippendorff}).
 */
package io.kefu.eval.rating;
