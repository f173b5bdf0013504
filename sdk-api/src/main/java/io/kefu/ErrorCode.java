package io.kefu;

/**
 * What kind of failure a {@link KefuException} reports. Callers branch on the code, never on the
 * message text. Servers map codes to HTTP statuses; the CLI maps them to exit codes.
 */
public enum ErrorCode {
    /** A caller passed an argument that is out of range or inconsistent (usage error). */
    INVALID_ARGUMENT,
    /** A data file (dataset, predictions, ratings, catalog) is malformed; the message names file:line and field. */
    INVALID_DATA,
    /** A configuration (training config, LoRA config, YAML/JSON config file) is invalid; the message names the key. */
    INVALID_CONFIG,
    /** A model checkpoint or adapter is missing files, has an unknown architecture or a misshapen tensor. */
    INVALID_CHECKPOINT,
    /** A chat request is invalid (empty messages, bad parameters, unknown adapter). */
    INVALID_REQUEST,
    /** Something named does not exist: a file, an engine, an adapter, a model on the hub. */
    NOT_FOUND,
    /** The operation is valid but not supported by this engine or format. */
    UNSUPPORTED,
    /** An engine cannot be loaded (native library missing, ABI mismatch, no device). */
    ENGINE_UNAVAILABLE,
    /** The engine failed while running; the engine's own exception is the cause. */
    ENGINE_FAILURE,
    /** A file system or network read/write failed. */
    IO,
    /** The caller cancelled the operation. */
    CANCELLED,
    /** The operation did not finish in the allotted time. */
    TIMEOUT,
    /** A queue or capacity limit was reached; retrying later may succeed. */
    RESOURCE_EXHAUSTED,
    /** Credentials were missing or wrong. */
    UNAUTHENTICATED,
    /** A remote server answered with an error; its message is kept. */
    REMOTE,
    /** The object was used after {@code close()}. */
    CLOSED,
    /** A bug in Kefu: an invariant did not hold. */
    INTERNAL
}
