package io.kefu.engine.djl.model;

import java.net.URISyntaxException;
import java.nio.file.Path;

/** Locates the committed golden fixtures written by scripts/golden/torch_reference.py. */
public final class Golden {
    private Golden() {
    }

    /** @return the folder of one fixture: llama, qwen2 or qwen3 */
    public static Path dir(String name) {
        try {
            return Path.of(Golden.class.getResource("/golden/" + name + "/config.json").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
