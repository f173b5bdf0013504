package io.kefu.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.kefu.chat.ChatModel;
import io.kefu.server.ServedModels.ServedModel;
import io.kefu.shop.policy.CompliancePolicy;
import io.kefu.shop.policy.ComplianceRules;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * vLLM's adapter endpoints, on only with {@link ServerConfig.Builder#runtimeAdapters(AdapterLoader, Path)} (and
 * then always behind the API key): {@code POST /v1/load_lora_adapter} {"lora_name", "lora_path"} serves one more
 * adapter under a new name; {@code POST /v1/unload_lora_adapter} {"lora_name"} stops serving one loaded that way.
 *
 * <p>{@code lora_path} is read only inside the adapter root: it is resolved against the root, symbolic links are
 * followed, and the real path must still lie inside the root's real path (no {@code ..} or link escapes). At most
 * {@code maxAdapters} are loaded at once. Errors tell the client which field is at fault but never a path of the
 * server's disk or the loader's message; those go to the log with the request id.
 */
final class AdapterRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(AdapterRoutes.class);
    private static final Pattern ADAPTER_NAME = Pattern.compile("[A-Za-z0-9_.:/-]{1,128}");

    private final ServedModels models;
    private final AdapterLoader loader;
    private final Path root;
    private final int maxAdapters;
    private final AdmissionControl admission;
    private final JsonExchange exchange;
    private final ComplianceRules compliance;

    /**
     * @param root the adapter root, a real path (symbolic links resolved)
     * @param maxAdapters the most adapters loaded at run time at once
     * @param compliance the banned claims and replacements the loaded adapters answer under
     */
    AdapterRoutes(ServedModels models, AdapterLoader loader, Path root, int maxAdapters, AdmissionControl admission, JsonExchange exchange,
                  ComplianceRules compliance) {
        this.compliance = compliance;
        this.models = models;
        this.loader = loader;
        this.root = root;
        this.maxAdapters = maxAdapters;
        this.admission = admission;
        this.exchange = exchange;
    }

    void load(Context ctx) {
        JsonNode body = exchange.readObject(ctx);
        String name = Json.requiredText(body, "lora_name");
        if (!ADAPTER_NAME.matcher(name).matches()) {
            throw ApiException.badField("lora_name", "must be 1-128 characters of letters, digits, '_', '-', '.', ':', '/'");
        }
        String pathText = Json.requiredText(body, "lora_path");
        String requestId = RequestGate.requestId(ctx);
        Path folder = adapterFolder(pathText, requestId);
        switch (models.reserve(name, maxAdapters)) {
            case TAKEN -> throw ApiException.badField("lora_name", "'" + name + "' is already served; unload it first or choose another name");
            case FULL -> throw new ApiException(400, "invalid_request_error", "lora_name", "lora_name: " + maxAdapters
                    + " adapters are loaded at run time, the most this server takes; unload one first");
            case RESERVED -> { }
        }
        ChatModel raw;
        try {
            raw = loader.load(name, folder);
        } catch (RuntimeException e) {
            models.unreserve(name);
            LOG.warn("request {}: loading adapter '{}' from {} failed", requestId, name, folder, e);
            throw ApiException.badField("lora_path", "the adapter could not be loaded (not a PEFT adapter of the served base);"
                    + " details are in the server log under request id " + requestId);
        }
        List<String> engineNames = raw.info().adapters();
        AdmissionControl.Admitted model = admission.admit(raw);
        models.add(new ServedModel(name, model, engineNames.isEmpty() ? null : engineNames.get(0), new CompliancePolicy(model, compliance), raw));
        LOG.info("loaded adapter '{}' from {}", name, folder);
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("lora_name", name);
        out.put("lora_path", pathText);
        out.put("status", "loaded");
        exchange.send(ctx, 200, out, "/v1/load_lora_adapter");
    }

    /** @return the real path of the folder {@code pathText} names inside the adapter root */
    private Path adapterFolder(String pathText, String requestId) {
        Path folder;
        try {
            folder = root.resolve(pathText).normalize().toRealPath();
        } catch (InvalidPathException | IOException e) {
            LOG.info("request {}: lora_path '{}' is not a folder under the adapter root {}: {}", requestId, pathText, root, e.toString());
            throw notUnderRoot();
        }
        if (!folder.startsWith(root) || !Files.isDirectory(folder)) {
            LOG.warn("request {}: lora_path '{}' resolves to {}, outside the adapter root {} or not a folder", requestId, pathText, folder, root);
            throw notUnderRoot();
        }
        return folder;
    }

    private static ApiException notUnderRoot() {
        return ApiException.badField("lora_path", "must name an adapter folder inside the server's adapter root (--adapter-root),"
                + " relative to it");
    }

    /** Requests already running or waiting on the adapter finish; then its model is closed. */
    void unload(Context ctx) {
        JsonNode body = exchange.readObject(ctx);
        String name = Json.requiredText(body, "lora_name");
        ServedModel served = models.get(name);
        if (served == null) {
            throw new ApiException(404, "not_found", "lora_name", "lora_name: no adapter named '" + name + "' is served; served: "
                    + String.join(", ", models.names()));
        }
        if (served.loadedAtRunTime() == null) {
            throw ApiException.badField("lora_name", "'" + name + "' is served from the start (the base model or --adapter);"
                    + " only adapters loaded with /v1/load_lora_adapter can be unloaded");
        }
        if (models.remove(name) != served) {
            throw new ApiException(404, "not_found", "lora_name", "lora_name: '" + name + "' is being unloaded already");
        }
        served.model().retire(() -> ServedModels.closeQuietly(served.loadedAtRunTime(), name));
        LOG.info("unloaded adapter '{}'", name);
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("lora_name", name);
        out.put("status", "unloaded");
        exchange.send(ctx, 200, out, "/v1/unload_lora_adapter");
    }
}
