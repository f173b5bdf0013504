package io.kefu.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EngineOptionsTest {
    private static ErrorCode code(Runnable r) {
        try {
            r.run();
        } catch (KefuException e) {
            return e.code();
        }
        throw new AssertionError("no KefuException");
    }

    @Test
    void defaultsSetNothing() {
        EngineOptions d = EngineOptions.defaults();
        assertThat(d.threads()).isEmpty();
        assertThat(d.device()).isEmpty();
        assertThat(d.session()).isEmpty();
        assertThat(d.baseUrl()).isEmpty();
        assertThat(d.apiKeyVariable()).isEmpty();
        assertThat(d).isEqualTo(EngineOptions.builder().build()).hasSameHashCodeAs(EngineOptions.builder().build());
        assertThat(d.toString()).isEqualTo("EngineOptions[]");
    }

    @Test
    void holdsWhatWasSetAndIsAValue() {
        EngineOptions o = EngineOptions.builder().threads(4).device("CUDA:1").session(Map.of("optimization", "basic"))
                .baseUrl("http://127.0.0.1:8000/v1").apiKeyVariable("SHOP_API_KEY").build();
        assertThat(o.threads()).hasValue(4);
        assertThat(o.device()).contains(Device.cuda(1));
        assertThat(o.session("optimization")).contains("basic");
        assertThat(o.baseUrl().orElseThrow()).hasToString("http://127.0.0.1:8000/v1");
        assertThat(o.toBuilder().build()).isEqualTo(o);
        assertThat(o.toBuilder().threads(5).build()).isNotEqualTo(o);
        assertThat(o.toString()).contains("threads=4", "device=cuda:1", "optimization=basic", "apiKeyVariable=SHOP_API_KEY");
    }

    @Test
    void buildRejectsWhatIsOutOfRange() {
        assertThat(code(() -> EngineOptions.builder().threads(0).build())).isEqualTo(ErrorCode.INVALID_ARGUMENT);
        assertThat(code(() -> EngineOptions.builder().baseUrl("ftp://host/v1").build())).isEqualTo(ErrorCode.INVALID_ARGUMENT);
        assertThat(code(() -> EngineOptions.builder().baseUrl("http://").build())).isEqualTo(ErrorCode.INVALID_ARGUMENT);
        assertThat(code(() -> EngineOptions.builder().session(" ", "x"))).isEqualTo(ErrorCode.INVALID_ARGUMENT);
        assertThatThrownBy(() -> EngineOptions.builder().apiKeyVariable("sk-secret value").build())
                .isInstanceOf(KefuException.class).message().doesNotContain("sk-secret");
    }

    @Test
    void typedSessionValuesNameTheSettingWhenWrong() {
        EngineOptions o = EngineOptions.builder().session("n", "12").session("b", "TRUE").session("bad", "x").build();
        assertThat(o.sessionInt("n")).hasValue(12);
        assertThat(o.sessionBoolean("b")).contains(true);
        assertThat(o.sessionInt("missing")).isEmpty();
        assertThatThrownBy(() -> o.sessionInt("bad")).hasMessageContaining("bad='x'");
        assertThatThrownBy(() -> o.sessionBoolean("bad")).isInstanceOfSatisfying(KefuException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG));
        assertThatThrownBy(() -> o.requireKnownSessionNames("onnx", List.of("n", "b")))
                .isInstanceOf(KefuException.class).hasMessageContaining("no session option bad").hasMessageContaining("knows b, n");
        o.toBuilder().session(Map.of()).build().requireKnownSessionNames("onnx", List.of("n", "b", "bad"));
    }

    @Test
    void devicesParseAndPrintTheSameText() {
        for (String text : List.of("cpu", "auto", "cuda:0", "cuda:3")) {
            assertThat(Device.parse(text)).hasToString(text);
        }
        assertThat(Device.parse(" Cuda ")).isEqualTo(Device.cuda(0));
        for (String bad : List.of("", "gpu", "cuda:", "cuda:-1", "cuda:x", "cpu:1", "cuda:99999999999")) {
            assertThat(code(() -> Device.parse(bad))).as(bad).isEqualTo(ErrorCode.INVALID_ARGUMENT);
        }
        assertThat(code(() -> new Device(Device.Kind.CPU, 1))).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    }
}
