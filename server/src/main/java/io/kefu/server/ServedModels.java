package io.kefu.server;

import io.kefu.chat.ChatModel;
import io.kefu.shop.policy.CompliancePolicy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The names clients put in {@code model}, in the order {@code GET /v1/models} lists them: the base,
 * the adapters served from the start, then those loaded at run time. Thread-safe: adapters come and
 * go while requests are served.
 */
final class ModelRoutes {
    /**
     * A name clients put in {@code model}: which chat model answers, with which engine adapter.
     *
     * @param name the name clients use
     * @param model the model behind admission control
     * @param engineAdapter the engine's name of the adapter ({@link io.kefu.chat.ChatRequest#adapter()}), or null for the base
     * @param compliant {@code model} under the compliance guard
     * @param loadedAtRunTime the engine's model when the adapter was loaded at run time (the server owns and closes it), else null
     */
    record Route(String name, AdmissionControl.Admitted model, String engineAdapter, CompliancePolicy compliant,
                 ChatModel loadedAtRunTime) {
        boolean isAdapter() {
            return engineAdapter != null;
        }
    }

    private final Map<String, Route> routes = new LinkedHashMap<>();
    /** Names whose adapter is being loaded: taken, though not served yet. */
    private final Set<String> reserved = new HashSet<>();

    synchronized Route get(String name) {
        return routes.get(name);
    }

    /** @return every route, in listing order */
    synchronized List<Route> all() {
        return new ArrayList<>(routes.values());
    }

    /** @return every name, in listing order */
    synchronized List<String> names() {
        return new ArrayList<>(routes.keySet());
    }

    /** Serves a route from now on; its name must be free. */
    synchronized void add(Route route) {
        if (routes.containsKey(route.name())) {
            throw new IllegalStateException("route '" + route.name() + "' exists");
        }
        reserved.remove(route.name());
        routes.put(route.name(), route);
    }

    /** @return true when {@code name} was free and is now held for a load in progress */
    synchronized boolean reserve(String name) {
        return !routes.containsKey(name) && reserved.add(name);
    }

    /** Frees a name reserved for a load that did not finish. */
    synchronized void unreserve(String name) {
        reserved.remove(name);
    }

    /** @return the route no longer served, or null when there was none */
    synchronized Route remove(String name) {
        return routes.remove(name);
    }
}
