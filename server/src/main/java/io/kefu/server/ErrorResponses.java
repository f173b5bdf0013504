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
 * the HTTP status its cause calls for. A client's mistake (4xx) is told what is wrong and where; a failure of the
 * server's side (5xx: the model failed, 502; the model or the store is unavailable, 503; timeout, 504) gets a generic
 * message with the request id, and the detail (upstream URLs, setting names, exception messages) goes to the log
 * under that id only.
 */
final class ErrorResponses {
    private static final Logger LOG = LoggerFactory.getLogger(ErrorResponses.class);
    private static final String ANSWERED = "apiError";
    /** The status access logs give a request whose client hung up before its answer (nginx's 499). */
    static final int CLIENT_CLOSED = 499;

    private final JsonExchange exchange;

    ErrorResponses(JsonExchange exchange) {
        this.exchange = exchange;
    }

    /** Answers an exception a handler or the {@link RequestGate} threw. */
    void handle(Exception e, Context ctx) {
        if (e instanceof ClientGoneException) {
            LOG.debug("request {} {} {}: {}", RequestGate.requestId(ctx), ctx.method(), ctx.path(), e.getMessage());
            exchange.record(ctx, CLIENT_CLOSED, knownEndpoint(ctx.path()));
            return;
        }
        ApiException api = answer(e, ctx);
        write(ctx, api);
        exchange.record(ctx, api.status, knownEndpoint(ctx.path()));
    }

    /** @return what to tell the client about {@code e}; a server-side failure is logged with the request id */
    static ApiException answer(Exception e, Context ctx) {
        String requestId = RequestGate.requestId(ctx);
        ApiException api = toApi(e, requestId);
        if (api.status >= 500) {
            boolean unexpected = api.status == 500 || api.status == 502;
            LOG.warn("request {} {} {} -> {}: {}", requestId, ctx.method(), ctx.path(), api.status, e.toString(), unexpected ? e : null);
        }
        return api;
    }

    /** Answers a request no route took, unless an error was answered already. */
    void notFound(Context ctx) {
        if (ctx.attribute(ANSWERED) == null) {
            write(ctx, new ApiException(404, "not_found", null, ctx.method() + " " + ctx.path() + ": no such endpoint"));
        }
    }

    private static String knownEndpoint(String path) {
        if (path.startsWith("/admin/products/")) {
            return "/admin/products";
        }
        if (path.startsWith("/admin/promotions/")) {
            return "/admin/promotions";
        }
        return switch (path) {
            case "/chat", "/v1/chat/completions", "/v1/models", "/health", "/metrics", "/events", "/v1/load_lora_adapter",
                 "/v1/unload_lora_adapter", "/admin/shop", HandoffRoutes.PATH, HandoffRoutes.FEED_PATH -> path;
            default -> "other";
        };
    }

    static ApiException toApi(Exception e, String requestId) {
        if (e instanceof ApiException api) {
            return api;
        }
        String id = " (request id " + requestId + ")";
        if (e instanceof StoreUnavailableException) {
            return new ApiException(503, "store_unavailable", null, "the shop database is unavailable; try again shortly" + id);
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
                case TIMEOUT -> new ApiException(504, "timeout", null, "the request did not finish within its timeout" + id);
                case ENGINE_FAILURE, REMOTE -> new ApiException(502, "engine_error", null, "the model failed to answer" + id);
                case ENGINE_UNAVAILABLE, IO, CLOSED, CANCELLED -> new ApiException(503, "unavailable", null,
                        "the model is unavailable; try again shortly" + id);
                default -> new ApiException(500, "internal_error", null, "internal error" + id);
            };
        }
        return new ApiException(500, "internal_error", null, "internal error" + id);
    }

    /** @return the JSON error body of {@code e} */
    static ObjectNode body(ApiException e) {
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
        return out;
    }

    private static void write(Context ctx, ApiException e) {
        ObjectNode out = body(e);
        if (e.status == 429) {
            ctx.header("Retry-After", "1");
        }
        ctx.attribute(ANSWERED, Boolean.TRUE);
        ctx.status(e.status).contentType("application/json; charset=utf-8").result(out.toString());
    }
}
