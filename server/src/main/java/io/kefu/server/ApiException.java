package io.kefu.server;

/** An error answered to the client: HTTP status, the request field at fault (or null), and a message. */
final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    final int status;
    final String field;
    final String type;

    ApiException(int status, String type, String field, String message) {
        super(message);
        this.status = status;
        this.type = type;
        this.field = field;
    }

    static ApiException badField(String field, String why) {
        return new ApiException(400, "invalid_request_error", field, field + ": " + why);
    }
}
