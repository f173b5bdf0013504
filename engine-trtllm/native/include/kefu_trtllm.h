/*
 * kefu_trtllm.h - a small C ABI over TensorRT-LLM's C++ executor, bound from Java with JNA.
 *
 * Conventions
 *  - Every function returns a kefu_trtllm_status; on failure the calling thread's
 *    kefu_trtllm_last_error() says what went wrong, where and why.
 *  - Every struct passed in starts with `struct_size`: the caller sets it to sizeof(struct) as it
 *    knows it. A newer library reads only the fields that fit and defaults the rest; a struct
 *    smaller than the version-1 size is rejected with KEFU_TRTLLM_INVALID_ARGUMENT.
 *  - Memory passed in is only read during the call. Memory handed out (responses, stats) belongs
 *    to the library and stays valid until the next call of the same function on the same thread
 *    and handle, or until the handle is destroyed.
 *  - Handles are thread-safe, except kefu_trtllm_executor_destroy, which must be the last call.
 */
#ifndef KEFU_TRTLLM_H
#define KEFU_TRTLLM_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped on any incompatible change; callers compare it with kefu_trtllm_abi_version(). */
#define KEFU_TRTLLM_ABI_VERSION 1

#if defined(_WIN32)
#define KEFU_TRTLLM_API __declspec(dllexport)
#else
#define KEFU_TRTLLM_API __attribute__((visibility("default")))
#endif

typedef enum kefu_trtllm_status {
    KEFU_TRTLLM_OK = 0,
    KEFU_TRTLLM_INVALID_ARGUMENT = 1, /* a null pointer, a bad size or an out-of-range field */
    KEFU_TRTLLM_NOT_FOUND = 2,        /* engine directory missing; LoRA task not cached */
    KEFU_TRTLLM_INVALID_ENGINE = 3,   /* the engine directory cannot be loaded */
    KEFU_TRTLLM_QUEUE_FULL = 4,       /* the executor cannot take more requests now; retry later */
    KEFU_TRTLLM_SHUT_DOWN = 5,        /* the executor is shutting down or shut down */
    KEFU_TRTLLM_TIMEOUT = 6,          /* shutdown did not drain in the time given */
    KEFU_TRTLLM_ENGINE_FAILURE = 7,   /* TensorRT-LLM reported an error */
    KEFU_TRTLLM_INTERNAL = 8          /* a bug in the shim */
} kefu_trtllm_status;

typedef enum kefu_trtllm_finish_reason {
    KEFU_TRTLLM_NOT_FINISHED = 0,
    KEFU_TRTLLM_FINISH_END_ID = 1,     /* an end id was generated (not included in the tokens) */
    KEFU_TRTLLM_FINISH_STOP_WORDS = 2, /* a stop sequence was generated (included) */
    KEFU_TRTLLM_FINISH_LENGTH = 3,     /* max_new_tokens reached */
    KEFU_TRTLLM_FINISH_CANCELLED = 4,  /* kefu_trtllm_cancel or shutdown */
    KEFU_TRTLLM_FINISH_ERROR = 5       /* see error_status and error_message */
} kefu_trtllm_finish_reason;

/* Version-1 executor settings. Zero means "the default" where noted. */
typedef struct kefu_trtllm_executor_config {
    uint32_t struct_size;
    int32_t max_batch_size;                   /* requests decoded together; 0: the engine's build value */
    int32_t max_num_tokens;                   /* tokens per iteration; 0: the engine's build value */
    int32_t max_queue_size;                   /* requests that may wait for a batch slot: enqueue reports QUEUE_FULL
                                                 once max_batch_size + max_queue_size are in flight; 0: unbounded */
    float kv_cache_free_gpu_memory_fraction;  /* share of free GPU memory for the KV cache; 0: 0.9 */
    int32_t kv_cache_max_tokens;              /* cap on KV-cache tokens; 0: no cap */
    int32_t kv_cache_enable_block_reuse;      /* 1: reuse KV blocks of shared prefixes */
    int32_t lora_cache_max_adapters;          /* LoRA adapters kept on the device; 0: the library default */
} kefu_trtllm_executor_config;

