package io.kefu.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatModel;
import io.kefu.chat.ChatRequest;
import io.kefu.chat.ChatResponse;
import io.kefu.chat.ChatStream;
import io.kefu.chat.ModelInfo;
import io.kefu.eval.ab.ArmAssigner;
import io.kefu.eval.ab.ExperimentSplit;
import io.kefu.runtime.generate.CompletedChatStream;
import io.kefu.server.store.Database;
import io.kefu.server.store.ExperimentStore;
import io.kefu.shop.rules.RulesChatModel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * An experiment whose arms name what the server serves ({@code rules}, {@code base}, {@code adapter:NAME}), over HTTP
 * on a real H2 store: each arm is answered by its system (the adapter arm with its adapter), sessions land by the
 * split's hash, and the split is recorded in the store, where a changed split is refused.
 */
class ExperimentServerIT {
    private static final ExperimentSplit SPLIT = new ExperimentSplit("arms-it", List.of(new ExperimentSplit.Arm("control", "rules", 1),
            new ExperimentSplit.Arm("plain", "base", 1), new ExperimentSplit.Arm("tuned", "adapter:shop-lora", 2)));

    @TempDir
    Path temp;

    /** Answers with its id and the adapter the request asked for, so an answer says who wrote it. */
    private record NamedModel(String id, List<String> adapters) implements ChatModel {
        @Override
        public ChatResponse chat(ChatRequest request) {
            return ChatResponse.ofText("您好,这里是" + id + "/" + request.adapter().orElse("-") + "。", Duration.ofMillis(1));
        }

        @Override
        public ChatStream stream(ChatRequest request) {
            return CompletedChatStream.of(chat(request));
        }

        @Override
        public ModelInfo info() {
            return new ModelInfo(id, "test", adapters);
        }

        @Override
        public void close() {
        }
    }

    private ServerConfig.Builder config(ExperimentSplit split) {
        return ServerConfig.builder().baseModel(new NamedModel("tiny-base", List.of()))
                .adapters(new NamedModel("tiny-base", List.of("engine-shop")), List.of("shop-lora"))
                .storeUrl(Database.h2Url(temp)).shopFolder(RulesServerIT.SHOP).port(0).experiment(split);
    }

    @Test
    void eachArmIsAnsweredByItsSystemAndTheSplitIsRecorded() {
        ArmAssigner assigner = SPLIT.assigner();
        Map<String, Integer> perArm = new HashMap<>();
        try (KefuServer server = KefuServer.start(config(SPLIT).build())) {
            Http http = new Http(server.port());
            for (int i = 0; i < 40; i++) {
                JsonNode answer = http.post("/chat", RulesServerIT.ask("你好", null, null)).json();
                String arm = answer.get("arm").asText();
                assertThat(arm).isEqualTo(assigner.assign(answer.get("sessionId").asText()));
                String text = answer.get("answer").asText();
                switch (arm) {
                    case "control" -> assertThat(text).doesNotContain("这里是").isEqualTo(new RulesChatModel().chat("你好").text());
                    case "plain" -> assertThat(text).contains("这里是tiny-base/-");
                    case "tuned" -> assertThat(text).contains("这里是tiny-base/engine-shop");
                    default -> throw new AssertionError("arm " + arm);
                }
                perArm.merge(arm, 1, Integer::sum);
            }
        }
        assertThat(perArm).containsOnlyKeys("control", "plain", "tuned");

        try (Database db = Database.open(Database.h2Url(temp))) {
            ExperimentStore experiments = new ExperimentStore(db, Clock.systemUTC());
            assertThat(experiments.split("arms-it")).contains(SPLIT);
            assertThat(experiments.experiments()).containsExactly("arms-it");
        }
        // a restart with the same split goes on (the base arm found under the base model's served name); another split
        // under the same name is refused before anything is served
        try (KefuServer again = KefuServer.start(config(SPLIT).servedModelNames(List.of("zhiyu-kefu")).build())) {
            assertThat(again.port()).isPositive();
        }
        ExperimentSplit changed = new ExperimentSplit("arms-it", List.of(new ExperimentSplit.Arm("control", "rules", 1),
                new ExperimentSplit.Arm("tuned", "adapter:shop-lora", 1)));
        assertThatThrownBy(() -> KefuServer.start(config(changed).build())).isInstanceOf(KefuException.class)
                .satisfies(e -> assertThat(((KefuException) e).code()).isEqualTo(ErrorCode.INVALID_CONFIG))
                .hasMessageContaining("control=rules:1,plain=base:1,tuned=adapter:shop-lora:2").hasMessageContaining("new experiment");
        try (Database db = Database.open(Database.h2Url(temp))) {
            assertThat(new ExperimentStore(db, Clock.systemUTC()).split("arms-it")).contains(SPLIT);
        }
    }

    @Test
    void anArmMayNameOnlyWhatTheServerServes() {
        ExperimentSplit unknown = new ExperimentSplit("x", List.of(new ExperimentSplit.Arm("control", "rules", 1),
                new ExperimentSplit.Arm("tuned", "adapter:promo", 1)));
        assertThatThrownBy(() -> config(unknown).build()).hasMessageContaining("arm 'tuned'").hasMessageContaining("'promo'")
                .hasMessageContaining("served adapters: [shop-lora]");
        ExperimentSplit odd = new ExperimentSplit("x", List.of(new ExperimentSplit.Arm("control", "rules", 1),
                new ExperimentSplit.Arm("tuned", "gpt", 1)));
        assertThatThrownBy(() -> config(odd).build()).hasMessageContaining("'gpt'").hasMessageContaining("adapter:NAME");
    }
}
