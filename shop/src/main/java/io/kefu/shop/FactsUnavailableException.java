package io.kefu.shop;

import io.kefu.ErrorCode;
import io.kefu.KefuException;

/**
 * A {@link FactsSource} could not read the facts: its database or API is down, too slow, answered an error, or sent
 * data that does not make sense. An answer without facts would be a guess, so the assistant hands the conversation
 * to a person instead. The message says what was read and why it failed, without credentials.
 */
public final class FactsUnavailableException extends KefuException {
    private static final long serialVersionUID = 1L;

    /** @param message what was being read and what went wrong */
    public FactsUnavailableException(String message) {
        super(ErrorCode.IO, message);
    }

    /** @param message what was being read and what went wrong */
    public FactsUnavailableException(String message, Throwable cause) {
        super(ErrorCode.IO, message, cause);
    }
}
