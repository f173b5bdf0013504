package io.kefu.cli.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class SystemSpecTest {
    @Test
    void aUrlKeepsItsSchemeAndPort() {
        assertThat(SystemSpec.parse("remote=remote:http://127.0.0.1:8000/v1"))
                .isEqualTo(new SystemSpec("remote", "remote", "http://127.0.0.1:8000/v1", null));
        assertThat(SystemSpec.parse("hosted=remote:https://llm.example/v1"))
                .isEqualTo(new SystemSpec("hosted", "remote", "https://llm.example/v1", null));
    }

    @Test
    void anAdapterFollowsTheLastColon() {
        assertThat(SystemSpec.parse("tuned=djl:models/qwen:out/shop-lora"))
                .isEqualTo(new SystemSpec("tuned", "djl", "models/qwen", Path.of("out/shop-lora")));
        assertThat(SystemSpec.parse("r=remote:http://127.0.0.1:8000/v1:shop"))
                .isEqualTo(new SystemSpec("r", "remote", "http://127.0.0.1:8000/v1", Path.of("shop")));
        assertThat(SystemSpec.parse("local=djl:models/qwen"))
                .isEqualTo(new SystemSpec("local", "djl", "models/qwen", null));
    }

    @Test
    void malformedOptionsSayWhatIsWrong() {
        assertThatThrownBy(() -> SystemSpec.parse("djl:models/qwen")).isInstanceOf(KefuException.class)
                .hasMessageContaining("has no '='").hasMessageContaining("NAME=ENGINE:MODEL[:ADAPTER]")
                .satisfies(e -> assertThat(((KefuException) e).code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
        assertThatThrownBy(() -> SystemSpec.parse("a b=djl:m")).hasMessageContaining("NAME 'a b'");
        assertThatThrownBy(() -> SystemSpec.parse("x=djl")).hasMessageContaining("needs ENGINE:MODEL");
        assertThatThrownBy(() -> SystemSpec.parse("x=djl:")).hasMessageContaining("empty MODEL");
        assertThatThrownBy(() -> SystemSpec.parse("x=djl:models/qwen:")).hasMessageContaining("empty ADAPTER");
    }

    @Test
    void anUnnamedSystemIsNamedAfterItsOption() {
        assertThat(SystemSpec.parseUnnamed("--reference", "djl:models/qwen:out/shop-lora"))
                .isEqualTo(new SystemSpec("reference", "djl", "models/qwen", Path.of("out/shop-lora")));
        assertThat(SystemSpec.parseUnnamed("--candidate", "onnx:out/shop-onnx"))
                .isEqualTo(new SystemSpec("candidate", "onnx", "out/shop-onnx", null));
        assertThatThrownBy(() -> SystemSpec.parseUnnamed("--candidate", "out/shop-onnx"))
                .hasMessageContaining("--candidate 'out/shop-onnx' needs ENGINE:MODEL").hasMessageContaining("onnx:out/shop-onnx");
    }
}
