package io.kefu.engine.remote;

import java.util.Objects;

/**
 * A bearer token for the remote server. It never shows up in {@link #toString()}, logs or exception
 * messages: {@link #redact(String)} scrubs it from any text that came back from the server.
 */
final class ApiKey {
    static final String REDACTED = "[redacted]";

    private final String secret;

    ApiKey(String secret) {
        this.secret = Objects.requireNonNull(secret, "secret").strip();
    }

    /** @return the value of the {@code Authorization} header */
    String authorizationHeader() {
        return "Bearer " + secret;
    }

    boolean isBlank() {
        return secret.isEmpty();
    }

    /** @return the text with every occurrence of the key replaced by {@value #REDACTED} */
    String redact(String text) {
        return text == null || secret.isEmpty() ? text : text.replace(secret, REDACTED);
    }

    @Override
    public String toString() {
        return "ApiKey" + REDACTED;
    }
}
