/* Prints the size of every struct in kefu_trtllm.h and the offset of each field, one per line:
 *   <struct> <field> <offset>   and   <struct> sizeof <size>
 * The ABI test compares these with the JNA structures. */
#include "kefu_trtllm.h"

#include <stddef.h>
#include <stdio.h>

#define FIELD(s, f) printf("%s %s %zu\n", #s, #f, offsetof(s, f))
#define SIZE(s) printf("%s sizeof %zu\n", #s, sizeof(s))

int main(void) {
    SIZE(kefu_trtllm_executor_config);
    FIELD(kefu_trtllm_executor_config, struct_size);
    FIELD(kefu_trtllm_executor_config, max_batch_size);
    FIELD(kefu_trtllm_executor_config, max_num_tokens);
    FIELD(kefu_trtllm_executor_config, max_queue_size);
    FIELD(kefu_trtllm_executor_config, kv_cache_free_gpu_memory_fraction);
    FIELD(kefu_trtllm_executor_config, kv_cache_max_tokens);
    FIELD(kefu_trtllm_executor_config, kv_cache_enable_block_reuse);
    FIELD(kefu_trtllm_executor_config, lora_cache_max_adapters);

    SIZE(kefu_trtllm_request);
    FIELD(kefu_trtllm_request, struct_size);
    FIELD(kefu_trtllm_request, prompt_tokens);
    FIELD(kefu_trtllm_request, prompt_length);
    FIELD(kefu_trtllm_request, max_new_tokens);
    FIELD(kefu_trtllm_request, temperature);
    FIELD(kefu_trtllm_request, top_k);
    FIELD(kefu_trtllm_request, top_p);
    FIELD(kefu_trtllm_request, repetition_penalty);
    FIELD(kefu_trtllm_request, seed);
    FIELD(kefu_trtllm_request, end_ids);
    FIELD(kefu_trtllm_request, num_end_ids);
    FIELD(kefu_trtllm_request, stop_tokens);
    FIELD(kefu_trtllm_request, stop_lengths);
    FIELD(kefu_trtllm_request, num_stop_sequences);
    FIELD(kefu_trtllm_request, streaming);
    FIELD(kefu_trtllm_request, return_log_probs);
    FIELD(kefu_trtllm_request, lora_task_id);
    FIELD(kefu_trtllm_request, lora_weights);
    FIELD(kefu_trtllm_request, lora_rows);
    FIELD(kefu_trtllm_request, lora_row_width);
    FIELD(kefu_trtllm_request, lora_config);

    SIZE(kefu_trtllm_response);
    FIELD(kefu_trtllm_response, struct_size);
    FIELD(kefu_trtllm_response, request_id);
    FIELD(kefu_trtllm_response, tokens);
    FIELD(kefu_trtllm_response, num_tokens);
    FIELD(kefu_trtllm_response, log_probs);
    FIELD(kefu_trtllm_response, is_final);
    FIELD(kefu_trtllm_response, finish_reason);
    FIELD(kefu_trtllm_response, error_status);
    FIELD(kefu_trtllm_response, error_message);
    return 0;
}
