package io.kefu.engine.trtllm.internal;

/**
 * One response, copied out of the library's memory.
 *
 * @param requestId the request it belongs to
 * @param tokens the new tokens (streaming) or all tokens (otherwise)
 * @param logprobs one per token when asked for, else null
 * @param isFinal whether it is the request's last response
 * @param finish why the request ended, when final
 * @param error {@link Status#OK} unless the request failed
 * @param errorMessage the library's message when it failed, else null
 */
public record NativeResponse(long requestId, int[] tokens, float[] logprobs, boolean isFinal, FinishKind finish,
                             Status error, String errorMessage) {
}
