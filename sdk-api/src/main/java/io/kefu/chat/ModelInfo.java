package io.kefu.chat;

import java.util.List;

/**
 * Describes a {@link ChatModel}.
 *
 * @param id the model's name (a hub id, a folder name, or e.g. "rules")
 * @param engine the engine id ("djl", "onnx", "trtllm", "remote", "rules" ...)
 * @param adapters names of adapters a request may select; empty when none
 */
public record ModelInfo(String id, String engine, List<String> adapters) {
    /** Copies the adapter list. */
    public ModelInfo {
        java.util.Objects.requireNonNull(id, "id");
        java.util.Objects.requireNonNull(engine, "engine");
        adapters = List.copyOf(adapters);
    }
}
