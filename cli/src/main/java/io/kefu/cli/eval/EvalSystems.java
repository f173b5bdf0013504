package io.kefu.cli.eval;

import io.kefu.chat.ChatModel;
import io.kefu.shop.rules.RulesChatModel;
import io.kefu.model.BaseModel;
import io.kefu.model.Engine;
import io.kefu.model.Engines;
import io.kefu.model.ModelRef;
import io.kefu.train.Adapter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The systems of a comparison, by name in the order added: chat models that engines load (with an
 * adapter when the system names one) and the rules baseline. Owns what it loaded: closing closes it all.
 */
public final class EvalSystems implements AutoCloseable {
    private final Map<String, ChatModel> systems = new LinkedHashMap<>();
    private final List<AutoCloseable> owned = new ArrayList<>();
    private final Function<String, Engine> engines;
    private final Map<String, Engine> opened = new HashMap<>();

    /** Systems whose engines are the shared ones of {@link Engines#get(String)}. */
    public EvalSystems() {
        this(Engines::get);
    }

    /** @param engines opens an engine by id (once per id), e.g. on the device of {@code --device} */
    public EvalSystems(Function<String, Engine> engines) {
        this.engines = engines;
    }

    /** Loads the system's base model (and adapter) through its engine. */
    public EvalSystems add(SystemSpec spec) {
        Engine engine = opened.computeIfAbsent(spec.engine(), engines);
        BaseModel base = engine.load(ModelRef.of(spec.model()));
        owned.add(base);
        List<Adapter> adapters = spec.adapter() == null ? List.of() : List.of(Adapter.load(spec.adapter()));
        ChatModel chat = engine.chatModel(base, adapters);
        owned.add(chat);
        systems.put(spec.name(), chat);
        return this;
    }

    /** Adds the rules baseline (keywords and templates) under {@link RulesChatModel#ID}. */
    public EvalSystems addRules() {
        systems.put(RulesChatModel.ID, new RulesChatModel());
        return this;
    }

    /** @return the systems by name, in the order added */
    public Map<String, ChatModel> byName() {
        return Collections.unmodifiableMap(systems);
    }

    /** Closes the chat models before their base models. Closing is best effort: the results are already written. */
    @Override
    public void close() {
        for (int i = owned.size() - 1; i >= 0; i--) {
            try {
                owned.get(i).close();
            } catch (Exception ignored) {
                // best effort, see above
            }
        }
        owned.clear();
    }
}
