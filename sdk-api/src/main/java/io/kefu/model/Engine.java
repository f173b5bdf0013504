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
 * own. Obtain one with {@link Engines#get(String)} or, configured in code,
 * {@link Engines#get(String, EngineOptions)}.
 *
 * <p>{@link #close()} releases what the engine itself holds; the base models and chat models it
 * returned belong to the caller and are closed on their own. After {@code close}, every method but
 * {@link #id()}, {@link #capabilities()} and {@code close} fails with {@link ErrorCode#CLOSED}.
 */
public interface Engine extends AutoCloseable {
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

    /**
     * A chat model that batches concurrent calls as {@code batching} says. Engines without their
     * own batching ignore the options and return {@link #chatModel(BaseModel, List)}.
     */
    default ChatModel chatModel(BaseModel base, List<Adapter> adapters, io.kefu.chat.BatchingOptions batching) {
        return chatModel(base, adapters);
    }

    /**
     * Writes a randomly initialised checkpoint of a supported architecture (for tests and for
     * training small models from scratch): the weights drawn as the architecture's reference
     * implementation initialises them, config.json, the tokenizer files of {@code tokenizerDir} and
     * generation_config.json, atomically.
     *
     * @param architecture the {@code model_type} or class name, e.g. {@code llama}, {@code qwen2}, {@code qwen3}
     * @param config a config.json describing the sizes
     * @param tokenizerDir a folder with tokenizer.json and tokenizer_config.json
     * @param out the new checkpoint folder
     * @param seed the initialisation seed
     * @throws KefuException with {@link ErrorCode#UNSUPPORTED} when the engine cannot write checkpoints
     */
    default void initCheckpoint(String architecture, java.nio.file.Path config, java.nio.file.Path tokenizerDir,
                                java.nio.file.Path out, long seed) {
        throw new KefuException(ErrorCode.UNSUPPORTED, "engine '" + id() + "' does not write checkpoints");
    }

    /**
     * Writes a randomly initialised checkpoint as {@link #initCheckpoint(String, java.nio.file.Path,
     * java.nio.file.Path, java.nio.file.Path, long)} does, with settings by name:
     * {@code dtype} ({@code fp32}, {@code fp16} or {@code bf16}; default: the config's
     * {@code torch_dtype}, else fp32) and {@code max_shard_bytes} (shards of at most that many bytes,
     * as the hub shards; default 5,000,000,000). The weights are written as they are drawn, so
     * memory stays small however large the model.
     *
     * @throws KefuException with {@link ErrorCode#INVALID_ARGUMENT} for an unknown setting or value,
     *     {@link ErrorCode#UNSUPPORTED} when the engine cannot write checkpoints
     */
    default void initCheckpoint(String architecture, java.nio.file.Path config, java.nio.file.Path tokenizerDir,
                                java.nio.file.Path out, long seed, java.util.Map<String, String> options) {
        if (!options.isEmpty()) {
            throw new KefuException(ErrorCode.UNSUPPORTED, "engine '" + id() + "' takes no checkpoint settings, got "
                    + options.keySet());
        }
        initCheckpoint(architecture, config, tokenizerDir, out, seed);
    }

    /**
     * Merges a LoRA adapter into its base checkpoint and writes the result as a new checkpoint
     * folder ({@code W + scale * B * A}), with the base's tokenizer files and a generation_config.json
     * whose EOS ids include the chat template's end-of-turn token; streamed tensor by tensor.
     *
     * @throws KefuException with {@link ErrorCode#UNSUPPORTED} when the engine cannot merge
     */
    default void merge(java.nio.file.Path baseModel, Adapter adapter, java.nio.file.Path out) {
        throw new KefuException(ErrorCode.UNSUPPORTED, "engine '" + id() + "' does not merge adapters");
    }

    /**
     * Exports a checkpoint, with a LoRA adapter merged in when one is given, to this engine's own
     * model format (for example an ONNX decoder with its genai_config.json), into a new or empty
     * folder, atomically.
     *
     * @param baseModel a Hugging Face checkpoint folder
     * @param adapter a PEFT adapter folder to merge, or empty
     * @param out the new or empty output folder
     * @param options engine-specific settings by name (for example {@code dtype=fp16}); unknown
     *     names are rejected with {@link ErrorCode#INVALID_ARGUMENT}
     * @return the folder written
     * @throws KefuException with {@link ErrorCode#UNSUPPORTED} when the engine has no export format
     */
    default java.nio.file.Path export(java.nio.file.Path baseModel, java.util.Optional<java.nio.file.Path> adapter,
                                      java.nio.file.Path out, java.util.Map<String, String> options) {
        throw new KefuException(ErrorCode.UNSUPPORTED, "engine '" + id() + "' does not export models");
    }

    /**
     * Measures the engine's fp32 rate on square matrix products, for benchmarks.
     *
     * @param n the matrix size
     * @param duration how long to keep multiplying
     * @throws KefuException with {@link ErrorCode#UNSUPPORTED} when the engine cannot measure it
     */
    default MatmulRate measureMatmul(int n, java.time.Duration duration) {
        throw new KefuException(ErrorCode.UNSUPPORTED, "engine '" + id() + "' does not measure its matmul rate");
    }

    /**
     * Releases what the engine holds; idempotent, and throws no checked exception. Models it returned
     * stay open until their own {@code close}.
     */
    @Override
    void close();

    /** A chat model over the base with no adapter. */
    default ChatModel chatModel(BaseModel base) {
        return chatModel(base, List.of());
    }

    /** A chat model over the base with one adapter. */
    default ChatModel chatModel(BaseModel base, Adapter adapter) {
        return chatModel(base, List.of(adapter));
    }
}
