package io.kefu.langchain4j;

import dev.langchain4j.exception.AuthenticationException;
import dev.langchain4j.exception.InternalServerException;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.LangChain4jException;
import dev.langchain4j.exception.ModelNotFoundException;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.exception.TimeoutException;
import dev.langchain4j.exception.UnsupportedFeatureException;
import io.kefu.KefuException;

/**
 * Maps a {@link KefuException} to the LangChain4j exception its code means, keeping it as the
 * cause, so LangChain4j's retry logic tells retriable failures (rate limit, timeout, server error)
 * from the others.
 */
final class Exceptions {
    private Exceptions() {
    }

    static LangChain4jException toLangChain4j(KefuException e) {
        String message = e.getMessage();
        return switch (e.code()) {
            case INVALID_ARGUMENT, INVALID_REQUEST -> new InvalidRequestException(message, e);
            case UNAUTHENTICATED -> new AuthenticationException(message, e);
            case NOT_FOUND -> new ModelNotFoundException(message, e);
            case RESOURCE_EXHAUSTED -> new RateLimitException(message, e);
            case TIMEOUT -> new TimeoutException(message, e);
            case REMOTE, ENGINE_FAILURE -> new InternalServerException(message, e);
            case UNSUPPORTED -> unsupported(message, e);
            default -> new LangChain4jException(message, e);
        };
    }

    private static LangChain4jException unsupported(String message, KefuException cause) {
        UnsupportedFeatureException out = new UnsupportedFeatureException(message);
        out.initCause(cause);
        return out;
    }
}
