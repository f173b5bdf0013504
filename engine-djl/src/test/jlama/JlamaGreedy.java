import com.github.tjake.jlama.model.AbstractModel;
import com.github.tjake.jlama.model.ModelSupport;
import com.github.tjake.jlama.safetensors.DType;
import com.github.tjake.jlama.tensor.AbstractTensor;
import com.github.tjake.jlama.tensor.KvBufferCache;
import java.io.File;
import java.util.Arrays;
import java.util.StringJoiner;
import java.util.UUID;

/**
 * Greedy decoding with Jlama, the independent oracle of the Jlama parity test. Runs on Java 21+
 * with {@code --add-modules jdk.incubator.vector --enable-preview} as a source-file program:
 * {@code java JlamaGreedy.java MODEL_DIR 1,5,9 12} prints the 12 generated token ids, comma-separated.
 */
public class JlamaGreedy {
    public static void main(String[] args) throws Exception {
        AbstractModel model = ModelSupport.loadModel(new File(args[0]), DType.F32, DType.F32);
        int[] prompt = Arrays.stream(args[1].split(",")).mapToInt(Integer::parseInt).toArray();
        int n = Integer.parseInt(args[2]);
        StringJoiner out = new StringJoiner(",");
        try (KvBufferCache cache = new KvBufferCache(model)) {
            KvBufferCache.KvBuffer kv = cache.getKvBuffer(UUID.randomUUID());
            AbstractTensor logits = model.makeDenseTensor(model.getConfig().vocabularySize);
            AbstractTensor hidden = model.batchForward(prompt, 0, kv);
            int next = model.sample(hidden.slice(hidden.shape().first() - 1), 0.0f, 0.0f, logits);
            for (int i = 0; i < n; i++) {
                out.add(String.valueOf(next));
                if (i + 1 < n) {
                    next = model.sample(model.forward(next, prompt.length + i, kv, java.util.Optional.empty()), 0.0f, 0.0f, logits);
                }
            }
        }
        System.out.println(out);
    }
}
