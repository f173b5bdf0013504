package io.kefu.runtime.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kefu.KefuException;
import io.kefu.runtime.format.HfModelConfig;
import io.kefu.runtime.memory.TrainingMemory.Estimate;
import io.kefu.runtime.memory.TrainingMemory.Setup;
import io.kefu.runtime.memory.TrainingMemory.Storage;
import io.kefu.runtime.quant.Nf4;
import io.kefu.train.LoraConfig;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrainingMemoryTest {
    private static final HfModelConfig LLAMA3_8B = HfModelConfig.load(Path.of("../examples/models/llama-3-8b.config.json"));
    private static final long LLAMA3_8B_PARAMS = 8_030_261_248L;
    private static final long HEAP = 6L << 30;
    private static final LoraConfig QV = LoraConfig.builder().rank(8).targets("q_proj", "v_proj").build();

    private static Setup lora(Storage storage, boolean checkpointing) {
        return new Setup(QV, storage, checkpointing, 1, 256, 1);
    }

    @Test
    void baseWeightsAreBytesPerParameterTimesTheConfigsCount() {
        assertThat(TrainingMemory.estimate(LLAMA3_8B, lora(Storage.BF16, true)).baseWeights()).isEqualTo(2 * LLAMA3_8B_PARAMS);
        assertThat(TrainingMemory.estimate(LLAMA3_8B, lora(Storage.FP16, true)).baseWeights()).isEqualTo(2 * LLAMA3_8B_PARAMS);
        assertThat(TrainingMemory.estimate(LLAMA3_8B, lora(Storage.FP32, true)).baseWeights()).isEqualTo(4 * LLAMA3_8B_PARAMS);
        long linear = 32L * (2L * 4096 * 4096 + 2L * 4096 * 1024 + 3L * 4096 * 14336);
        assertThat(TrainingMemory.linearParameters(LLAMA3_8B)).isEqualTo(linear);
        double nf4 = 0.5 + 1.0 / 64 + 4.0 / (64 * 256);
        assertThat(TrainingMemory.estimate(LLAMA3_8B, lora(Storage.NF4, true)).baseWeights())
                .isEqualTo((long) Math.ceil(linear * nf4) + 2 * (LLAMA3_8B_PARAMS - linear));
        assertThat(Nf4.bytesPerParameter(true)).isEqualTo(nf4);
    }

    @Test
    void loraTrainablesCarryGradientAndTwoAdamMoments() {
        assertThat(TrainingMemory.estimate(LLAMA3_8B, lora(Storage.BF16, true)).trainable()).isEqualTo(16L * 3_407_872);
        HfModelConfig qwen = HfModelConfig.load(Path.of("../examples/models/qwen2.5-7b.config.json"));
        Estimate full = TrainingMemory.estimate(qwen, new Setup(null, Storage.FP32, false, 1, 16, 1));
        assertThat(full.trainable()).isEqualTo(3 * full.baseWeights());
    }

    @Test
    void checkpointingAndMicroBatchesMoveActivationsAndATrainedHeadsLogits() {
        Estimate plain = TrainingMemory.estimate(LLAMA3_8B, lora(Storage.FP32, false));
        Estimate checkpointed = TrainingMemory.estimate(LLAMA3_8B, lora(Storage.FP32, true));
        assertThat(checkpointed.activations()).isLessThan(plain.activations() / 4);
        assertThat(checkpointed.baseWeights()).isEqualTo(plain.baseWeights());
        Estimate four = TrainingMemory.estimate(LLAMA3_8B, new Setup(QV, Storage.FP32, false, 1, 256, 4));
        assertThat(four.activations()).isBetween(4 * plain.activations() - 4, 4 * plain.activations() + 4);
        // a frozen head goes a vocabulary slice at a time, one micro-batch after another
        assertThat(four.logits()).isEqualTo(plain.logits());
        assertThat(plain.logits()).isEqualTo(4L * 256 * (2 * 8192 + 5 * 4096));
        // a trained head has every trained position's logits, per micro-batch: 256 x (vocab + hidden) floats
        Estimate full = TrainingMemory.estimate(LLAMA3_8B, new Setup(null, Storage.FP32, false, 1, 256, 4));
        assertThat(full.logits()).isEqualTo(4 * 4L * 256 * (128256 + 4096));
        // without checkpointing, a 16-bit base keeps every widened layer for the backward pass
        Estimate bf16 = TrainingMemory.estimate(LLAMA3_8B, lora(Storage.BF16, false));
        assertThat(bf16.activations() - plain.activations()).isEqualTo(4 * TrainingMemory.linearParameters(LLAMA3_8B));
    }

    @Test
    void findsTheLargestShapeAndTheSmallestChangeThatFit() {
        long budget = ByteSize.parse("24GiB", "--memory");
        Setup bf16 = lora(Storage.BF16, true);
        int batch = TrainingMemory.largestBatch(LLAMA3_8B, bf16, budget, HEAP).orElseThrow();
        assertThat(TrainingMemory.estimate(LLAMA3_8B, bf16.withShape(batch, 256), HEAP).total()).isLessThanOrEqualTo(budget);
        assertThat(TrainingMemory.estimate(LLAMA3_8B, bf16.withShape(batch + 1, 256), HEAP).total()).isGreaterThan(budget);
        int sequence = TrainingMemory.largestSequence(LLAMA3_8B, bf16, budget, HEAP).orElseThrow();
        assertThat(TrainingMemory.estimate(LLAMA3_8B, bf16.withShape(1, sequence), HEAP).total()).isLessThanOrEqualTo(budget);
        assertThat(TrainingMemory.estimate(LLAMA3_8B, bf16.withShape(1, sequence + 1), HEAP).total()).isGreaterThan(budget);

        Setup fp32 = lora(Storage.FP32, false);
        assertThat(TrainingMemory.estimate(LLAMA3_8B, fp32, HEAP).total()).isGreaterThan(budget);
        List<Setup> ways = TrainingMemory.waysToFit(LLAMA3_8B, fp32, budget, HEAP);
        assertThat(ways).isNotEmpty().doesNotContain(fp32, fp32.with(Storage.FP32, true));
        assertThat(ways).contains(fp32.with(Storage.NF4, true));
        assertThat(TrainingMemory.waysToFit(LLAMA3_8B, fp32, 1L << 30, HEAP)).isEmpty();
    }

    @Test
    void arraysReadWhileLoadingStayUnlessTheyFillTheHeap() {
        Setup setup = lora(Storage.FP32, false);
        long read = 4 * LLAMA3_8B_PARAMS;
        long initialHeap = 384L << 20;
        Estimate roomy = TrainingMemory.estimate(LLAMA3_8B, setup, 1L << 40, initialHeap);
        Estimate tight = TrainingMemory.estimate(LLAMA3_8B, setup, 8L << 30, initialHeap);
        assertThat(roomy.workspace() - tight.workspace()).isEqualTo(read - initialHeap);
        assertThat(roomy.loading()).isZero();
        assertThat(tight.loading()).isEqualTo(tight.baseWeights() + TrainingMemory.PROCESS_BYTES + (6L << 30));
        assertThat(tight.total()).isEqualTo(Math.max(tight.training(), tight.loading()));
    }

    @Test
    void theInitialHeapIsResidentOnceTheArraysReadAreFewer() {
        Setup setup = lora(Storage.BF16, true);
        Estimate small = TrainingMemory.estimate(LLAMA3_8B, setup, 6L << 30, 256L << 20);
        Estimate large = TrainingMemory.estimate(LLAMA3_8B, setup, 6L << 30, 1L << 30);
        assertThat(large.workspace() - small.workspace()).isEqualTo((1L << 30) - (256L << 20));
        assertThat(large.loading() - small.loading()).isEqualTo((1L << 30) - (256L << 20));
    }

    @Test
    void rejectsImpossibleSetups() {
        assertThatThrownBy(() -> new Setup(null, Storage.NF4, false, 1, 16, 1)).isInstanceOf(KefuException.class)
                .hasMessageContaining("full fine-tuning");
        assertThatThrownBy(() -> new Setup(QV, Storage.FP32, false, 0, 16, 1)).isInstanceOf(KefuException.class);
    }

    @Test
    void readsSizesAsPeopleWriteThem() {
        assertThat(ByteSize.parse("24GiB", "--memory")).isEqualTo(24L << 30);
        assertThat(ByteSize.parse("24G", "--memory")).isEqualTo(24L << 30);
        assertThat(ByteSize.parse("5GB", "--max-shard-size")).isEqualTo(5_000_000_000L);
        assertThat(ByteSize.parse("512 MiB", "--memory")).isEqualTo(512L << 20);
        assertThat(ByteSize.parse("1000", "--memory")).isEqualTo(1000);
        assertThatThrownBy(() -> ByteSize.parse("lots", "--memory")).isInstanceOf(KefuException.class)
                .hasMessageContaining("--memory lots");
        assertThat(ByteSize.format(24L << 30)).isEqualTo("24.00 GiB");
        assertThat(ByteSize.format(300L << 20)).isEqualTo("300 MiB");
    }
}
