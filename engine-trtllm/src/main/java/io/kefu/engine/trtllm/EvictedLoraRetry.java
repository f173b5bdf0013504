package io.kefu.engine.trtllm;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.engine.trtllm.internal.NativeResponse;
import io.kefu.engine.trtllm.internal.ResponseSink;
import io.kefu.engine.trtllm.internal.Status;
import java.util.function.LongConsumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sink of a request sent with a LoRA task id but without the adapter's weights (the executor
 * had them cached). When the executor has evicted the task meanwhile, it accepts the request and
 * then fails it through its responses ({@code PeftTaskNotCachedException}, here
 * {@link Status#NOT_FOUND}); this sink then sends the request again with the weights and lets the
 * new request answer the same stream. Every other response goes straight to the stream.
 */
final class EvictedLoraRetry implements ResponseSink {
    private static final Logger LOG = LoggerFactory.getLogger(EvictedLoraRetry.class);

    private final TrtllmChatStream stream;
    private final LongSupplier resendWithWeights;
    private final LongConsumer canceller;
    private boolean resent;

    /**
     * @param stream the caller's stream
     * @param resendWithWeights enqueues the request again, with the adapter's weights, answering {@code stream};
     *     returns the new request id
     * @param canceller cancels a request by id
     */
    EvictedLoraRetry(TrtllmChatStream stream, LongSupplier resendWithWeights, LongConsumer canceller) {
        this.stream = stream;
        this.resendWithWeights = resendWithWeights;
        this.canceller = canceller;
    }

    @Override
    public void onResponse(NativeResponse response) {
        if (resent || !response.isFinal() || response.error() != Status.NOT_FOUND || response.tokens().length > 0) {
            stream.onResponse(response);
            return;
        }
        resent = true;
        LOG.info("TensorRT-LLM request {}: its LoRA task was evicted from the executor's cache; sending it again with "
                + "the adapter's weights", response.requestId());
        long id;
        try {
            id = resendWithWeights.getAsLong();
        } catch (KefuException e) {
            stream.onFailure(e);
            return;
        } catch (RuntimeException e) {
            stream.onFailure(new KefuException(ErrorCode.ENGINE_FAILURE,
                    "TensorRT-LLM request " + response.requestId() + ": resending it with its LoRA weights failed: " + e.getMessage(), e));
            return;
        }
        stream.started(id);
        if (stream.isCancelled()) {
            canceller.accept(id);
        }
    }

    @Override
    public void onFailure(KefuException failure) {
        stream.onFailure(failure);
    }
}
