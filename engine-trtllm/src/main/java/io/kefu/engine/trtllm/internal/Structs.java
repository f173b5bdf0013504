package io.kefu.engine.trtllm.internal;

import com.sun.jna.Pointer;
import com.sun.jna.Structure;

/** The structures of {@code kefu_trtllm.h}, field for field in the same order. */
public final class Structs {
    private Structs() {
    }

    /** Exposes field offsets for the ABI test. */
    public abstract static class Layout extends Structure {
        Layout() {
        }

        Layout(Pointer p) {
            super(p);
        }

        /** @return the byte offset of a field, as the C compiler should place it */
        public int offsetOf(String field) {
            return fieldOffset(field);
        }
    }

    /** {@code kefu_trtllm_executor_config}. */
    @Structure.FieldOrder({"struct_size", "max_batch_size", "max_num_tokens", "max_queue_size",
            "kv_cache_free_gpu_memory_fraction", "kv_cache_max_tokens", "kv_cache_enable_block_reuse",
            "lora_cache_max_adapters"})
    public static final class ExecutorConfig extends Layout {
        public int struct_size;
        public int max_batch_size;
        public int max_num_tokens;
        public int max_queue_size;
        public float kv_cache_free_gpu_memory_fraction;
        public int kv_cache_max_tokens;
        public int kv_cache_enable_block_reuse;
        public int lora_cache_max_adapters;

        public ExecutorConfig() {
            struct_size = size();
        }
    }

    /** {@code kefu_trtllm_request}. */
    @Structure.FieldOrder({"struct_size", "prompt_tokens", "prompt_length", "max_new_tokens", "temperature", "top_k",
            "top_p", "repetition_penalty", "seed", "end_ids", "num_end_ids", "stop_tokens", "stop_lengths",
            "num_stop_sequences", "streaming", "return_log_probs", "lora_task_id", "lora_weights", "lora_rows",
            "lora_row_width", "lora_config"})
    public static final class Request extends Layout {
        public int struct_size;
        public Pointer prompt_tokens;
        public int prompt_length;
        public int max_new_tokens;
        public float temperature;
        public int top_k;
        public float top_p;
        public float repetition_penalty;
        public long seed;
        public Pointer end_ids;
        public int num_end_ids;
        public Pointer stop_tokens;
        public Pointer stop_lengths;
        public int num_stop_sequences;
        public int streaming;
        public int return_log_probs;
        public long lora_task_id;
        public Pointer lora_weights;
        public long lora_rows;
        public long lora_row_width;
        public Pointer lora_config;

        public Request() {
            struct_size = size();
            lora_task_id = -1;
        }
    }

    /** {@code kefu_trtllm_response}, read from memory the library owns. */
    @Structure.FieldOrder({"struct_size", "request_id", "tokens", "num_tokens", "log_probs", "is_final",
            "finish_reason", "error_status", "error_message"})
    public static final class Response extends Layout {
        public int struct_size;
        public long request_id;
        public Pointer tokens;
        public int num_tokens;
        public Pointer log_probs;
        public int is_final;
        public int finish_reason;
        public int error_status;
        public Pointer error_message;

        public Response() {
        }

        public Response(Pointer p) {
            super(p);
            read();
        }
    }
}
