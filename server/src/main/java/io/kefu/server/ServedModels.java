package io.kefu.server;

import io.kefu.chat.ChatModel;
import io.kefu.shop.policy.CompliancePolicy;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
final class ServedModels {
    /**
     * A name clients put in {@code model}: which chat model answers, with which engine adapter.
     *
     * @param name the name clients use
     * @param model the model behind admission control
     * @param engineAdapter the engine's name of the adapter ({@link io.kefu.chat.ChatRequest#adapter()}), or null for the base
     * @param compliant {@code model} under the compliance guard
     * @param loadedAtRunTime the engine's model when the adapter was loaded at run time (the server owns and closes it), else null
     */
    record ServedModel(String name, AdmissionControl.Admitted model, String engineAdapter, CompliancePolicy compliant,
                       ChatModel loadedAtRunTime) {
        boolean isAdapter() {
            return engineAdapter != null;
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(ServedModels.class);

    private final Map<String, ServedModel> byName = new LinkedHashMap<>();
    /** Names whose adapter is being loaded: taken, though not served yet. */
    private final Set<String> reserved = new HashSet<>();

    synchronized ServedModel get(String name) {
        return byName.get(name);
    }

    /** @return every model served, in listing order */
    synchronized List<ServedModel> all() {
        return new ArrayList<>(byName.values());
    }

    /** @return every name, in listing order */
    synchronized List<String> names() {
        return new ArrayList<>(byName.keySet());
    }

    /** Serves a model from now on; its name must be free. */
    synchronized void add(ServedModel served) {
        if (byName.containsKey(served.name())) {
            throw new IllegalStateException("model '" + served.name() + "' exists");
        }
        reserved.remove(served.name());
        byName.put(served.name(), served);
    }

    /** What {@link #reserve(String, int)} found. */
    enum Reservation { RESERVED, TAKEN, FULL }

    /**
     * Holds {@code name} for a load in progress when it is free and fewer than {@code max} adapters are loaded at run
     * time or being loaded.
     */
    synchronized Reservation reserve(String name, int max) {
        if (byName.containsKey(name) || reserved.contains(name)) {
            return Reservation.TAKEN;
        }
        long loaded = byName.values().stream().filter(m -> m.loadedAtRunTime() != null).count();
        if (loaded + reserved.size() >= max) {
            return Reservation.FULL;
        }
        reserved.add(name);
        return Reservation.RESERVED;
    }

    /** Frees a name reserved for a load that did not finish. */
    synchronized void unreserve(String name) {
        reserved.remove(name);
    }

    /** @return the model no longer served, or null when there was none */
    synchronized ServedModel remove(String name) {
        return byName.remove(name);
    }

    /** Closes the models of adapters loaded at run time that are still served (at shutdown). */
    synchronized void closeLoadedAtRunTime() {
        for (ServedModel served : byName.values()) {
            if (served.loadedAtRunTime() != null) {
                closeQuietly(served.loadedAtRunTime(), served.name());
            }
        }
    }

    static void closeQuietly(ChatModel model, String name) {
        try {
            model.close();
        } catch (RuntimeException e) {
            LOG.warn("closing the model of adapter '{}' failed: {}", name, e.toString());
        }
    }
}
