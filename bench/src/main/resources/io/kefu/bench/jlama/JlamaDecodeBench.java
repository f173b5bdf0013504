import com.github.tjake.jlama.model.AbstractModel;
import com.github.tjake.jlama.model.ModelSupport;
import com.github.tjake.jlama.safetensors.DType;
import com.github.tjake.jlama.tensor.AbstractTensor;
import com.github.tjake.jlama.tensor.KvBufferCache;
import com.github.tjake.jlama.util.PhysicalCoreExecutor;
import java.io.File;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * Jlama's decode rate for {@code kefu bench decode}, run by it as a source-file program on Java 21+
 * with {@code --add-modules jdk.incubator.vector --enable-preview}:
 * {@code java JlamaDecodeBench.java MODEL_DIR PROMPT_IDS TOKENS REPEATS [Q4]} prefills the comma-separated
 * prompt ids, then times TOKENS greedy decoding steps (prefill excluded), best of REPEATS after a
 * warm-up, and prints {@code jlama threads=T tokens_per_s=X} as its last line. Jlama decodes one
 * sequence per KV cache, so this is batch 1. With {@code Q4} the weights are quantized to Jlama's Q4 as they load.
 */
public class JlamaDecodeBench {
    public static void main(String[] args) throws Exception {
        AbstractModel model = args.length > 4 && args[4].equals("Q4")
                // weights quantized to Q4 as they load, activations in F32 (0.8.4's attention fails with I8 activations here)
                ? ModelSupport.loadModel(new File(args[0]), new File(args[0]), DType.F32, DType.F32, Optional.of(DType.Q4), Optional.empty())
                : ModelSupport.loadModel(new File(args[0]), DType.F32, DType.F32);
        int[] prompt = Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray();
        int tokens = Integer.parseInt(args[2]);
        int repeats = Integer.parseInt(args[3]);
        decodeRate(model, prompt, 2);
        double best = 0;
        for (int r = 0; r < repeats; r++) {
            best = Math.max(best, decodeRate(model, prompt, tokens));
        }
        System.out.printf(Locale.ROOT, "jlama threads=%d tokens_per_s=%.3f%n",
                PhysicalCoreExecutor.instance.get().getCoreCount(), best);
    }

    /** Generated tokens per second over {@code tokens} greedy steps after the prompt's prefill. */
    private static double decodeRate(AbstractModel model, int[] prompt, int tokens) {
        try (KvBufferCache cache = new KvBufferCache(model)) {
            KvBufferCache.KvBuffer kv = cache.getKvBuffer(UUID.randomUUID());
            AbstractTensor logits = model.makeDenseTensor(model.getConfig().vocabularySize);
            AbstractTensor hidden = model.batchForward(prompt, 0, kv);
            int next = model.sample(hidden.slice(hidden.shape().first() - 1), 0.0f, 0.0f, logits);
            long start = System.nanoTime();
            for (int i = 0; i < tokens; i++) {
                next = model.sample(model.forward(next, prompt.length + i, kv, Optional.empty()), 0.0f, 0.0f, logits);
            }
            return tokens / ((System.nanoTime() - start) / 1e9);
        }
    }
}
