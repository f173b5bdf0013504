package io.kefu.engine.djl.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.kefu.engine.djl.lora.LoraWeights;
import io.kefu.engine.djl.model.DecoderModel;
import io.kefu.engine.djl.model.DecoderWeights;
import io.kefu.engine.djl.model.FullSequenceLogits;
import io.kefu.engine.djl.model.Golden;
import io.kefu.engine.djl.model.WeightStorage;
import io.kefu.engine.djl.torch.GradMode;
import io.kefu.engine.djl.torch.Torch;
import io.kefu.runtime.format.Checkpoint;
import io.kefu.runtime.format.Dtype;
import io.kefu.runtime.format.PeftAdapter;
import io.kefu.runtime.format.SafetensorsFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * LoRA over a base stored in 16 bits or NF4, forward and backward, with and without gradient
 * checkpointing, equals plain PyTorch in fp32 over the weights as that storage dequantizes them
 * (scripts/golden/compact_base_lora.py), on an untied (llama, bf16 checkpoint) and a tied (qwen2,
 * fp16 checkpoint) model. Mode "bf16+fp16" is the bf16 base with its matrix products in fp16
 * ({@link DecoderModel#withFp16Products()}) against PyTorch with the same products rounded as fp16
 * products round; it must be closer to that than to the fp32 products.
 */
class CompactBaseParityTest {
    private static final int[] SEQUENCE = {1, 5, 9, 33, 70, 2, 101, 64, 3, 17, 120, 45};
    /**
     * fp16 products against their emulation: libtorch's fp16 product is its fp32 product rounded to fp16
     * (checked: equal to the bit), but two fp32 products may sum in different orders, and a rounding
     * that flips at one product (fp16's step is 2^-11 of the value) travels through the later layers.
     */
    private static final float FP16_TOLERANCE = 5e-3f;

    static Stream<Arguments> cases() {
        Stream.Builder<Arguments> cases = Stream.builder();
        for (String fixture : List.of("llama", "qwen2")) {
            for (String mode : List.of("bf16", "fp16", "nf4", "bf16+fp16")) {
                for (boolean checkpointing : List.of(false, true)) {
                    cases.add(Arguments.of(fixture, mode, checkpointing));
                }
            }
        }
        return cases.build();
    }

    @ParameterizedTest(name = "{0} {1} checkpointing={2}")
    @MethodSource("cases")
    void loraLogitsAndGradientsMatchPyTorchOverTheDequantizedWeights(String fixture, String mode, boolean checkpointing) {
        Path base = Golden.dir(fixture);
        Path golden = Golden.dir("llama").resolveSibling("compact").resolve(fixture);
        Path adapterDir = Files.exists(golden.resolve("adapter_config.json")) ? golden : base;
        try (NDManager manager = Torch.newManager();
             Checkpoint checkpoint = Checkpoint.open(base);
             SafetensorsFile expected = SafetensorsFile.open(golden.resolve("expected.safetensors"));
             DecoderWeights weights = DecoderWeights.load(checkpoint, manager, storage(mode, checkpoint));
             DecoderModel fp32Products = new DecoderModel(weights, 64);
             DecoderModel model = fp16(mode) ? fp32Products.withFp16Products() : fp32Products;
             LoraWeights lora = LoraWeights.of(weights.config(), PeftAdapter.load(adapterDir), manager)) {
            assertThat(weights.storage().isFp32()).isFalse();
            long[] ids = new long[SEQUENCE.length];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = SEQUENCE[i];
            }
            float[] logits = FullSequenceLogits.of(manager, model, lora, ids);
            float tolerance = fp16(mode) ? FP16_TOLERANCE : 1e-4f;
            assertThat(FullSequenceLogits.maxAbsDiff(logits, expected.readFloats(mode + ".logits"))).isLessThan(tolerance);
            if (fp16(mode)) {
                assertThat(FullSequenceLogits.maxAbsDiff(logits, expected.readFloats("bf16.logits")))
                        .as("fp16 products: closer to their emulation than to fp32 products")
                        .isGreaterThan(2 * FullSequenceLogits.maxAbsDiff(logits, expected.readFloats(mode + ".logits")));
            }
            if (mode.equals("nf4")) {
                assertThat(FullSequenceLogits.maxAbsDiff(logits, expected.readFloats("bf16.logits")))
                        .as("NF4 moves the logits away from the 16-bit ones").isGreaterThan(1e-3f);
            }

            List<NDArray> params = lora.parameters();
            params.forEach(p -> p.setRequiresGradient(true));
            double loss;
            try (NDManager step = manager.newSubManager()) {
                CausalLmLoss.Batch batch = CausalLmLoss.batch(step, List.of(new TokenSequence(SEQUENCE, SEQUENCE)));
                try (GradMode on = GradMode.on(); GradientCollector collector = Torch.engine().newGradientCollector()) {
                    loss = CausalLmLoss.backward(model, lora, batch, 1f, checkpointing);
                }
            }
            assertThat(loss).isCloseTo(expected.readFloats(mode + ".loss")[0], within(1e-3 * Math.max(1, Math.abs(loss))));
            if (fp16(mode)) {
                double emulated = expected.readFloats(mode + ".loss")[0];
                assertThat(Math.abs(loss - emulated)).as("fp16 products: loss closer to their emulation than to fp32 products")
                        .isLessThan(0.5 * Math.abs(emulated - expected.readFloats("bf16.loss")[0]));
            }
            for (NDArray p : params) {
                float[] want = expected.readFloats(mode + ".grad." + p.getName());
                float[] got = p.getGradient().toFloatArray();
                float scale = 1;
                for (float w : want) {
                    scale = Math.max(scale, Math.abs(w));
                }
                assertThat(FullSequenceLogits.maxAbsDiff(got, want)).as(p.getName()).isLessThan(tolerance * scale);
            }
            params.forEach(p -> p.setRequiresGradient(false));
        }
    }

    private static boolean fp16(String mode) {
        return mode.endsWith("+fp16");
    }

    private static WeightStorage storage(String mode, Checkpoint checkpoint) {
        return switch (mode) {
            case "bf16", "bf16+fp16" -> new WeightStorage(Dtype.BF16, false);
            case "fp16" -> new WeightStorage(Dtype.F16, false);
            default -> new WeightStorage(checkpoint.tensor("model.layers.0.self_attn.q_proj.weight").dtype(), true);
        };
    }
}
