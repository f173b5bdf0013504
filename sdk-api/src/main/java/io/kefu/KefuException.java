package io.kefu;

import java.util.Objects;

/**
 * The one unchecked exception every Kefu API throws. Engine and library exceptions never cross the
 * API: they are kept as the {@linkplain #getCause() cause}.
 *
 * <p>Messages are written for the person who has to act on them: what went wrong, where
 * (file:line, field, tensor name) and why.
 */
public class KefuException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    /**
     * @param code what kind of failure this is
     * @param message what went wrong, where and why
     */
    public KefuException(ErrorCode code, String message) {
        super(message);
        this.code = Objects.requireNonNull(code, "code");
    }

    /**
     * @param code what kind of failure this is
     * @param message what went wrong, where and why
     * @param cause the underlying exception, kept for diagnosis
     */
    public KefuException(ErrorCode code, String message, Throwable cause) {
        super(message, cause);
        this.code = Objects.requireNonNull(code, "code");
    }

    /** @return what kind of failure this is */
    public ErrorCode code() {
        return code;
    }

    @Override
    public String toString() {
        return "KefuException[" + code + "]: " + getMessage();
    }
}
