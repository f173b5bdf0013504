package io.kefu.engine.djl.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import io.kefu.runtime.format.Checkpoint;
import io.kefu.engine.djl.torch.GradMode;
import io.kefu.engine.djl.torch.Torch;
import io.kefu.engine.djl.model.DecoderModel;
import io.kefu.engine.djl.model.DecoderWeights;
import io.kefu.engine.djl.model.Golden;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CausalLmLossTest {
    @Test
    void aTrainedHeadsLossAndLogitGradientEqualSoftmaxCrossEntropy() {
        int rows = 37;
        int vocab = 50;
        Random random = new Random(5);
        float[] logits = new float[rows * vocab];
        long[] targets = new long[rows];
        for (int r = 0; r < rows; r++) {
            for (int v = 0; v < vocab; v++) {
                logits[r * vocab + v] = (float) random.nextGaussian() * 3;
            }
            targets[r] = random.nextInt(vocab);
        }
        // a target whose probability underflows fp32 (about e^-150)
        logits[5 * vocab + (int) targets[5]] = -150;
        float scale = 1f / rows;
        double expectedSum = 0;
        double[] expectedGradient = new double[logits.length];
        for (int r = 0; r < rows; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int v = 0; v < vocab; v++) {
                max = Math.max(max, logits[r * vocab + v]);
            }
            double z = 0;
            for (int v = 0; v < vocab; v++) {
                z += Math.exp(logits[r * vocab + v] - max);
            }
            double logZ = max + Math.log(z);
            expectedSum -= logits[r * vocab + (int) targets[r]] - logZ;
            for (int v = 0; v < vocab; v++) {
                double p = Math.exp(logits[r * vocab + v] - logZ);
                expectedGradient[r * vocab + v] = scale * (p - (v == targets[r] ? 1 : 0));
            }
        }
        try (NDManager manager = Torch.newManager(); GradMode noGrad = GradMode.off()) {
            NDArray array = manager.create(logits, new Shape(rows, vocab));
            float[] logProbs = CausalLmLoss.rowLogProbs(array, targets);
            float[] rowGradient = new float[rows];
            double sum = CausalLmLoss.negativeLogLikelihood(scale).apply(logProbs, rowGradient);
            assertThat(sum).isCloseTo(expectedSum, within(1e-5 * expectedSum));
            assertThat(array.toFloatArray()).as("logits untouched by the log-probabilities").containsExactly(logits);

            CausalLmLoss.fillLogProbGradient(array, targets, rowGradient);
            float[] gradient = array.toFloatArray();
            for (int i = 0; i < gradient.length; i++) {
                assertThat((double) gradient[i]).as("gradient %d", i).isCloseTo(expectedGradient[i], within(1e-7));
            }
        }
    }

    /**
     * Two accumulated micro-batches of full fine-tuning, on an untied (llama) and a tied (qwen2)
     * model: the first creates the untied table's gradient, the second adds to it; with gradient
     * checkpointing too.
     */
    @ParameterizedTest
    @ValueSource(strings = {"llama", "qwen2"})
    void backwardGivesTheGradientsOfAutogradsLogSoftmaxLoss(String arch) {
        List<List<TokenSequence>> micro = List.of(TrainingLoopTest.data(6, 4), TrainingLoopTest.data(3, 8));
        try (NDManager manager = Torch.newManager();
             Checkpoint checkpoint = Checkpoint.open(Golden.dir(arch));
             DecoderWeights weights = DecoderWeights.load(checkpoint, manager);
             DecoderModel model = new DecoderModel(weights, 64)) {
            for (NDArray p : weights.all().values()) {
                p.setRequiresGradient(true);
            }
            List<CausalLmLoss.Batch> batches = micro.stream().map(data -> CausalLmLoss.batch(manager, data)).toList();
            float scale = 1f / batches.stream().mapToInt(CausalLmLoss.Batch::trainedTokens).sum();

            double handmade = 0;
            try (GradMode on = GradMode.on(); GradientCollector collector = Torch.engine().newGradientCollector()) {
                for (CausalLmLoss.Batch batch : batches) {
                    handmade += CausalLmLoss.backward(model, null, batch, scale, false);
                }
            }
            Map<String, float[]> handmadeGradients = takeGradients(weights);

            double checkpointed = 0;
            try (GradMode on = GradMode.on(); GradientCollector collector = Torch.engine().newGradientCollector()) {
                for (CausalLmLoss.Batch batch : batches) {
                    checkpointed += CausalLmLoss.backward(model, null, batch, scale, true);
                }
            }
            Map<String, float[]> checkpointedGradients = takeGradients(weights);

            double autograd = 0;
            try (GradMode on = GradMode.on(); GradientCollector collector = Torch.engine().newGradientCollector()) {
                for (CausalLmLoss.Batch batch : batches) {
                    NDArray hidden = model.hidden(batch.ids(), batch.positions(), batch.mask(), null, null, false);
                    NDArray picked = hidden.reshape(-1, hidden.getShape().get(2)).get(new NDIndex("{}", batch.rows()));
                    NDArray sum = model.logits(picked).logSoftmax(-1).gather(batch.targets(), 1).sum().neg();
                    collector.backward(sum.mul(manager.create(scale)));
                    autograd += sum.getFloat();
                }
            }
            Map<String, float[]> autogradGradients = takeGradients(weights);

            assertThat(handmade).isCloseTo(autograd, within(1e-5 * autograd));
            assertThat(checkpointed).isCloseTo(autograd, within(1e-5 * autograd));
            assertThat(handmadeGradients.keySet()).containsExactlyElementsOf(autogradGradients.keySet());
            for (String name : autogradGradients.keySet()) {
                float[] e = autogradGradients.get(name);
                float[] h = handmadeGradients.get(name);
                float[] c = checkpointedGradients.get(name);
                double largest = 0;
                for (float v : e) {
                    largest = Math.max(largest, Math.abs(v));
                }
                assertThat(largest).as(name).isGreaterThan(0);
                for (int i = 0; i < e.length; i++) {
                    assertThat(h[i]).as("%s[%d]", name, i).isCloseTo(e[i], within((float) (1e-4 * largest)));
                    assertThat(c[i]).as("checkpointed %s[%d]", name, i).isCloseTo(e[i], within((float) (1e-4 * largest)));
                }
            }
        }
    }

    private static Map<String, float[]> takeGradients(DecoderWeights weights) {
        Map<String, float[]> out = new LinkedHashMap<>();
        try (GradMode off = GradMode.off()) {
            for (Map.Entry<String, NDArray> e : weights.all().entrySet()) {
                out.put(e.getKey(), e.getValue().getGradient().toFloatArray());
                JniUtils.zeroGrad((PtNDArray) e.getValue());
            }
        }
        return out;
    }
}
