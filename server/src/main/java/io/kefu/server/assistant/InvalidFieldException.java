package io.kefu.server.assistant;

import io.kefu.ErrorCode;
import io.kefu.KefuException;

/**
 * A customer's turn or event the {@link ShopAssistant} refuses, naming the field at fault: {@link ErrorCode#INVALID_REQUEST}
 * for a value out of range, {@link ErrorCode#NOT_FOUND} for a product the shop does not have.
 */
public final class InvalidFieldException extends KefuException {
    private static final long serialVersionUID = 1L;

    private final String field;

    /**
     * @param code {@link ErrorCode#INVALID_REQUEST} or {@link ErrorCode#NOT_FOUND}
     * @param field the field at fault, as clients spell it ({@code question}, {@code sessionId} ...)
     * @param message what is wrong, starting with the field's name
     */
    public InvalidFieldException(ErrorCode code, String field, String message) {
        super(code, message);
        this.field = field;
    }

    static InvalidFieldException invalid(String field, String why) {
        return new InvalidFieldException(ErrorCode.INVALID_REQUEST, field, field + ": " + why);
    }

    /** @return the field at fault, as clients spell it */
    public String field() {
        return field;
    }
}
