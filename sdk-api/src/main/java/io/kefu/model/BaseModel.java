package io.kefu.model;

import io.kefu.chat.ChatTemplate;
import java.nio.file.Path;

/**
 * A loaded base checkpoint, owned by the engine that loaded it. Closing it frees its weights;
 * close is idempotent and use after close fails with {@link io.kefu.ErrorCode#CLOSED}.
 */
public interface BaseModel extends AutoCloseable {
    /** @return what was asked for */
    ModelRef ref();

    /** @return the local checkpoint folder (after any download) */
    Path directory();

    /** @return the {@code architectures[0]} of config.json, e.g. {@code LlamaForCausalLM} */
    String architecture();

    /** @return the number of parameters */
    long parameterCount();

    /** @return the chat template from tokenizer_config.json, shared by training and serving */
    ChatTemplate template();

    /**
     * Writes the current weights as a Hugging Face checkpoint (after full fine-tuning), with the
     * tokenizer files, atomically.
     */
    void save(Path directory);

    /** Frees the weights; idempotent. */
    @Override
    void close();
}
