package io.kefu.train;

import io.kefu.spi.CoreServices;
import java.nio.file.Path;
import java.util.List;

/**
 * Trained LoRA weights and their config, stored in PEFT's on-disk layout
 * ({@code adapter_config.json} + {@code adapter_model.safetensors}, tensor names
 * {@code base_model.model.model.layers.{i}.self_attn.q_proj.lora_A.weight}). Adapters written by
 * PEFT load here and adapters written here load in PEFT.
 */
public interface Adapter {
    /** @return the LoRA settings it was trained with */
    LoraConfig config();

    /** @return {@code base_model_name_or_path}: the base it belongs to */
    String baseModel();

    /** @return the PEFT tensor names it holds, sorted */
    List<String> tensorNames();

    /**
     * Writes {@code adapter_config.json} and {@code adapter_model.safetensors} into the directory
     * (created if needed), atomically: a failure leaves no half-written files.
     */
    void save(Path directory);

    /**
     * Loads an adapter saved by Kefu or PEFT.
     *
     * @throws io.kefu.KefuException with {@link io.kefu.ErrorCode#INVALID_CHECKPOINT} naming the file or tensor at fault
     */
    static Adapter load(Path directory) {
        return CoreServices.get().loadAdapter(directory);
    }
}
