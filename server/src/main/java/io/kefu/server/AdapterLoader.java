package io.kefu.server;

import io.kefu.chat.ChatModel;

import java.nio.file.Path;

/**
 * Loads a LoRA adapter while the server runs ({@code POST /v1/load_lora_adapter}): builds a chat
 * model over the served base that answers with the adapter in a folder. Given to
 * {@link ServerConfig.Builder#runtimeAdapters(AdapterLoader)}; without one, adapters cannot be
 * loaded or unloaded at run time.
 */
@FunctionalInterface
public interface AdapterLoader {
    /**
     * @param name the name clients will put in {@code model}
     * @param folder a PEFT adapter folder ({@code adapter_config.json} + {@code adapter_model.safetensors})
     * @return a chat model over the served base whose default adapter is the one in {@code folder};
     *     the server closes it once the adapter is unloaded and its requests have finished, or when it stops
     * @throws io.kefu.KefuException naming the file, tensor or setting at fault when the folder holds
     *     no adapter that fits the base
     */
    ChatModel load(String name, Path folder);
}
