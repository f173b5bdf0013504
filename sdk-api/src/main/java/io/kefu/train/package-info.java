/**
 * Fine-tuning: a {@link io.kefu.train.TrainingConfig} (with a {@link io.kefu.train.LoraConfig}
 * for LoRA) configures a {@link io.kefu.train.Trainer}, whose {@code fit} reports
 * {@link io.kefu.train.TrainingEvent}s to {@link io.kefu.train.TrainingListener}s and returns an
 * {@link io.kefu.train.Adapter}, saved and loaded in PEFT's on-disk layout.
 */
package io.kefu.train;
