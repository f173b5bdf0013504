package io.kefu.runtime.provenance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.runtime.config.TrainingConfigFile;
import io.kefu.runtime.format.FloatTensor;
import io.kefu.runtime.format.PeftAdapter;
import io.kefu.train.LoraConfig;
import io.kefu.train.TrainingConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AdapterProvenanceTest {
    @TempDir
    Path dir;

    /** What coreutils' sha256sum prints for the bytes of these files, one after another. */
    private static String sha256sum(Path... files) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("sh", "-c", "cat \"$@\" | sha256sum", "sh"));
        for (Path f : files) {
            cmd.add(f.toString());
        }
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(out).isZero();
        return out.substring(0, 64);
    }

    private Path adapter(String name) {
        LoraConfig lora = LoraConfig.builder().rank(2).alpha(4).targets("q_proj").build();
        Path out = dir.resolve(name);
        PeftAdapter.of(lora, "models/base", Map.of(
                PeftAdapter.loraAName(0, "q_proj"), new FloatTensor(new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, 6}),
                PeftAdapter.loraBName(0, "q_proj"), new FloatTensor(new long[] {3, 2}, new float[] {6, 5, 4, 3, 2, 1})))
                .save(out);
        return out;
    }

    @Test
    void contentHashesAreWhatSha256sumPrints() throws Exception {
        Path adapter = adapter("a");
        Path data = Files.writeString(dir.resolve("data.jsonl"), "{\"instruction\": \"有S码吗?\", \"output\": \"有的\"}\n");

        assertThat(Sha256.ofFile(data)).isEqualTo(sha256sum(data));
        assertThat(Sha256.ofAdapter(adapter)).isEqualTo(sha256sum(adapter.resolve("adapter_config.json"),
                adapter.resolve("adapter_model.safetensors")));
        // the provenance record beside the weights is not part of the adapter's content
        String before = Sha256.ofAdapter(adapter);
        Files.writeString(adapter.resolve(AdapterProvenance.FILE_NAME), "{}");
        assertThat(Sha256.ofAdapter(adapter)).isEqualTo(before);

        assertThatThrownBy(() -> Sha256.ofFile(dir.resolve("missing.jsonl")))
                .isInstanceOf(KefuException.class).hasMessageContaining("missing.jsonl");
    }

    @Test
    void writesEveryFieldAndReadsItBack() throws Exception {
        Path parent = adapter("parent");
        Path train = Files.writeString(dir.resolve("june.jsonl"), "june\n");
        Path replay = Files.writeString(dir.resolve("may.jsonl"), "may\n");
        TrainingConfig config = TrainingConfig.builder().lora(LoraConfig.builder().rank(2).alpha(4).targets("q_proj").build())
                .initAdapter(parent).seed(7).build();
        AdapterProvenance record = new AdapterProvenance("models/base",
                Optional.of(new AdapterProvenance.Parent(parent.toString(), Sha256.ofAdapter(parent))),
                List.of(AdapterProvenance.DataFile.of("train", train, 100), AdapterProvenance.DataFile.of("replay", replay, 500)),
                Optional.of(new AdapterProvenance.Replay(0.2, 7, 100, 25, 3)), TrainingConfigFile.keysOf(config));
        Path out = adapter("child");

        record.writeTo(out);

        JsonNode json = new ObjectMapper().readTree(Files.readString(out.resolve("kefu_provenance.json")));
        assertThat(json.path("kefu_provenance").asInt()).isEqualTo(1);
        assertThat(json.path("base_model").asText()).isEqualTo("models/base");
        assertThat(json.path("parent_adapter").path("sha256").asText()).isEqualTo(sha256sum(
                parent.resolve("adapter_config.json"), parent.resolve("adapter_model.safetensors")));
        assertThat(json.path("data").get(0).path("sha256").asText()).isEqualTo(sha256sum(train));
        assertThat(json.path("data").get(1).path("role").asText()).isEqualTo("replay");
        assertThat(json.path("data").get(1).path("sha256").asText()).isEqualTo(sha256sum(replay));
        assertThat(json.path("replay").path("replayed").asInt()).isEqualTo(25);
        assertThat(json.path("config").path("lora_rank").asInt()).isEqualTo(2);
        assertThat(json.path("config").path("seed").asLong()).isEqualTo(7);
        assertThat(json.path("config").path("adapter_name_or_path").asText()).isEqualTo(parent.toString());
        try (Stream<Path> files = Files.list(out)) {
            assertThat(files.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder("adapter_config.json", "adapter_model.safetensors", "kefu_provenance.json");
        }

        AdapterProvenance back = AdapterProvenance.read(out).orElseThrow();
        assertThat(back.baseModel()).isEqualTo(record.baseModel());
        assertThat(back.parent()).isEqualTo(record.parent());
        assertThat(back.data()).isEqualTo(record.data());
        assertThat(back.replay()).isEqualTo(record.replay());
        assertThat(back.toJson()).isEqualTo(record.toJson());
    }

    @Test
    void thePreferenceStepIsWrittenAndReadBack() throws IOException {
        Path out = adapter("preferred");
        TrainingConfig dpo = TrainingConfig.builder().method(io.kefu.train.TrainingMethod.DPO).prefBeta(0.2).prefFtx(0.5).build();
        AdapterProvenance record = new AdapterProvenance("models/base", Optional.empty(), List.of(), Optional.empty(),
                TrainingConfigFile.keysOf(TrainingConfig.builder().build()))
                .withPreference(new AdapterProvenance.Preference(12, TrainingConfigFile.keysOf(dpo)));

        record.writeTo(out);

        JsonNode json = new ObjectMapper().readTree(Files.readString(out.resolve(AdapterProvenance.FILE_NAME)));
        assertThat(json.path("preference").path("pairs").asInt()).isEqualTo(12);
        assertThat(json.path("preference").path("config").path("stage").asText()).isEqualTo("dpo");
        assertThat(json.path("preference").path("config").path("pref_beta").asDouble()).isEqualTo(0.2);
        assertThat(json.path("config").has("stage")).as("the supervised settings stay those of the supervised run").isFalse();
        AdapterProvenance back = AdapterProvenance.read(out).orElseThrow();
        assertThat(back.preference().orElseThrow().pairs()).isEqualTo(12);
        assertThat(back.toJson()).isEqualTo(record.toJson());
        Path plain = adapter("supervised only");
        new AdapterProvenance("models/base", Optional.empty(), List.of(), Optional.empty(),
                TrainingConfigFile.keysOf(TrainingConfig.builder().build())).writeTo(plain);
        assertThat(Files.readString(plain.resolve(AdapterProvenance.FILE_NAME))).doesNotContain("preference");
        assertThat(AdapterProvenance.read(plain).orElseThrow().preference()).isEmpty();
    }

    @Test
    void aRunWithoutParentRecordsNone() throws IOException {
        Path out = adapter("plain");
        new AdapterProvenance("models/base", Optional.empty(), List.of(), Optional.empty(),
                TrainingConfigFile.keysOf(TrainingConfig.builder().build())).writeTo(out);

        String text = Files.readString(out.resolve(AdapterProvenance.FILE_NAME));
        assertThat(text).contains("\"parent_adapter\" : null", "\"replay\" : null").doesNotContain("adapter_name_or_path");
        assertThat(AdapterProvenance.read(out).orElseThrow().parent()).isEmpty();
        assertThat(AdapterProvenance.read(adapter("none"))).isEmpty();
    }

    @Test
    void aDamagedRecordIsNamed() throws IOException {
        Path out = adapter("bad");
        Files.writeString(out.resolve(AdapterProvenance.FILE_NAME), "{\"kefu_provenance\": 1, \"base_model\": 3}");

        assertThatThrownBy(() -> AdapterProvenance.read(out))
                .isInstanceOf(KefuException.class)
                .satisfies(e -> assertThat(((KefuException) e).code()).isEqualTo(ErrorCode.INVALID_CHECKPOINT))
                .hasMessageContaining("kefu_provenance.json").hasMessageContaining("base_model");
    }
}
