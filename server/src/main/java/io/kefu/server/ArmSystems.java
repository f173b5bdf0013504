package io.kefu.server;

import io.kefu.chat.ChatModel;
import io.kefu.chat.ChatRequest;
import io.kefu.chat.ChatResponse;
import io.kefu.chat.ChatStream;
import io.kefu.chat.ModelInfo;
import io.kefu.eval.ab.ExperimentSplit;
import io.kefu.shop.rules.RulesChatModel;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What may answer an arm of an A/B experiment on a server: {@value #RULES} (the keyword baseline, no model),
 * {@value #BASE} (the served base model) or {@value #ADAPTER_PREFIX}{@code NAME} (a served adapter).
 */
public final class ArmSystems {
    /** The keyword baseline. */
    public static final String RULES = "rules";
    /** The base model, without adapters. */
    public static final String BASE = "base";
    /** Followed by the name of a served adapter. */
    public static final String ADAPTER_PREFIX = "adapter:";

    private ArmSystems() {
    }

    /**
     * @param split the experiment
     * @param adapterNames the adapters the server serves
     * @return what is wrong with the first arm whose system this server cannot serve, or empty when all can be served
     */
    public static Optional<String> check(ExperimentSplit split, List<String> adapterNames) {
        for (ExperimentSplit.Arm arm : split.arms()) {
            String system = arm.system();
            if (system.equals(RULES) || system.equals(BASE)) {
                continue;
            }
            if (!system.startsWith(ADAPTER_PREFIX)) {
                return Optional.of("arm '" + arm.name() + "' is answered by '" + system + "', which is none of " + RULES + ", " + BASE + ", "
                        + ADAPTER_PREFIX + "NAME");
            }
            String adapter = system.substring(ADAPTER_PREFIX.length());
            if (!adapterNames.contains(adapter)) {
                return Optional.of("arm '" + arm.name() + "' is answered by the adapter '" + adapter + "', which is not served"
                        + (adapterNames.isEmpty() ? " (no adapters are)" : "; served adapters: " + adapterNames));
            }
        }
        return Optional.empty();
    }

    /**
     * @param split an experiment that passed {@link #check(ExperimentSplit, List)}
     * @param models the served models
     * @param baseName the name the base model is served under
     * @param admission admits the rules baseline, which is not served otherwise
     * @return arm name to the model that answers it
     */
    static Map<String, ChatModel> resolve(ExperimentSplit split, ServedModels models, String baseName, AdmissionControl admission) {
        Map<String, ChatModel> out = new LinkedHashMap<>();
        ChatModel rules = null;
        for (ExperimentSplit.Arm arm : split.arms()) {
            String system = arm.system();
            if (system.equals(RULES)) {
                rules = rules != null ? rules : admission.admit(new RulesChatModel());
                out.put(arm.name(), rules);
            } else if (system.equals(BASE)) {
                out.put(arm.name(), models.get(baseName).model());
            } else {
                ServedModels.ServedModel adapter = models.get(system.substring(ADAPTER_PREFIX.length()));
                out.put(arm.name(), new WithAdapter(adapter.model(), adapter.engineAdapter()));
            }
        }
        return out;
    }

    /** A model that answers every request with one of its adapters. Closing it leaves the model open (the server owns it). */
    private record WithAdapter(ChatModel model, String adapter) implements ChatModel {
        @Override
        public ChatResponse chat(ChatRequest request) {
            return model.chat(request.toBuilder().adapter(adapter).build());
        }

        @Override
        public ChatStream stream(ChatRequest request) {
            return model.stream(request.toBuilder().adapter(adapter).build());
        }

        @Override
        public ModelInfo info() {
            return model.info();
        }

        @Override
        public void close() {
        }
    }
}
