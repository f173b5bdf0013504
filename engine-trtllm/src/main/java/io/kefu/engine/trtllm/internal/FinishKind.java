package io.kefu.engine.trtllm.internal;

/** {@code kefu_trtllm_finish_reason}. */
public enum FinishKind {
    NOT_FINISHED, END_ID, STOP_WORDS, LENGTH, CANCELLED, ERROR;

    /** @return the reason of a C value; unknown values are {@link #ERROR} */
    public static FinishKind of(int code) {
        FinishKind[] all = values();
        return code >= 0 && code < all.length ? all[code] : ERROR;
    }
}
