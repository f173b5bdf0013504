package io.kefu.engine.djl.train;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LossScalerTest {
    @Test
    void startsAtPyTorchsScaleHalvesOnOverflowAndDoublesAfterAnIntervalOfGoodSteps() {
        LossScaler scaler = LossScaler.initial(true);
        assertThat(scaler.scale()).isEqualTo(65536);
        scaler = scaler.afterOverflow();
        assertThat(scaler).isEqualTo(new LossScaler(32768, 0));
        for (long i = 1; i < LossScaler.GROWTH_INTERVAL; i++) {
            scaler = scaler.afterGoodStep(true);
        }
        assertThat(scaler).isEqualTo(new LossScaler(32768, LossScaler.GROWTH_INTERVAL - 1));
        assertThat(scaler.afterGoodStep(true)).isEqualTo(new LossScaler(65536, 0));
    }

    @Test
    void stopsFallingAtOneAndNeverMovesWithoutFp16() {
        LossScaler low = new LossScaler(2, 5).afterOverflow();
        assertThat(low).isEqualTo(new LossScaler(1, 0));
        assertThat(low.canBackOff()).isFalse();
        assertThat(low.afterOverflow().scale()).isEqualTo(1);
        LossScaler off = LossScaler.initial(false);
        assertThat(off.scale()).isEqualTo(1);
        assertThat(off.afterGoodStep(false)).isSameAs(off);
    }
}
