package io.kefu.engine.trtllm.internal;

import com.sun.jna.Library;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;

/** The functions of {@code kefu_trtllm.h}, one for one; every int result is a {@link Status} code. */
public interface TrtllmNative extends Library {
    /** The ABI version these bindings were written for ({@code KEFU_TRTLLM_ABI_VERSION}). */
    int ABI_VERSION = 1;

    int kefu_trtllm_abi_version();

    String kefu_trtllm_backend();

    String kefu_trtllm_last_error();

    int kefu_trtllm_executor_create(String engineDir, Structs.ExecutorConfig config, PointerByReference out);

    int kefu_trtllm_enqueue(Pointer executor, Structs.Request request, LongByReference outRequestId);

    int kefu_trtllm_await(Pointer executor, int timeoutMs, PointerByReference outResponses, IntByReference outCount);

    int kefu_trtllm_cancel(Pointer executor, long requestId);

    int kefu_trtllm_shutdown(Pointer executor, int timeoutMs);

    int kefu_trtllm_stats_json(Pointer executor, PointerByReference outJson);

    void kefu_trtllm_executor_destroy(Pointer executor);
}
