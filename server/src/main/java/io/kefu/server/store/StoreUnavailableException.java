package io.kefu.server.store;

import io.kefu.ErrorCode;
import io.kefu.KefuException;

/** The store database cannot be reached or failed; the server answers 503 and recovers when it returns. */
public final class StoreUnavailableException extends KefuException {
    private static final long serialVersionUID = 1L;

    /** @param what what was being done, e.g. {@code reading the facts of product 1001} */
    public StoreUnavailableException(String what, Throwable cause) {
        super(ErrorCode.IO, "the shop database is unavailable while " + what + ": " + cause.getMessage(), cause);
    }
}
