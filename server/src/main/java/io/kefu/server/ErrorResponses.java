package io.kefu.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.kefu.KefuException;
import io.kefu.server.assistant.InvalidFieldException;
import io.kefu.server.store.StoreUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns every failure into a JSON error in OpenAI's shape ({@code {"error": {message, type, param, code}}}) with
 * the HTTP status its cause calls for; internal details stay in the log.
 */
final class ErrorResponses {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorResponses.class);
    private static final String ANSWERED = "apiError";

    private final JsonExchange exchange;

    ErrorResponses(JsonExchange exchange) {
        this.exchange = exchange;
    }

    /** Answers an exception a handler or the {@link RequestGate} threw. */
    void handle(Exception e, Context ctx) {
        ApiException api = toApi(e);
        if (api.status >= 500) {
            LOG.warn("{} {} -> {}: {}", ctx.method(), ctx.path(), api.status, e.toString(), api.status == 500 ? e : null);
        }
        write(ctx, api);
        exchange.record(ctx, api.status, knownEndpoint(ctx.path()));
    }

    /** Answers a request no route took, unless an error was answered already. */
    void notFound(Context ctx) {
        if (ctx.attribute(ANSWERED) == null) {
            write(ctx, new ApiException(404, "not_found", null, ctx.method() + " " + ctx.path() + ": no such endpoint"));
        }
    }

    private static String knownEndpoint(String path) {
        return switch (path) {
            case "/chat", "/v1/chat/completions", "/v1/models", "/health", "/metrics", "/events", "/v1/load_lora_adapter",
                 "/v1/unload_lora_adapter" -> path;
            default -> "other";
        };
    }

    static ApiException toApi(Exception e) {
        if (e instanceof ApiException api) {
            return api;
        }
        if (e instanceof StoreUnavailableException) {
            return new ApiException(503, "store_unavailable", null, "the shop database is unavailable; try again shortly");
        }
        if (e instanceof InvalidFieldException invalid) {
            return switch (invalid.code()) {
                case NOT_FOUND -> new ApiException(404, "not_found", invalid.field(), invalid.getMessage());
                default -> new ApiException(400, "invalid_request_error", invalid.field(), invalid.getMessage());
            };
        }
        if (e instanceof HttpResponseException h) {
            return new ApiException(h.getStatus(), h.getStatus() == 413 ? "request_too_large" : "invalid_request_error",
                    h.getStatus() == 413 ? "body" : null, h.getMessage());
        }
        if (e instanceof KefuException k) {
            return switch (k.code()) {
                case INVALID_REQUEST, INVALID_ARGUMENT -> new ApiException(400, "invalid_request_error", null, k.getMessage());
                case NOT_FOUND -> new ApiException(404, "not_found", null, k.getMessage());
                case RESOURCE_EXHAUSTED -> new ApiException(429, "rate_limit_exceeded", null, k.getMessage());
                case UNAUTHENTICATED -> new ApiException(401, "authentication_error", null, k.getMessage());
                case TIMEOUT -> new ApiException(504, "timeout", null, k.getMessage());
                case CLOSED, CANCELLED -> new ApiException(503, "unavailable", null, k.getMessage());
                case IO -> new ApiException(503, "unavailable", null, k.getMessage());
                default -> new ApiException(500, "internal_error", null, "internal error (" + k.code() + ")");
            };
        }
        return new ApiException(500, "internal_error", null, "internal error");
    }

    private static void write(Context ctx, ApiException e) {
        ObjectNode out = Json.MAPPER.createObjectNode();
        ObjectNode error = out.putObject("error");
        error.put("message", e.getMessage());
        error.put("type", e.type);
        if (e.field != null) {
            error.put("param", e.field);
        } else {
            error.putNull("param");
        }
        error.put("code", e.status);
        if (e.status == 429) {
            ctx.header("Retry-After", "1");
        }
        ctx.attribute(ANSWERED, Boolean.TRUE);
        ctx.status(e.status).contentType("application/json; charset=utf-8").result(out.toString());
    }
}
