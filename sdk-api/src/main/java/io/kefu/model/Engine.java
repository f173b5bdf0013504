package io.kefu.model;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatModel;
import io.kefu.train.Adapter;
import io.kefu.train.Trainer;
import io.kefu.train.TrainingConfig;
import java.util.List;
import java.util.Set;

/**
 * A way to run models: DJL + PyTorch, ONNX Runtime, TensorRT-LLM, a remote server, or a vendor's
 * own. Obtain one with {@link Engines#get(String)}.
 */
public interface Engine {
    /** What an engine can do. */
    enum Capability {
        /** {@link #trainer(TrainingConfig)} works. */
        TRAIN,
        /** {@link #chatModel(BaseModel, List)} works. */
        CHAT,
        /** Several adapters can be served from one base at once. */
        MULTI_ADAPTER
    }

    /** @return the id used with {@link Engines#get(String)}, e.g. {@code djl} */
    String id();

    /** @return what this engine can do */
    Set<Capability> capabilities();

    /**
     * Loads a base model from a local folder or the hub.
     *
     * @throws KefuException with {@link ErrorCode#INVALID_CHECKPOINT} or {@link ErrorCode#NOT_FOUND}
     */
    BaseModel load(ModelRef ref);

    /**
     * @return a trainer with this config
     * @throws KefuException with {@link ErrorCode#UNSUPPORTED} when the engine cannot train
     */
    default Trainer trainer(TrainingConfig config) {
        throw new KefuException(ErrorCode.UNSUPPORTED, "engine '" + id() + "' does not train models");
    }

    /**
     * A chat model over the base. With adapters, the first is the default and the others can be
     * selected by name ({@link io.kefu.chat.ChatRequest#adapter()}); names are the adapters'
     * folder names unless the engine documents otherwise.
     */
    ChatModel chatModel(BaseModel base, List<Adapter> adapters);

    /** A chat model over the base with no adapter. */
    default ChatModel chatModel(BaseModel base) {
        return chatModel(base, List.of());
    }

    /** A chat model over the base with one adapter. */
    default ChatModel chatModel(BaseModel base, Adapter adapter) {
        return chatModel(base, List.of(adapter));
    }
}
