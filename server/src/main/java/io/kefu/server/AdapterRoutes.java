package io.kefu.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import io.kefu.KefuException;
import io.kefu.chat.ChatModel;
import io.kefu.server.ServedModels.ServedModel;
import io.kefu.shop.policy.CompliancePolicy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * vLLM's adapter endpoints, on only with {@link ServerConfig.Builder#runtimeAdapters(AdapterLoader)}:
 * {@code POST /v1/load_lora_adapter} {"lora_name", "lora_path"} serves one more adapter under a new name;
 * {@code POST /v1/unload_lora_adapter} {"lora_name"} stops serving one loaded that way.
 */
final class AdapterRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(AdapterRoutes.class);
    private static final Pattern ADAPTER_NAME = Pattern.compile("[A-Za-z0-9_.:/-]{1,128}");

    private final ServedModels models;
    private final AdapterLoader loader;
    private final AdmissionControl admission;
    private final JsonExchange exchange;

    AdapterRoutes(ServedModels models, AdapterLoader loader, AdmissionControl admission, JsonExchange exchange) {
        this.models = models;
        this.loader = loader;
        this.admission = admission;
        this.exchange = exchange;
    }

    void load(Context ctx) {
        JsonNode body = exchange.readObject(ctx);
        String name = Json.requiredText(body, "lora_name");
        if (!ADAPTER_NAME.matcher(name).matches()) {
            throw ApiException.badField("lora_name", "must be 1-128 characters of letters, digits, '_', '-', '.', ':', '/'");
        }
        Path folder = adapterFolder(Json.requiredText(body, "lora_path"));
        if (!models.reserve(name)) {
            throw ApiException.badField("lora_name", "'" + name + "' is already served; unload it first or choose another name");
        }
        ChatModel raw;
        try {
            raw = loader.load(name, folder);
        } catch (KefuException e) {
            models.unreserve(name);
            throw ApiException.badField("lora_path", "cannot load the adapter in " + folder + ": " + e.getMessage());
        } catch (RuntimeException e) {
            models.unreserve(name);
            throw e;
        }
        List<String> engineNames = raw.info().adapters();
        AdmissionControl.Admitted model = admission.admit(raw);
        models.add(new ServedModel(name, model, engineNames.isEmpty() ? null : engineNames.get(0), new CompliancePolicy(model), raw));
        LOG.info("loaded adapter '{}' from {}", name, folder);
        ObjectNode out = Json.MAPPER.createObjectNode();
        out.put("lora_name", name);
        out.put("lora_path", folder.toString());
        out.put("status", "loaded");
        exchange.send(ctx, 200, out, "/v1/load_lora_adapter");
    }

    private static Path adapterFolder(String pathText) {
        Path folder;
        try {
            folder = Path.of(pathText).toAbsolutePath().normalize();
        } catch (InvalidPathException e) {
            throw ApiException.badField("lora_path", "'" + pathText + "' is not a valid path: " + e.getReason());
        }
        if (!Files.isDirectory(folder)) {
            throw ApiException.badField("lora_path", folder + " is not a folder (a PEFT adapter folder with adapter_config.json"
                    + " and adapter_model.safetensors)");
        }
        return folder;
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
