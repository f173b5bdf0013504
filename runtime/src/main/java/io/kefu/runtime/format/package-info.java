/**
 * The on-disk formats Kefu reads and writes: safetensors files ({@link io.kefu.runtime.format.SafetensorsFile},
 * {@link io.kefu.runtime.format.SafetensorsWriter}), Hugging Face checkpoint folders
 * ({@link io.kefu.runtime.format.Checkpoint}, {@link io.kefu.runtime.format.CheckpointWriter},
 * {@link io.kefu.runtime.format.HfModelConfig}, {@link io.kefu.runtime.format.GenerationConfig},
 * {@link io.kefu.runtime.format.DecoderLayout}), PEFT LoRA adapters ({@link io.kefu.runtime.format.PeftAdapter})
 * and PEFT's parameter counts ({@link io.kefu.runtime.format.ParameterCount}).
 */
package io.kefu.runtime.format;
