package io.kefu.runtime.provenance;

import static org.assertj.core.api.Assertions.assertThat;

import io.kefu.train.LoraConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ParentAdapterTest {
    @TempDir
    Path dir;

    @Test
    void everyLoraDifferenceIsNamedWithBothValuesAndDropoutIsAllowedToDiffer() {
        LoraConfig parent = LoraConfig.builder().rank(4).alpha(8).dropout(0.1).targets("q_proj", "v_proj").build();
        LoraConfig run = LoraConfig.builder().rank(8).alpha(8.5).targets("v_proj", "o_proj").rsLora(true).build();

        assertThat(ParentAdapter.loraDifferences(parent, run)).containsExactly(
                "its rank r=4 differs from this run's r=8",
                "its lora_alpha=8 differs from this run's lora_alpha=8.5",
                "its use_rslora=false differs from this run's use_rslora=true",
                "its target_modules [q_proj, v_proj] differ from this run's [v_proj, o_proj]");
        LoraConfig otherDropoutAndOrder = LoraConfig.builder().rank(4).alpha(8).dropout(0.0).targets("v_proj", "q_proj").build();
        assertThat(ParentAdapter.loraDifferences(parent, otherDropoutAndOrder)).isEmpty();
    }

    @Test
    void theSameBaseModelIsTheSameNameOrTheSameFolder() throws IOException {
        Path model = Files.createDirectories(dir.resolve("models/qwen"));
        Path link = Files.createSymbolicLink(dir.resolve("qwen-link"), model);
        Path other = Files.createDirectories(dir.resolve("models/llama"));

        assertThat(ParentAdapter.sameBaseModel("Qwen/Qwen2.5-0.5B-Instruct", "Qwen/Qwen2.5-0.5B-Instruct")).isTrue();
        assertThat(ParentAdapter.sameBaseModel(model.toString(), link.toString())).isTrue();
        assertThat(ParentAdapter.sameBaseModel("", model.toString())).as("a PEFT adapter that names no base").isTrue();
        assertThat(ParentAdapter.sameBaseModel(other.toString(), model.toString())).isFalse();
        assertThat(ParentAdapter.sameBaseModel("Qwen/Qwen2.5-0.5B-Instruct", model.toString())).isFalse();
        assertThat(ParentAdapter.sameBaseModel("Qwen/Qwen2.5-0.5B-Instruct", "Qwen/Qwen2.5-1.5B-Instruct")).isFalse();
    }
}
