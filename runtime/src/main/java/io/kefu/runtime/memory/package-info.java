/**
 * Memory sizing before training: {@link io.kefu.runtime.memory.TrainingMemory} predicts the peak
 * memory of a fine-tuning run from the model's config alone, broken down by what holds it, and
 * finds what fits a budget; {@link io.kefu.runtime.memory.ByteSize} reads and prints sizes.
 */
package io.kefu.runtime.memory;
