/**
 * The on-disk formats Kefu reads and writes: safetensors files ({@link io.kefu.core.format.SafetensorsFile},
 * {@link io.kefu.core.format.SafetensorsWriter}), Hugging Face checkpoint folders
 * ({@link io.kefu.core.format.Checkpoint}, {@link io.kefu.core.format.CheckpointWriter},
 * {@link io.kefu.core.format.HfModelConfig}, {@link io.kefu.core.format.GenerationConfig},
 * {@link io.kefu.core.format.DecoderLayout}), PEFT LoRA adapters ({@link io.kefu.core.format.PeftAdapter})
 * and PEFT's parameter counts ({@link io.kefu.core.format.ParameterCount}).
 */
package io.kefu.core.format;