/* Version-1 request. Pointers may be null when their count is 0. */
typedef struct kefu_trtllm_request {
    uint32_t struct_size;
    const int32_t *prompt_tokens;
    int32_t prompt_length;
    int32_t max_new_tokens;
    float temperature;          /* 0: greedy */
    int32_t top_k;              /* 0: off */
    float top_p;                /* 1 or 0: off */
    float repetition_penalty;   /* 1 or 0: off */
    uint64_t seed;
    const int32_t *end_ids;     /* the first is the executor's end id, the rest act as one-token stops */
    int32_t num_end_ids;
    const int32_t *stop_tokens; /* all stop sequences, concatenated */
    const int32_t *stop_lengths;/* length of each stop sequence */
    int32_t num_stop_sequences;
    int32_t streaming;          /* 1: a response per iteration with the new tokens; 0: one final response */
    int32_t return_log_probs;   /* 1: fill kefu_trtllm_response.log_probs */
    int64_t lora_task_id;       /* -1: no LoRA */
    const float *lora_weights;  /* first use of a task: [lora_rows, lora_row_width] fp32, see README */
    int64_t lora_rows;
    int64_t lora_row_width;
    const int32_t *lora_config; /* first use of a task: [lora_rows, 3] = module_id, layer, rank */
} kefu_trtllm_request;

/* One response. Non-streaming: all tokens at once; streaming: the tokens new since the last one. */
typedef struct kefu_trtllm_response {
    uint32_t struct_size;
    uint64_t request_id;
    const int32_t *tokens;
    int32_t num_tokens;
    const float *log_probs;     /* num_tokens entries, or null when not asked for */
    int32_t is_final;
    int32_t finish_reason;      /* kefu_trtllm_finish_reason; NOT_FINISHED unless is_final */
    int32_t error_status;       /* KEFU_TRTLLM_OK, or why the request failed (then is_final = 1) */
    const char *error_message;  /* null unless error_status != OK */
} kefu_trtllm_response;

typedef struct kefu_trtllm_executor kefu_trtllm_executor;

/* The ABI this library implements (KEFU_TRTLLM_ABI_VERSION when it was built). */
KEFU_TRTLLM_API uint32_t kefu_trtllm_abi_version(void);

/* A short description of the implementation, e.g. "TensorRT-LLM 0.16.0". Never null, static. */
KEFU_TRTLLM_API const char *kefu_trtllm_backend(void);

/* The message of the last failed call on this thread; "" when none. Valid until the next call. */
KEFU_TRTLLM_API const char *kefu_trtllm_last_error(void);

/* Loads the engine in engine_dir (rank0.engine + config.json, as trtllm-build writes them). */
KEFU_TRTLLM_API kefu_trtllm_status kefu_trtllm_executor_create(const char *engine_dir,
        const kefu_trtllm_executor_config *config, kefu_trtllm_executor **out);

/* Queues a request; QUEUE_FULL when the queue is at max_queue_size, SHUT_DOWN after shutdown. */
KEFU_TRTLLM_API kefu_trtllm_status kefu_trtllm_enqueue(kefu_trtllm_executor *executor,
        const kefu_trtllm_request *request, uint64_t *out_request_id);

/* Waits up to timeout_ms (0: do not wait) for responses of any request. On return *out_count may be
 * 0 (timed out). The array and what it points to stay valid until the next await on this thread and
 * handle. */
KEFU_TRTLLM_API kefu_trtllm_status kefu_trtllm_await(kefu_trtllm_executor *executor, int32_t timeout_ms,
        const kefu_trtllm_response **out_responses, int32_t *out_count);

/* Asks a request to stop; its final response says CANCELLED. Unknown or finished ids are ignored. */
KEFU_TRTLLM_API kefu_trtllm_status kefu_trtllm_cancel(kefu_trtllm_executor *executor, uint64_t request_id);

/* Stops taking requests and waits up to timeout_ms until every request in flight has delivered its
 * final response through kefu_trtllm_await (call it from another thread meanwhile); TIMEOUT if
 * some have not. Idempotent. */
KEFU_TRTLLM_API kefu_trtllm_status kefu_trtllm_shutdown(kefu_trtllm_executor *executor, int32_t timeout_ms);

/* The latest iteration statistics as a JSON object. Valid until the next call on this thread. */
KEFU_TRTLLM_API kefu_trtllm_status kefu_trtllm_stats_json(kefu_trtllm_executor *executor, const char **out_json);

/* Cancels what is left, stops the threads and frees everything. Null is ignored. */
KEFU_TRTLLM_API void kefu_trtllm_executor_destroy(kefu_trtllm_executor *executor);

#ifdef __cplusplus
}
#endif

#endif /* KEFU_TRTLLM_H */
