package io.kefu.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.kefu.server.store.Database;

/**
 * {@code GET /health} (200 {@code {"status": "ok"}} while the store answers and the server is not shutting down,
 * else 503) and {@code GET /metrics} (Prometheus text format).
 */
final class HealthRoutes {
    private final Database db;
    private final RequestGate gate;
    private final AdmissionControl admission;
    private final Metrics metrics;
    private final JsonExchange exchange;

    HealthRoutes(Database db, RequestGate gate, AdmissionControl admission, Metrics metrics, JsonExchange exchange) {
        this.db = db;
        this.gate = gate;
        this.admission = admission;
        this.metrics = metrics;
        this.exchange = exchange;
    }

    void health(Context ctx) {
        boolean store = db.healthy();
        boolean ok = store && !gate.isDraining();
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("status", ok ? "ok" : "unavailable");
        out.put("store", store ? "ok" : "unavailable");
        out.put("queueDepth", admission.depth());
        exchange.send(ctx, ok ? 200 : 503, out, "/health");
    }

    void metrics(Context ctx) {
        ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.render());
    }
}
