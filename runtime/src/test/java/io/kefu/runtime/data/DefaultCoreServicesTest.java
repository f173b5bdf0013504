package io.kefu.runtime.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.runtime.DefaultCoreServices;
import io.kefu.data.Dataset;
import io.kefu.spi.CoreServices;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The static factories of the API reach the runtime module through {@code META-INF/services}. */
class DefaultCoreServicesTest {
    @TempDir
    Path dir;

    @Test
    void theServiceLoaderFindsTheCoreImplementation() {
        assertThat(CoreServices.get()).isInstanceOf(DefaultCoreServices.class);
    }

    @Test
    void datasetLoadAndOfWorkThroughTheApi() {
        Path file = TestFiles.write(dir, "train.jsonl", TestFiles.alpacaLines(12).toArray(String[]::new));
        Dataset data = Dataset.load(file);
        assertThat(data).isInstanceOf(ListDataset.class);
        assertThat(data.size()).isEqualTo(12);
        assertThat(Dataset.of(data.examples())).isEqualTo(data);
        assertThat(Dataset.of(List.of()).size()).isZero();
    }

    @Test
    void loadFailureIsInvalidData() {
        Path file = TestFiles.write(dir, "train.jsonl", "{\"instruction\": \"q\"}");
        assertThatThrownBy(() -> Dataset.load(file)).isInstanceOfSatisfying(KefuException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_DATA)).hasMessageContaining(file + ":1: output: missing");
    }
}
