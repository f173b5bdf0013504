package io.kefu.engine.trtllm.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.runtime.format.FloatTensor;
import io.kefu.runtime.format.PeftAdapter;
import io.kefu.train.LoraConfig;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The PEFT -> TensorRT-LLM LoRA layout, checked value by value on a small adapter. */
class LoraTensorsTest {
    // hidden 4, 2 heads of 2, 1 kv head (kv dim 2), intermediate 8, 2 layers
    private static final int HIDDEN = 4;
    private static final int RANK = 2;

    @TempDir
    Path tmp;

    private EngineConfig engine(int maxRank, List<String> targets) {
        EngineFolders.writeConfig(tmp, HIDDEN, 2, 1, 8, 2, maxRank, targets);
        return EngineConfig.load(tmp);
    }

    /** Values that tell every tensor and position apart: tensor * 1000 + index. */
    private static FloatTensor numbered(int tensor, int rows, int cols) {
        float[] data = new float[rows * cols];
        for (int i = 0; i < data.length; i++) {
            data[i] = tensor * 1000 + i;
        }
        return FloatTensor.matrix(rows, cols, data);
    }

    private static PeftAdapter adapter(int rank, double alpha) {
        Map<String, FloatTensor> tensors = new LinkedHashMap<>();
        for (int layer = 0; layer < 2; layer++) {
            tensors.put(PeftAdapter.loraAName(layer, "q_proj"), numbered(layer * 10 + 1, rank, HIDDEN));
            tensors.put(PeftAdapter.loraBName(layer, "q_proj"), numbered(layer * 10 + 2, HIDDEN, rank));
            tensors.put(PeftAdapter.loraAName(layer, "v_proj"), numbered(layer * 10 + 3, rank, HIDDEN));
            tensors.put(PeftAdapter.loraBName(layer, "v_proj"), numbered(layer * 10 + 4, 2, rank));
        }
        LoraConfig config = LoraConfig.builder().rank(rank).alpha(alpha).targets("q_proj", "v_proj").build();
        return PeftAdapter.of(config, "tiny", tensors);
    }

    @Test
    void rowsHoldFlattenedAThenScaledBPaddedToTheWidestRow() {
        LoraTensors t = LoraTensors.fromPeft(adapter(RANK, 4), engine(8, List.of("attn_q", "attn_k", "attn_v")));
        // rows: (q,0) (v,0) (q,1) (v,1); q width = 2*4 + 4*2 = 16, v width = 2*4 + 2*2 = 12
        assertThat(t.rows()).isEqualTo(4);
        assertThat(t.rowWidth()).isEqualTo(16);
        assertThat(t.config()).containsExactly(1, 0, RANK, 3, 0, RANK, 1, 1, RANK, 3, 1, RANK);
        float scale = 4f / RANK;
        int[][] ids = {{1, 2, HIDDEN}, {3, 4, 2}, {11, 12, HIDDEN}, {13, 14, 2}};
        for (int row = 0; row < 4; row++) {
            int aId = ids[row][0];
            int bId = ids[row][1];
            int out = ids[row][2];
            for (int r = 0; r < RANK; r++) {
                for (int in = 0; in < HIDDEN; in++) {
                    assertThat(t.weights()[row * 16 + r * HIDDEN + in]).isEqualTo(aId * 1000 + r * HIDDEN + in);
                }
            }
            for (int o = 0; o < out; o++) {
                for (int r = 0; r < RANK; r++) {
                    assertThat(t.weights()[row * 16 + RANK * HIDDEN + o * RANK + r]).isEqualTo((bId * 1000 + o * RANK + r) * scale);
                }
            }
            for (int pad = RANK * HIDDEN + out * RANK; pad < 16; pad++) {
                assertThat(t.weights()[row * 16 + pad]).as("padding of row %d", row).isZero();
            }
        }
    }

    @Test
    void refusesEnginesThatCannotServeTheAdapter() {
        assertThatThrownBy(() -> LoraTensors.fromPeft(adapter(RANK, 4), engine(0, List.of())))
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CHECKPOINT))
                .hasMessageContaining("without the LoRA plugin");
        assertThatThrownBy(() -> LoraTensors.fromPeft(adapter(4, 8), engine(2, List.of("attn_q", "attn_v"))))
                .hasMessageContaining("rank 4").hasMessageContaining("--max_lora_rank 2");
        assertThatThrownBy(() -> LoraTensors.fromPeft(adapter(RANK, 4), engine(8, List.of("attn_q"))))
                .hasMessageContaining("v_proj (TensorRT-LLM's attn_v)").hasMessageContaining("--lora_target_modules attn_q");
    }

    @Test
    void refusesTensorsThatDoNotFitTheEnginesModel() {
        EngineFolders.writeConfig(tmp, 8, 2, 1, 8, 2, 8, List.of("attn_q", "attn_v"));
        EngineConfig wider = EngineConfig.load(tmp);
        assertThatThrownBy(() -> LoraTensors.fromPeft(adapter(RANK, 4), wider))
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CHECKPOINT))
                .hasMessageContaining("layers.0.self_attn.q_proj.lora_A.weight").hasMessageContaining("[2, 8]");
    }
}
