/**
 * Configuration files: {@link io.kefu.runtime.config.TrainingConfigFile} reads a YAML or JSON training
 * config with LLaMA-Factory's key names into a {@link io.kefu.train.TrainingConfig}.
 */
package io.kefu.runtime.config;
