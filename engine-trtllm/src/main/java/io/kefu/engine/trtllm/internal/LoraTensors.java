package io.kefu.engine.trtllm.internal;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.runtime.format.FloatTensor;
import io.kefu.runtime.format.PeftAdapter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A LoRA adapter in the layout TensorRT-LLM's executor takes with a request ({@code LoraConfig}):
 * {@code weights} is {@code [rows, rowWidth]}, one row per adapted (module, layer), holding the
 * flattened in-weights {@code A [r, in]} followed by the flattened out-weights {@code B [out, r]},
 * zero-padded to the widest row; {@code config} is {@code [rows, 3]} with
 * {@code [module_id, layer_idx, adapter_size]}. The adapter's scale (alpha / r, or alpha / sqrt(r)
 * with rsLoRA) is folded into {@code B}, as TensorRT-LLM's converter does, because the executor
 * applies no scale of its own.
 *
 * @param weights row-major fp32 weights
 * @param rows the number of (module, layer) rows
 * @param rowWidth the width of each row
 * @param config row-major {@code [rows, 3]}
 */
public record LoraTensors(float[] weights, int rows, int rowWidth, int[] config) {
    /** TensorRT-LLM's module ids by Hugging Face projection name, in the order rows are written. */
    public static final Map<String, Integer> MODULE_IDS = Map.of(
            "q_proj", 1, "k_proj", 2, "v_proj", 3, "o_proj", 4, "gate_proj", 5, "down_proj", 6, "up_proj", 7);
    /** TensorRT-LLM's module names, as {@code --lora_target_modules} takes them, by Hugging Face name. */
    public static final Map<String, String> MODULE_NAMES = Map.of(
            "q_proj", "attn_q", "k_proj", "attn_k", "v_proj", "attn_v", "o_proj", "attn_dense",
            "gate_proj", "mlp_h_to_4h", "down_proj", "mlp_4h_to_h", "up_proj", "mlp_gate");
    private static final List<String> ORDER = List.of("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj");

    /**
     * Converts a PEFT adapter for an engine.
     *
     * @throws KefuException INVALID_CHECKPOINT when the engine was built without LoRA, with a lower
     *     rank or without one of the adapter's modules, or when a tensor does not fit the model
     */
    public static LoraTensors fromPeft(PeftAdapter adapter, EngineConfig engine) {
        int rank = adapter.config().rank();
        if (engine.maxLoraRank() == 0) {
            throw new KefuException(ErrorCode.INVALID_CHECKPOINT, "the engine was built without the LoRA plugin; rebuild it with "
                    + "`kefu trtllm build-engine --lora-rank " + rank + "` to serve adapters");
        }
        if (rank > engine.maxLoraRank()) {
            throw new KefuException(ErrorCode.INVALID_CHECKPOINT, "the adapter has rank " + rank + " but the engine was built with "
                    + "--max_lora_rank " + engine.maxLoraRank());
        }
        float scale = (float) adapter.config().scale();
        List<float[]> rowData = new ArrayList<>();
        List<int[]> rowConfig = new ArrayList<>();
        for (int layer : adapter.layers()) {
            if (layer >= engine.numLayers()) {
                throw new KefuException(ErrorCode.INVALID_CHECKPOINT, "the adapter adapts layer " + layer + " but the engine has "
                        + engine.numLayers() + " layers");
            }
            for (String module : ORDER) {
                if (!adapter.adapts(layer, module)) {
                    continue;
                }
                String trtName = MODULE_NAMES.get(module);
                if (!engine.loraTargetModules().contains(trtName)) {
                    throw new KefuException(ErrorCode.INVALID_CHECKPOINT, "the adapter adapts " + module + " (TensorRT-LLM's "
                            + trtName + ") but the engine was built with --lora_target_modules " + String.join(" ", engine.loraTargetModules()));
                }
                int[] io = engine.features(module);
                FloatTensor a = expect(adapter, PeftAdapter.loraAName(layer, module), rank, io[0]);
                FloatTensor b = expect(adapter, PeftAdapter.loraBName(layer, module), io[1], rank);
                float[] row = new float[a.data().length + b.data().length];
                System.arraycopy(a.data(), 0, row, 0, a.data().length);
                for (int i = 0; i < b.data().length; i++) {
                    row[a.data().length + i] = b.data()[i] * scale;
                }
                rowData.add(row);
                rowConfig.add(new int[] {MODULE_IDS.get(module), layer, rank});
            }
        }
        if (rowData.isEmpty()) {
            throw new KefuException(ErrorCode.INVALID_CHECKPOINT, "the adapter has no LoRA tensors TensorRT-LLM can apply");
        }
        int width = rowData.stream().mapToInt(r -> r.length).max().orElseThrow();
        float[] weights = new float[rowData.size() * width];
        int[] config = new int[rowData.size() * 3];
        for (int i = 0; i < rowData.size(); i++) {
            System.arraycopy(rowData.get(i), 0, weights, i * width, rowData.get(i).length);
            System.arraycopy(rowConfig.get(i), 0, config, i * 3, 3);
        }
        return new LoraTensors(weights, rowData.size(), width, config);
    }

    private static FloatTensor expect(PeftAdapter adapter, String name, long rows, long cols) {
        FloatTensor t = adapter.tensor(name);
        if (!Arrays.equals(t.shape(), new long[] {rows, cols})) {
            throw new KefuException(ErrorCode.INVALID_CHECKPOINT, "adapter tensor '" + name + "' has shape " + Arrays.toString(t.shape())
                    + " but the engine's model needs [" + rows + ", " + cols + "]");
        }
        return t;
    }
}
