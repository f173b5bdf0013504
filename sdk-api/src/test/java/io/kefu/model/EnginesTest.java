package io.kefu.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import org.junit.jupiter.api.Test;

/** Uses the two providers registered in this module's test resources. */
class EnginesTest {
    @Test
    void availableListsEveryProviderWithAReason() {
        assertThat(Engines.available()).extracting(EngineStatus::id).containsExactly("test-missing", "test-ok");
        assertThat(Engines.available()).filteredOn(s -> !s.available())
                .singleElement().extracting(EngineStatus::reason).asString().contains("libtest.so not found");
    }

    @Test
    void getReturnsTheSameEngineEachTime() {
        assertThat(Engines.get("test-ok")).isSameAs(Engines.get("test-ok"));
        assertThat(Engines.get("test-ok").id()).isEqualTo("test-ok");
    }

    @Test
    void getWithOptionsCreatesANewEngineWithThoseOptions() {
        EngineOptions options = EngineOptions.builder().threads(2).device("cuda:1").session("k", "v").build();
        Engine first = Engines.get("test-ok", options);
        Engine second = Engines.get("test-ok", options);
        assertThat(first).isNotSameAs(second).isNotSameAs(Engines.get("test-ok"));
        assertThat(((TestEngineProviders.OptionsEngine) first).options).isEqualTo(options);
        assertThat(((TestEngineProviders.OptionsEngine) Engines.get("test-ok")).options).isEqualTo(EngineOptions.defaults());
        assertThatThrownBy(() -> Engines.get("test-missing", options))
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.ENGINE_UNAVAILABLE));
    }

    @Test
    void unavailableEngineSaysWhy() {
        assertThatThrownBy(() -> Engines.get("test-missing"))
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.ENGINE_UNAVAILABLE))
                .hasMessageContaining("libtest.so not found");
    }

    @Test
    void unknownEngineListsTheKnownOnes() {
        assertThatThrownBy(() -> Engines.get("nope"))
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND))
                .hasMessageContaining("test-missing, test-ok");
    }

    @Test
    void modelRefTellsFoldersFromHubIds() {
        assertThat(ModelRef.of("Qwen/Qwen2.5-0.5B-Instruct").isHubId()).isTrue();
        assertThat(ModelRef.of(System.getProperty("java.io.tmpdir")).isHubId()).isFalse();
        assertThat(ModelRef.of(System.getProperty("java.io.tmpdir")).localDirectory()).isPresent();
        assertThatThrownBy(() -> ModelRef.of(" ")).isInstanceOf(KefuException.class);
    }
}
