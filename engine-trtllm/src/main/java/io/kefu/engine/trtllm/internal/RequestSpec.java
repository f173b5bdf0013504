package io.kefu.engine.trtllm.internal;

import java.util.List;

/**
 * One request as the shim takes it.
 *
 * @param prompt the prompt token ids
 * @param maxNewTokens the most tokens to generate
 * @param temperature 0 for greedy
 * @param topK 0 for off
 * @param topP 1 for off
 * @param repetitionPenalty 1 for off
 * @param seed the sampling seed
 * @param endIds token ids that end generation (the first is the executor's end id)
 * @param stopSequences token sequences that end generation
 * @param streaming whether to receive tokens as they are generated
 * @param logprobs whether to receive per-token log-probabilities
 * @param loraTaskId the LoRA task, or -1 for none
 * @param lora the adapter's tensors for the task's first request, else null
 */
public record RequestSpec(int[] prompt, int maxNewTokens, float temperature, int topK, float topP,
                          float repetitionPenalty, long seed, int[] endIds, List<int[]> stopSequences,
                          boolean streaming, boolean logprobs, long loraTaskId, LoraTensors lora) {
    /** Copies the lists. */
    public RequestSpec {
        stopSequences = List.copyOf(stopSequences);
    }

    /** @return a greedy streaming request with no end ids, stops or LoRA (for tests) */
    public static RequestSpec greedy(int[] prompt, int maxNewTokens) {
        return new RequestSpec(prompt, maxNewTokens, 0f, 0, 1f, 1f, 0L, new int[0], List.of(), true, false, -1, null);
    }

    /** @return this request with other end ids */
    public RequestSpec withEndIds(int... ids) {
        return new RequestSpec(prompt, maxNewTokens, temperature, topK, topP, repetitionPenalty, seed, ids,
                stopSequences, streaming, logprobs, loraTaskId, lora);
    }

    /** @return this request with other stop sequences */
    public RequestSpec withStops(List<int[]> stops) {
        return new RequestSpec(prompt, maxNewTokens, temperature, topK, topP, repetitionPenalty, seed, endIds,
                stops, streaming, logprobs, loraTaskId, lora);
    }

    /** @return this request streaming or not */
    public RequestSpec withStreaming(boolean value) {
        return new RequestSpec(prompt, maxNewTokens, temperature, topK, topP, repetitionPenalty, seed, endIds,
                stopSequences, value, logprobs, loraTaskId, lora);
    }

    /** @return this request with a LoRA task, and its tensors when they are to be sent */
    public RequestSpec withLora(long taskId, LoraTensors tensors) {
        return new RequestSpec(prompt, maxNewTokens, temperature, topK, topP, repetitionPenalty, seed, endIds,
                stopSequences, streaming, logprobs, taskId, tensors);
    }
}
