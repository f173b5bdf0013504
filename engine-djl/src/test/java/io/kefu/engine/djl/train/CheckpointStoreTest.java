package io.kefu.engine.djl.train;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointStoreTest {
    @TempDir
    Path temp;

    private static TrainerState at(long step) {
        return new TrainerState("run", step, 1, 0, step, 0, 0, Double.NaN, 0, 1.0, 7, 0, LossScaler.initial(false));
    }

    private static Path save(CheckpointStore store, long step) {
        return store.save(at(step), Map.of("w", new float[] {step, 2}), Map.of("w", new long[] {2}),
                Map.of("m.0", new float[] {0, 0}, "v.0", new float[] {0, 0}));
    }

    @Test
    void foldersAreOrderedByTheirStepNumberNotTheirName() throws IOException {
        CheckpointStore store = new CheckpointStore(temp);
        save(store, 999_999);
        // a step past six digits gets a longer name, which sorts before the older one as text
        Files.move(save(store, 5), temp.resolve("checkpoint-1000000"));
        assertThat(store.latest().orElseThrow().directory().getFileName().toString()).isEqualTo("checkpoint-1000000");
        assertThat(CheckpointStore.stepOf(temp.resolve("checkpoint-x"))).isEqualTo(-1);
    }

    @Test
    void aCheckpointWrittenBeforeTheLossScaleWasSavedReadsAsUnscaled() throws IOException {
        CheckpointStore store = new CheckpointStore(temp);
        Path dir = save(store, 3);
        Path state = dir.resolve(CheckpointStore.STATE);
        String json = Files.readString(state);
        String older = json.replaceAll(",\\s*\"lossScaler\"\\s*:\\s*\\{[^}]*\\}", "");
        assertThat(older).isNotEqualTo(json).doesNotContain("lossScaler");
        Files.writeString(state, older);
        TrainerState read = store.latest().orElseThrow().state();
        assertThat(read.step()).isEqualTo(3);
        assertThat(read.lossScaler()).isEqualTo(LossScaler.initial(false));
    }

    @Test
    void aDamagedNewestCheckpointFallsBackToTheOneBefore() throws IOException {
        CheckpointStore store = new CheckpointStore(temp);
        save(store, 1);
        Path newest = save(store, 2);
        try (FileChannel f = FileChannel.open(newest.resolve(CheckpointStore.TRAINABLE), StandardOpenOption.WRITE)) {
            f.truncate(20);
        }
        CheckpointStore.Loaded loaded = store.latest().orElseThrow();
        assertThat(loaded.state().step()).isEqualTo(1);
        assertThat(loaded.trainable().get("w")).containsExactly(1f, 2f);
        assertThat(newest).exists();
    }

    @Test
    void whenNoCheckpointReadsBackTheErrorSaysSo() throws IOException {
        CheckpointStore store = new CheckpointStore(temp);
        Path only = save(store, 1);
        Files.writeString(only.resolve(CheckpointStore.STATE), "{not json");
        assertThatThrownBy(store::latest)
                .isInstanceOf(KefuException.class)
                .satisfies(e -> assertThat(((KefuException) e).code()).isEqualTo(ErrorCode.INVALID_CHECKPOINT))
                .hasMessageContaining("no checkpoint reads back")
                .hasMessageContaining("trainer_state.json");
    }
}
