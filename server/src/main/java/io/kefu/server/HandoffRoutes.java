package io.kefu.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.kefu.server.store.ConversationStore.Turn;
import io.kefu.server.store.HandoffStore;
import io.kefu.server.store.HandoffStore.Handoff;
import io.kefu.server.store.HandoffStore.Status;
import io.kefu.server.store.HandoffStore.StatusChange;

/**
 * The hand-off desk's API, for customer-service staff: {@code GET /handoffs?status=open|claimed|closed&limit=N} (the
 * hand-offs with their conversations so far), {@code POST /handoffs/{id}/claim}, {@code POST /handoffs/{id}/close}, and
 * {@code GET /handoffs/feed} (new hand-offs as server-sent events, {@link HandoffFeed}).
 *
 * <p>These are staff routes: they read every customer's conversation, so they are served only behind the server's API
 * key. The {@link RequestGate} has checked the key when the server has one; a server without one answers them 403.
 */
final class HandoffRoutes {
    static final String PATH = "/handoffs";
    static final String FEED_PATH = "/handoffs/feed";
    private static final int DEFAULT_LIMIT = 100;
    private static final int MAX_LIMIT = 500;

    private final HandoffStore store;
    private final HandoffFeed feed;
    private final JsonExchange exchange;
    private final boolean keyRequired;

    /**
     * @param keyRequired whether the server has an API key (and the gate checks it); without one every route answers 403
     */
    HandoffRoutes(HandoffStore store, HandoffFeed feed, JsonExchange exchange, boolean keyRequired) {
        this.store = store;
        this.feed = feed;
        this.exchange = exchange;
        this.keyRequired = keyRequired;
    }

    void addTo(RoutesConfig routes) {
        routes.get(PATH, this::list);
        routes.get(FEED_PATH, this::feed);
        routes.post(PATH + "/{id}/claim", this::claim);
        routes.post(PATH + "/{id}/close", this::close);
    }

    private void staffOnly() {
        if (!keyRequired) {
            throw new ApiException(403, "permission_error", null, "the hand-off desk shows every customer's conversation, so it is"
                    + " served only behind an API key: start the server with --api-key-file");
        }
    }

    void list(Context ctx) {
        staffOnly();
        String statusText = ctx.queryParam("status");
        Status status = statusText == null ? Status.OPEN : Status.of(statusText).orElseThrow(() -> ApiException.badField("status",
                "must be open, claimed or closed, got '" + RequestGate.shorten(statusText) + "'"));
        int limit = limit(ctx.queryParam("limit"));
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("status", status.wireName());
        ArrayNode items = out.putArray("handoffs");
        for (Handoff h : store.list(status, limit)) {
            ObjectNode item = write(items.addObject(), h);
            ArrayNode turns = item.putArray("conversation");
            for (Turn t : h.conversation()) {
                turns.addObject().put("question", t.question()).put("answer", t.answer()).put("handoff", t.handoff());
            }
        }
        exchange.send(ctx, 200, out, PATH);
    }

    private static int limit(String text) {
        if (text == null) {
            return DEFAULT_LIMIT;
        }
        try {
            int limit = Integer.parseInt(text);
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiException.badField("limit", "must be a whole number in 1.." + MAX_LIMIT + ", got '" + RequestGate.shorten(text) + "'");
    }

    /** Writes a hand-off's fields (all but its conversation) into {@code node}; @return {@code node} */
    static ObjectNode write(ObjectNode node, Handoff h) {
        node.put("id", h.id());
        node.put("createdAt", h.createdAt().toString());
        node.put("status", h.status().wireName());
        node.put("reason", h.reason());
        node.put("sessionId", h.sessionId());
        node.put("question", h.question());
        node.put("answer", h.answer());
        return node;
    }

    void claim(Context ctx) {
        staffOnly();
        long id = id(ctx);
        answer(ctx, id, store.claim(id), "claimed");
    }

    void close(Context ctx) {
        staffOnly();
        long id = id(ctx);
        answer(ctx, id, store.close(id), "closed");
    }

    private static long id(Context ctx) {
        String text = ctx.pathParam("id");
        try {
            long id = Long.parseLong(text);
            if (id > 0) {
                return id;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw ApiException.badField("id", "must be a hand-off id (a positive whole number), got '" + RequestGate.shorten(text) + "'");
    }

    private void answer(Context ctx, long id, StatusChange change, String done) {
        switch (change.outcome()) {
            case UNKNOWN_ID -> throw new ApiException(404, "not_found", "id", "id: no hand-off " + id);
            case CONFLICT -> throw new ApiException(409, "conflict", "id", "id: hand-off " + id + " is "
                    + change.status().map(Status::wireName).orElse("gone") + " already; it cannot be " + done);
            case CHANGED -> {
                ObjectNode out = Json.MAPPER.createObjectNode();
                out.put("id", id);
                out.put("status", change.status().orElseThrow().wireName());
                exchange.send(ctx, 200, out, PATH + "/{id}/" + (done.equals("claimed") ? "claim" : "close"));
            }
        }
    }

    void feed(Context ctx) {
        staffOnly();
        feed.stream(ctx);
    }
}
