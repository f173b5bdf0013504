package io.kefu.engine.djl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.kefu.KefuException;
import io.kefu.model.Engines;
import io.kefu.runtime.format.Checkpoint;
import io.kefu.runtime.format.DecoderLayout;
import io.kefu.runtime.format.Dtype;
import io.kefu.runtime.format.HalfFloats;
import io.kefu.runtime.format.Json;
import io.kefu.runtime.format.TensorInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code initCheckpoint} with a dtype and a shard size: hub-style shards that read back as the fp32 init rounded. */
class RandomInitTest {
    private static final String CONFIG = TinyModels.config("llama", 128256);

    @TempDir
    Path dir;

    @Test
    void writesShardedSixteenBitCheckpointsEqualToTheRoundedFp32Init() throws Exception {
        Path config = dir.resolve("config.json");
        Files.writeString(config, CONFIG);
        Path reference = dir.resolve("fp32");
        Engines.get("djl").initCheckpoint("llama", config, TinyModels.tokenizer("llama3"), reference, 5);
        assertShardedAndRounded(config, reference, "bf16", Dtype.BF16);
        assertShardedAndRounded(config, reference, "fp16", Dtype.F16);
    }

    private void assertShardedAndRounded(Path config, Path reference, String option, Dtype dtype) throws Exception {
        Path sharded = dir.resolve(option);
        // the two embedding-sized tensors (128256 x 64 x 2 bytes = 16.4 MB each) each take a shard of their own
        Engines.get("djl").initCheckpoint("llama", config, TinyModels.tokenizer("llama3"), sharded, 5,
                Map.of("dtype", option, "max_shard_bytes", "15000000"));

        try (Stream<Path> files = Files.list(sharded)) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".safetensors")).sorted())
                    .containsExactly("model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors",
                            "model-00003-of-00003.safetensors");
        }
        JsonNode index = Json.mapper().readTree(sharded.resolve("model.safetensors.index.json").toFile());
        assertThat(Json.mapper().readTree(sharded.resolve("config.json").toFile()).get("torch_dtype").asText())
                .isEqualTo(dtype.torchName());
        try (Checkpoint fp32 = Checkpoint.open(reference); Checkpoint small = Checkpoint.open(sharded)) {
            small.validateLayout();
            DecoderLayout layout = DecoderLayout.of(small.config());
            assertThat(new TreeSet<>(small.tensorNames())).isEqualTo(new TreeSet<>(layout.names()));
            long total = 0;
            for (String name : layout.names()) {
                TensorInfo info = small.tensor(name);
                assertThat(info.dtype()).as(name).isEqualTo(dtype);
                assertThat(info.shape()).as(name).containsExactly(layout.shape(name));
                assertThat(index.get("weight_map").get(name).asText()).as(name)
                        .isEqualTo(small.fileOf(name).path().getFileName().toString());
                total += info.byteSize();
                float[] expected = fp32.readFloats(name);
                float[] actual = small.readFloats(name);
                for (int i = 0; i < expected.length; i++) {
                    float rounded = dtype == Dtype.BF16 ? HalfFloats.bf16ToFloat(HalfFloats.floatToBf16(expected[i]))
                            : HalfFloats.f16ToFloat(HalfFloats.floatToF16(expected[i]));
                    if (actual[i] != rounded) {
                        assertThat(actual[i]).as("%s[%d]", name, i).isEqualTo(rounded);
                    }
                }
            }
            assertThat(index.get("metadata").get("total_size").asLong()).isEqualTo(total);
            Iterator<String> mapped = index.get("weight_map").fieldNames();
            int count = 0;
            while (mapped.hasNext()) {
                mapped.next();
                count++;
            }
            assertThat(count).isEqualTo(layout.names().size());
        }
    }

    @Test
    void rejectsUnknownSettingsAndDtypesBeforeWritingAnything() throws Exception {
        Path config = dir.resolve("config.json");
        Files.writeString(config, CONFIG);
        Path out = dir.resolve("out");
        assertThatThrownBy(() -> Engines.get("djl").initCheckpoint("llama", config, TinyModels.tokenizer("llama3"), out, 1,
                Map.of("dtype", "int8"))).isInstanceOf(KefuException.class).hasMessageContaining("dtype=int8");
        assertThatThrownBy(() -> Engines.get("djl").initCheckpoint("llama", config, TinyModels.tokenizer("llama3"), out, 1,
                Map.of("shard", "1"))).isInstanceOf(KefuException.class).hasMessageContaining("unknown checkpoint setting 'shard'");
        assertThat(out).doesNotExist();
    }
}
