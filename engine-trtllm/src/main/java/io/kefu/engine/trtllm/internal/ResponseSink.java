package io.kefu.engine.trtllm.internal;

import io.kefu.KefuException;

/** Receives the responses of one request, on the poller thread; must not block. */
public interface ResponseSink {
    /** A response of the request; the last one has {@link NativeResponse#isFinal()}. */
    void onResponse(NativeResponse response);

    /** The request will get no (more) responses: it timed out, or the executor failed or closed. */
    void onFailure(KefuException failure);
}
