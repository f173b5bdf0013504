package io.kefu.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import org.junit.jupiter.api.Test;

class TrainingConfigTest {
    @Test
    void defaultsFollowTheArticleRecipe() {
        TrainingConfig config = TrainingConfig.builder().build();
        assertThat(config.lora()).isPresent();
        LoraConfig lora = config.lora().orElseThrow();
        assertThat(lora.rank()).isEqualTo(8);
        assertThat(lora.alpha()).isEqualTo(16);
        assertThat(lora.targets()).containsExactly("q_proj", "v_proj");
        assertThat(lora.scale()).isEqualTo(2.0);
        assertThat(config.batchSize()).isEqualTo(4);
        assertThat(config.gradientAccumulation()).isEqualTo(4);
        assertThat(config.learningRate()).isEqualTo(2e-4);
        assertThat(config.epochs()).isEqualTo(3);
        assertThat(config.schedule()).isEqualTo(Schedule.COSINE);
        assertThat(config.trainOnPrompt()).isFalse();
    }

    @Test
    void fullFineTuneHasNoLora() {
        assertThat(TrainingConfig.builder().fullFineTune().build().isFullFineTune()).isTrue();
    }

    @Test
    void allLinearExpandsToEveryProjection() {
        assertThat(LoraConfig.builder().targets("all-linear").build().targets()).containsExactlyElementsOf(LoraConfig.LINEAR_MODULES);
    }

    @Test
    void rsLoraScalesBySquareRootOfRank() {
        assertThat(LoraConfig.builder().rank(16).alpha(16).rsLora(true).build().scale()).isEqualTo(4.0);
    }

    @Test
    void badValuesNameTheField() {
        assertThatThrownBy(() -> TrainingConfig.builder().learningRate(0).build())
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIG))
                .hasMessageContaining("learningRate");
        assertThatThrownBy(() -> LoraConfig.builder().targets("lm_head").build()).hasMessageContaining("'lm_head'");
        assertThatThrownBy(() -> LoraConfig.builder().targets("q_proj", "q_proj").build()).hasMessageContaining("twice");
        assertThatThrownBy(() -> LoraConfig.builder().dropout(1).build()).hasMessageContaining("dropout");
    }

    @Test
    void initAdapterIsKeptThroughToBuilderAndNeedsLora() {
        java.nio.file.Path may = java.nio.file.Path.of("out/may/adapter");
        TrainingConfig config = TrainingConfig.builder().initAdapter(may).build();
        assertThat(TrainingConfig.builder().build().initAdapter()).isEmpty();
        assertThat(config.initAdapter()).contains(may);
        assertThat(config.toBuilder().build().initAdapter()).contains(may);
        assertThat(config.toString()).contains("initAdapter=" + may);
        assertThatThrownBy(() -> config.toBuilder().fullFineTune().build())
                .isInstanceOf(KefuException.class)
                .satisfies(e -> assertThat(((KefuException) e).code()).isEqualTo(ErrorCode.INVALID_CONFIG))
                .hasMessageContaining("initAdapter=" + may).hasMessageContaining("full fine-tuning");
    }
}
