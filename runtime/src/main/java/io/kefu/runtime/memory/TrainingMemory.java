package io.kefu.runtime.memory;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.runtime.format.DecoderLayout;
import io.kefu.runtime.format.HfModelConfig;
import io.kefu.runtime.format.ParameterCount;
import io.kefu.runtime.quant.Nf4;
import io.kefu.runtime.format.Dtype;
import io.kefu.train.BaseDtype;
import io.kefu.train.LoraConfig;
import io.kefu.train.TrainingConfig;
import io.kefu.train.WeightQuantization;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Predicts the peak memory of fine-tuning a decoder with Kefu's DJL engine, from the config alone,
 * the way that engine allocates:
 *
 * <ul>
 *   <li><b>base weights</b>: every tensor in the storage dtype (fp32 4 bytes, bf16/fp16 2 bytes); with
 *       NF4 the linear projections of the decoder layers take {@link Nf4#bytesPerParameter(boolean)}
 *       (double-quantized) and the embeddings, norms and output head 2 bytes (bf16).</li>
 *   <li><b>trainable + optimizer</b>: each trainable parameter in fp32 with its gradient and AdamW's
 *       two moments, 16 bytes (under full fine-tuning the weights themselves are counted in base weights,
 *       so 12 bytes here).</li>
 *   <li><b>activations</b>: every intermediate array of the forward pass stays alive until the
 *       optimizer step ends (the step's scope owns them), for each micro-batch of the step. Per layer
 *       and token: 10 x hidden + 10.5 x q width + 6.5 x kv width + 5 x intermediate + 4 x head_dim
 *       floats, 4 x heads x sequence floats for the attention scores, probabilities and their masked
 *       copies, and per LoRA target its dropout (with mask), rank-wide and output-wide temporaries.
 *       With gradient checkpointing only each layer's input is kept, plus one layer recomputed in
 *       backward. Without it, 16-bit or NF4 storage also keeps every layer's fp32 widening alive for
 *       the backward pass.</li>
 *   <li><b>logits</b>: logits are computed only where a label is trained (every position is assumed
 *       trained). A frozen output head (LoRA) is gone through {@value #HEAD_SLICE_ROWS} vocabulary rows
 *       at a time: one slice's logits and their exponentials, and a few hidden-wide rows per position.
 *       A trained head (full fine-tuning) has {@code [trained positions, vocab]} fp32 logits and the
 *       hidden rows they come from, per micro-batch.</li>
 *   <li><b>workspace</b>: the process itself (JVM, libtorch, tokenizer), its Java heap (the initial
 *       heap, which a run of more than a few steps touches in full, or the fp32 arrays read while
 *       loading when they are more and fit in three quarters of the JVM's maximum heap: no collection
 *       runs, so they stay), backward temporaries (the gradients of the largest activations of one
 *       layer), the array a compact output head's slices are widened into and, with checkpointing,
 *       the layer in use when the base is not fp32, and under full fine-tuning one vocabulary-sized
 *       gradient of the output head before it is accumulated.</li>
 * </ul>
 *
 * <p>When the arrays read while loading do not fit there, collections run while loading and
 * loading has a peak of its own (base weights, the process, the filled heap); the prediction is
 * the larger of the two peaks. That is how the fp32 loader behaves; 16-bit and NF4 bases are
 * loaded tensor by tensor into their storage, with a peak of the stored base, the process and its
 * heap, which holds one tensor's fp32 values at a time.
 *
 * Calibrated against measured peak resident memory on this engine's CPU build (docs/djl.md, "Sizing").
 */
public final class TrainingMemory {
    /** Resident memory of the process apart from its Java heap: JVM code and metadata, libtorch, tokenizer (measured). */
    static final long PROCESS_BYTES = 300L << 20;
    /**
     * The Java heap this JVM starts with ({@code -Xms}; by default 1/64 of the machine's memory). A training run
     * allocates far more than that over its steps, so the whole initial heap becomes resident.
     */
    static final long INITIAL_HEAP = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getInit();
    /** Share of the maximum heap that the fp32 arrays read while loading fill before they are collected (measured). */
    static final double HEAP_FILL = 0.75;
    private static final int FLOAT = 4;
    /** Vocabulary rows of a compact output head the engine widens at a time. */
    static final int HEAD_SLICE_ROWS = 8192;
    /** Values of a tensor a 16-bit conversion reads at a time while loading. */
    static final long LOAD_WINDOW = 1 << 22;

    /** How the frozen base weights are stored. */
    public enum Storage {
        /** fp32, as today. */
        FP32,
        /** IEEE half, widened per layer. */
        FP16,
        /** bfloat16 bits, widened per layer. */
        BF16,
        /** NF4 linear projections (double-quantized), the rest bf16, widened per layer. */
        NF4;

        /** @return bytes per non-quantized base parameter */
        double bytesPerParameter() {
            return this == FP32 ? 4 : 2;
        }
    }

    /**
     * What is trained and how.
     *
     * @param lora the adapter, or null for full fine-tuning
     * @param storage how the frozen base is stored (full fine-tuning needs {@link Storage#FP32})
     * @param gradientCheckpointing whether layer activations are recomputed in backward
     * @param batch sequences per micro-batch
     * @param sequence tokens per sequence (padded length)
     * @param microBatches micro-batches per optimizer step (gradient accumulation)
     */
    public record Setup(LoraConfig lora, Storage storage, boolean gradientCheckpointing, int batch, int sequence,
                        int microBatches) {
        /** Validates. */
        public Setup {
            if (batch < 1 || sequence < 1 || microBatches < 1) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "batch=" + batch + ", sequence=" + sequence
                        + " and gradient accumulation=" + microBatches + " must all be positive");
            }
            if (lora == null && storage != Storage.FP32) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "full fine-tuning trains the base weights in fp32; "
                        + storage + " storage is for LoRA");
            }
        }

        /** @return this setup with another batch and sequence */
        public Setup withShape(int newBatch, int newSequence) {
            return new Setup(lora, storage, gradientCheckpointing, newBatch, newSequence, microBatches);
        }

        /** @return this setup with another storage and checkpointing */
        public Setup with(Storage newStorage, boolean checkpointing) {
            return new Setup(lora, newStorage, checkpointing, batch, sequence, microBatches);
        }

        /** @return a short description, e.g. {@code bf16 base, gradient checkpointing} */
        public String describe() {
            String base = switch (storage) {
                case FP32 -> "fp32 base";
                case FP16 -> "fp16 base";
                case BF16 -> "bf16 base";
                case NF4 -> "nf4 base";
            };
            return base + (gradientCheckpointing ? ", gradient checkpointing" : "");
        }
    }

    /**
     * The predicted peak, by what holds it, in bytes.
     *
     * @param loading the peak while loading, when that is a peak of its own: the base weights, the
     *     process and a heap filled with the arrays read (0 when those arrays never fill the heap and
     *     stay through training, counted in the workspace instead)
     */
    public record Estimate(long baseWeights, long trainable, long activations, long logits, long workspace, long loading) {
        /** @return the training peak: every row but {@link #loading()} */
        public long training() {
            return baseWeights + trainable + activations + logits + workspace;
        }

        /** @return the predicted peak: the larger of the training and the loading peaks */
        public long total() {
            return Math.max(training(), loading);
        }
    }

    private TrainingMemory() {
    }

    /**
     * @return how the base is stored when trained with this dtype and quantization: nf4 when
     *     quantized; for {@link BaseDtype#AUTO} the checkpoint's {@code torch_dtype} (fp32 when it has
     *     none), and fp32 under full fine-tuning
     */
    public static Storage storage(BaseDtype dtype, WeightQuantization quantization, boolean fullFineTune, HfModelConfig config) {
        if (quantization == WeightQuantization.NF4) {
            return Storage.NF4;
        }
        return switch (dtype) {
            case AUTO -> fullFineTune ? Storage.FP32 : switch (config.torchDtype().orElse(Dtype.F32)) {
                case BF16 -> Storage.BF16;
                case F16 -> Storage.FP16;
                default -> Storage.FP32;
            };
            case FP32 -> Storage.FP32;
            case FP16 -> Storage.FP16;
            case BF16 -> Storage.BF16;
        };
    }

    /**
     * @return the setup of a training run: its adapter, storage, checkpointing, batch size, the
     *     longest example ({@link TrainingConfig#maxLength()}) as the sequence, and its gradient
     *     accumulation as the micro-batches of a step
     */
    public static Setup setup(TrainingConfig training, HfModelConfig config) {
        return new Setup(training.lora().orElse(null), storage(training.baseDtype(), training.quantization(),
                training.isFullFineTune(), config), training.gradientCheckpointing(), training.batchSize(),
                training.maxLength(), training.gradientAccumulation());
    }

    /** @return the predicted peak of training {@code config} as {@code setup} says, in a JVM with this JVM's maximum heap */
    public static Estimate estimate(HfModelConfig config, Setup setup) {
        return estimate(config, setup, Runtime.getRuntime().maxMemory());
    }

    /**
     * @return the predicted peak of training {@code config} as {@code setup} says, in a JVM whose
     *     maximum heap ({@code -Xmx}) is {@code maxHeapBytes}
     */
    public static Estimate estimate(HfModelConfig config, Setup setup, long maxHeapBytes) {
        return estimate(config, setup, maxHeapBytes, Math.min(maxHeapBytes, INITIAL_HEAP));
    }

    /**
     * @return the predicted peak of training {@code config} as {@code setup} says, in a JVM whose
     *     maximum heap is {@code maxHeapBytes} and whose initial heap is {@code initialHeapBytes}
     */
    static Estimate estimate(HfModelConfig config, Setup setup, long maxHeapBytes, long initialHeapBytes) {
        DecoderLayout layout = DecoderLayout.of(config);
        long all = layout.parameterCount();
        long linear = linearParameters(config);
        long head = (long) config.vocabSize() * config.hiddenSize();
        long layerLinear = linear / config.numHiddenLayers();

        long base;
        if (setup.storage() == Storage.NF4) {
            base = (long) Math.ceil(linear * Nf4.bytesPerParameter(true)) + 2 * (all - linear);
        } else {
            base = (long) (all * setup.storage().bytesPerParameter());
        }
        long trainable = setup.lora() == null ? 12 * all : 16 * ParameterCount.lora(config, setup.lora()).trainable();

        long n = (long) setup.batch() * setup.sequence();
        double perLayer = layerActivationFloats(config, setup, n);
        double kept;
        if (setup.gradientCheckpointing()) {
            kept = (double) n * config.hiddenSize() * config.numHiddenLayers() + perLayer;
        } else {
            kept = perLayer * config.numHiddenLayers();
            if (setup.storage() != Storage.FP32) {
                kept += linear; // every layer's widened weights, saved for the backward pass
            }
        }
        kept += 4.0 * n * config.hiddenSize(); // embeddings and the final norm
        long activations = (long) (FLOAT * kept * setup.microBatches());
        long sliceRows = Math.min(config.vocabSize(), HEAD_SLICE_ROWS);
        // a frozen head is gone through a vocabulary slice at a time (the slice's logits and their
        // exponentials, and a few hidden-wide rows); a trained head's logits are whole, per micro-batch
        long logits = setup.lora() == null
                ? (long) FLOAT * n * (config.vocabSize() + config.hiddenSize()) * setup.microBatches()
                : (long) FLOAT * n * (2 * sliceRows + 5L * config.hiddenSize());

        double backward = 2.0 * config.numAttentionHeads() * n * setup.sequence() + 3.0 * n * config.intermediateSize()
                + 2.0 * n * config.hiddenSize();
        // a compact head: the array its slices are widened into
        long headSlice = sliceRows * config.hiddenSize();
        long widened = setup.storage() == Storage.FP32 ? 0
                : FLOAT * (headSlice + (setup.gradientCheckpointing() ? layerLinear : 0));
        // every tensor is read into a float[] before it becomes an array. The garbage stays in the heap
        // until a collection, which comes when the heap is about three quarters full (measured): a
        // model whose arrays fit below that keeps them through training; a larger one peaks while loading
        long read = FLOAT * all;
        long fill = (long) (HEAP_FILL * maxHeapBytes);
        long heap = read <= fill ? Math.max(initialHeapBytes, read) : initialHeapBytes;
        long loading = read <= fill ? 0 : base + PROCESS_BYTES + Math.max(initialHeapBytes, fill);
        if (setup.storage() != Storage.FP32) {
            // 16-bit and nf4 bases load tensor by tensor into their storage, through one reused buffer:
            // a whole projection for nf4, a window of a tensor for a 16-bit conversion
            long buffer = FLOAT * (setup.storage() == Storage.NF4 ? largestProjection(layout) : LOAD_WINDOW);
            heap = Math.max(initialHeapBytes, buffer);
            loading = base + PROCESS_BYTES + heap;
        }
        long headGradient = setup.lora() == null ? FLOAT * head : 0; // full fine-tuning: the head's gradient before it is accumulated
        long workspace = PROCESS_BYTES + heap + (long) (FLOAT * backward) + widened + headGradient;
        return new Estimate(base, trainable, activations, logits, workspace, loading);
    }

    private static long largestProjection(DecoderLayout layout) {
        long largest = 0;
        for (String name : layout.names()) {
            if (name.startsWith("model.layers.") && name.endsWith("_proj.weight")) {
                largest = Math.max(largest, io.kefu.runtime.format.TensorInfo.elementCount(layout.shape(name)));
            }
        }
        return largest;
    }

    /** @return floats one decoder layer keeps per micro-batch of {@code n} tokens */
    private static double layerActivationFloats(HfModelConfig c, Setup setup, long n) {
        double h = c.hiddenSize();
        double q = c.qDim();
        double kv = c.kvDim();
        double perToken = 10 * h + 10.5 * q + 6.5 * kv + 5.0 * c.intermediateSize() + 4.0 * c.headDim();
        if (c.architecture().hasQkNorm()) {
            perToken += 3 * (q + kv);
        }
        if (setup.lora() != null) {
            DecoderLayout layout = DecoderLayout.of(c);
            for (String target : setup.lora().targets()) {
                int[] io = layout.linearFeatures(target);
                double dropout = setup.lora().dropout() > 0 ? 1.25 * io[0] : 0;
                perToken += dropout + setup.lora().rank() + 3.0 * io[1];
            }
        }
        double scores = 4.0 * c.numAttentionHeads() * setup.sequence();
        return n * (perToken + scores);
    }

    /** @return parameters in the decoder layers' linear projections (what NF4 quantizes) */
    static long linearParameters(HfModelConfig config) {
        DecoderLayout layout = DecoderLayout.of(config);
        long perLayer = 0;
        for (List<String> group : List.of(DecoderLayout.ATTENTION_PROJECTIONS, DecoderLayout.MLP_PROJECTIONS)) {
            for (String projection : group) {
                int[] io = layout.linearFeatures(projection);
                perLayer += (long) io[0] * io[1];
            }
        }
        return perLayer * config.numHiddenLayers();
    }

    /** @return the largest batch (at the setup's sequence) that fits {@code budget}, or empty when not even 1 does */
    public static Optional<Integer> largestBatch(HfModelConfig config, Setup setup, long budget, long maxHeapBytes) {
        return largest(b -> estimate(config, setup.withShape(b, setup.sequence()), maxHeapBytes).total() <= budget, 1 << 16);
    }

    /** @return the longest sequence (at the setup's batch) that fits {@code budget}, or empty when not even 1 token does */
    public static Optional<Integer> largestSequence(HfModelConfig config, Setup setup, long budget, long maxHeapBytes) {
        return largest(t -> estimate(config, setup.withShape(setup.batch(), t), maxHeapBytes).total() <= budget,
                config.maxPositionEmbeddings());
    }

    /**
     * @return the setups that fit {@code budget} at the setup's batch and sequence, changing as little
     *     as possible, in the order: checkpointing, 16-bit storage (bf16), both, NF4, NF4 with
     *     checkpointing; empty when none does
     */
    public static List<Setup> waysToFit(HfModelConfig config, Setup setup, long budget, long maxHeapBytes) {
        List<Setup> candidates = new ArrayList<>();
        candidates.add(setup);
        if (setup.lora() != null) {
            candidates.add(setup.with(setup.storage(), true));
            if (setup.storage() == Storage.FP32) {
                candidates.add(setup.with(Storage.BF16, setup.gradientCheckpointing()));
                candidates.add(setup.with(Storage.BF16, true));
            }
            if (setup.storage() != Storage.NF4) {
                candidates.add(setup.with(Storage.NF4, setup.gradientCheckpointing()));
                candidates.add(setup.with(Storage.NF4, true));
            }
        } else {
            candidates.add(setup.with(Storage.FP32, true));
        }
        List<Setup> fits = new ArrayList<>();
        for (Setup candidate : candidates) {
            if (!fits.contains(candidate) && estimate(config, candidate, maxHeapBytes).total() <= budget) {
                fits.add(candidate);
            }
        }
        return fits;
    }

    private static Optional<Integer> largest(java.util.function.IntPredicate fits, int limit) {
        if (!fits.test(1)) {
            return Optional.empty();
        }
        int low = 1;
        int high = limit;
        while (low < high) {
            int mid = (int) (((long) low + high + 1) / 2);
            if (fits.test(mid)) {
                low = mid;
            } else {
                high = mid - 1;
            }
        }
        return Optional.of(low);
    }
}
