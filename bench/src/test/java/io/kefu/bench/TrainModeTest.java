package io.kefu.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kefu.KefuException;
import io.kefu.train.BaseDtype;
import io.kefu.train.TrainingConfig;
import io.kefu.train.WeightQuantization;
import org.junit.jupiter.api.Test;

class TrainModeTest {
    @Test
    void aModesOwnSettingsWinOverTheFlags() {
        TrainMode mode = TrainMode.parse("LoRA+nf4+gc", BaseDtype.FP16, WeightQuantization.NONE, false);
        TrainingConfig config = mode.apply(TrainingConfig.builder()).build();
        assertThat(config.quantization()).isEqualTo(WeightQuantization.NF4);
        assertThat(config.baseDtype()).isEqualTo(BaseDtype.FP16); // the flag: the mode names no dtype
        assertThat(config.gradientCheckpointing()).isTrue();
        assertThat(config.lora().orElseThrow().rank()).isEqualTo(8);
        assertThat(mode.name()).isEqualTo("LoRA+nf4+gc");
        assertThat(mode.kind()).isEqualTo("lora");
    }

    @Test
    void theFlagsStorageIsForLoraModesOnly() {
        TrainMode full = TrainMode.parse("full", BaseDtype.BF16, WeightQuantization.NF4, true);
        TrainingConfig config = full.apply(TrainingConfig.builder()).build();
        assertThat(config.isFullFineTune()).isTrue();
        assertThat(config.baseDtype()).isEqualTo(BaseDtype.AUTO);
        assertThat(config.quantization()).isEqualTo(WeightQuantization.NONE);
        assertThat(config.gradientCheckpointing()).isTrue();
    }

    @Test
    void whatIsNotAModeIsRefused() {
        assertThatThrownBy(() -> TrainMode.parse("full+bf16", BaseDtype.AUTO, WeightQuantization.NONE, false))
                .isInstanceOf(KefuException.class).hasMessageContaining("--modes full+bf16: ");
        assertThatThrownBy(() -> TrainMode.parse("lora+int8", BaseDtype.AUTO, WeightQuantization.NONE, false))
                .isInstanceOf(KefuException.class)
                .hasMessageContaining("--modes: 'int8' in 'lora+int8' is not a base dtype (auto, fp32, fp16, bf16), none, nf4 or gc");
        assertThatThrownBy(() -> TrainMode.parse("qlora", BaseDtype.AUTO, WeightQuantization.NONE, false))
                .isInstanceOf(KefuException.class).hasMessageContaining("'qlora' does not start with lora or full");
    }
}
