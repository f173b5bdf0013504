package io.kefu.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;

import java.io.IOException;
import java.io.InputStream;

/** Reads JSON request bodies within the size limit, writes JSON answers, and counts every answer in the metrics. */
final class JsonExchange {
    private static final String START = "start";

    private final int maxBodyBytes;
    private final Metrics metrics;

    JsonExchange(int maxBodyBytes, Metrics metrics) {
        this.maxBodyBytes = maxBodyBytes;
        this.metrics = metrics;
    }

    /** Notes when the request came in, for its latency; call first. */
    static void markStart(Context ctx) {
        ctx.attribute(START, System.nanoTime());
    }

    /** @return the body as a JSON object; 413 when it is over the limit, 400 when it is not a JSON object */
    JsonNode readObject(Context ctx) {
        return Json.parse(readBody(ctx));
    }

    /** @return the body as UTF-8 text; 413 when it is over the limit, 400 when it is empty */
    String readText(Context ctx) {
        byte[] body = readBody(ctx);
        if (body.length == 0) {
            throw new ApiException(400, "invalid_request_error", "body", "body: a JSON object is required");
        }
        return new String(body, java.nio.charset.StandardCharsets.UTF_8);
    }

    private byte[] readBody(Context ctx) {
        long declared = ctx.req().getContentLengthLong();
        if (declared > maxBodyBytes) {
            throw tooLarge(declared);
        }
        try (InputStream in = ctx.req().getInputStream()) {
            byte[] body = in.readNBytes(maxBodyBytes + 1);
            if (body.length > maxBodyBytes) {
                throw tooLarge(-1);
            }
            return body;
        } catch (IOException e) {
            throw new ApiException(400, "invalid_request_error", "body", "body: could not be read: " + e.getMessage());
        }
    }

    private ApiException tooLarge(long size) {
        return new ApiException(413, "request_too_large", "body", "body: " + (size > 0 ? size + " bytes is" : "is")
                + " over the limit of " + maxBodyBytes + " bytes");
    }

    /** Answers {@code body} with {@code status} and counts it under {@code endpoint}. */
    void send(Context ctx, int status, ObjectNode body, String endpoint) {
        ctx.status(status).contentType("application/json; charset=utf-8").result(body.toString());
        record(ctx, status, endpoint);
    }

    /** Counts an answer already written, with its latency since {@link #markStart(Context)}. */
    void record(Context ctx, int status, String endpoint) {
        Long start = ctx.attribute(START);
        metrics.request(endpoint, status, start == null ? 0 : (System.nanoTime() - start) / 1e9);
    }
}
