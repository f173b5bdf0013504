package io.kefu.engine.remote;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.net.URI;

/** Turns HTTP statuses into {@link KefuException}s that keep the server's own message. */
final class RemoteErrors {
    private RemoteErrors() {
    }

    /** 429 and 5xx are worth another try, except 501 and 505, which a retry cannot change. */
    static boolean isRetryable(int status) {
        return status == 429 || (status >= 500 && status != 501 && status != 505);
    }

    /**
     * 400/413/422 -> INVALID_REQUEST, 401/403 -> UNAUTHENTICATED, 404 -> NOT_FOUND, 408 -> TIMEOUT,
     * 429 -> RESOURCE_EXHAUSTED, anything else -> REMOTE.
     */
    static ErrorCode code(int status) {
        return switch (status) {
            case 400, 413, 422 -> ErrorCode.INVALID_REQUEST;
            case 401, 403 -> ErrorCode.UNAUTHENTICATED;
            case 404 -> ErrorCode.NOT_FOUND;
            case 408 -> ErrorCode.TIMEOUT;
            case 429 -> ErrorCode.RESOURCE_EXHAUSTED;
            default -> ErrorCode.REMOTE;
        };
    }

    static KefuException forStatus(int status, String serverMessage, URI uri, int attempts) {
        StringBuilder message = new StringBuilder()
                .append("remote server ").append(uri).append(" answered HTTP ").append(status)
                .append(attempts > 1 ? " after " + attempts + " attempts" : "")
                .append(": ").append(serverMessage);
        if (status == 401 || status == 403) {
            message.append(" (the API key comes from the environment variable ").append(RemoteConfig.API_KEY_ENV)
                    .append(" or the file named by kefu.remote.apiKeyFile)");
        } else if (status == 404) {
            message.append(" (check the base URL, which should end in /v1, and the model name kefu.remote.model)");
        }
        return new KefuException(code(status), message.toString());
    }
}
