/**
 * Compact storage for frozen weights: 4-bit NormalFloat blocks as QLoRA defines them
 * ({@link io.kefu.runtime.quant.Nf4}, {@link io.kefu.runtime.quant.Nf4Tensor}) and 16-bit float
 * storage with its range check ({@link io.kefu.runtime.quant.HalfPrecision}). Everything here is
 * plain Java over arrays and buffers; an engine widens the result to fp32 one layer at a time.
 */
package io.kefu.runtime.quant;
