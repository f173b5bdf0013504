package io.kefu.engine.trtllm.internal;

import io.kefu.ErrorCode;
import io.kefu.KefuException;

/** The {@code kefu_trtllm_status} codes and the one place that turns them into {@link KefuException}s. */
public enum Status {
    OK(0, null),
    INVALID_ARGUMENT(1, ErrorCode.INVALID_ARGUMENT),
    NOT_FOUND(2, ErrorCode.NOT_FOUND),
    INVALID_ENGINE(3, ErrorCode.INVALID_CHECKPOINT),
    QUEUE_FULL(4, ErrorCode.RESOURCE_EXHAUSTED),
    SHUT_DOWN(5, ErrorCode.CLOSED),
    TIMEOUT(6, ErrorCode.TIMEOUT),
    ENGINE_FAILURE(7, ErrorCode.ENGINE_FAILURE),
    INTERNAL(8, ErrorCode.INTERNAL);

    private final int code;
    private final ErrorCode errorCode;

    Status(int code, ErrorCode errorCode) {
        this.code = code;
        this.errorCode = errorCode;
    }

    /** @return the C value */
    public int code() {
        return code;
    }

    /** @return the error code a failure with this status is reported with */
    public ErrorCode errorCode() {
        return errorCode == null ? ErrorCode.INTERNAL : errorCode;
    }

    /** @return the status of a C value; unknown values are {@link #INTERNAL} */
    public static Status of(int code) {
        for (Status s : values()) {
            if (s.code == code) {
                return s;
            }
        }
        return INTERNAL;
    }

    /**
     * Throws when a call failed, with the library's last-error text of this thread.
     *
     * @param lib the library the call went to, asked for its last error on the same thread
     * @param code what the call returned
     * @param call which call, for the message
     */
    public static void check(TrtllmNative lib, int code, String call) {
        if (code == OK.code) {
            return;
        }
        Status status = of(code);
        String detail = lib.kefu_trtllm_last_error();
        String known = status == INTERNAL && code != INTERNAL.code ? " (unknown status " + code + ")" : "";
        throw new KefuException(status.errorCode(), "TensorRT-LLM " + call + " failed with " + status + known + ": "
                + (detail == null || detail.isEmpty() ? "no detail given" : detail));
    }
}
