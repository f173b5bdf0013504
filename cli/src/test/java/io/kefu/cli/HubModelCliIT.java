package io.kefu.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.kefu.runtime.hub.FakeHub;
import io.kefu.model.Engines;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kefu generate --model owner/name} in a child process whose environment points HF_ENDPOINT
 * at an imitation of the hub on loopback: the model is downloaded into the huggingface_hub cache,
 * answers, and answers again with HF_HUB_OFFLINE=1 once the hub is gone.
 */
class HubModelCliIT {
    private static final String REPO = "acme/tiny-shop-chat";
    private static final String COMMIT = "00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee";

    @TempDir
    Path dir;

    private record Run(int exitCode, String out, String err) {
    }

    private Run kefu(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), KefuCli.class.getName()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd)
                .redirectOutput(dir.resolve("stdout.txt").toFile())
                .redirectError(dir.resolve("stderr.txt").toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("HF_") || k.startsWith("HUGGING"));
        pb.environment().putAll(env);
        Process process = pb.start();
        if (!process.waitFor(5, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("kefu did not finish within 5 minutes");
        }
        return new Run(process.exitValue(), Files.readString(dir.resolve("stdout.txt"), StandardCharsets.UTF_8),
                Files.readString(dir.resolve("stderr.txt"), StandardCharsets.UTF_8));
    }

    @Test
    void generateDownloadsAHubModelOnceAndThenRunsOffline() throws Exception {
        Path config = dir.resolve("tiny.json");
        Files.writeString(config, "{\"hidden_size\": 64, \"intermediate_size\": 128, \"num_hidden_layers\": 1,"
                + " \"num_attention_heads\": 2, \"num_key_value_heads\": 1, \"head_dim\": 32, \"vocab_size\": 128256,"
                + " \"tie_word_embeddings\": true, \"torch_dtype\": \"float32\"}");
        Path model = dir.resolve("model");
        Engines.get("djl").initCheckpoint("llama", config, Path.of(System.getProperty("kefu.tokenizers.dir"), "llama3"), model, 5);
        Path in = dir.resolve("in.jsonl");
        Files.writeString(in, "{\"messages\": [{\"role\": \"user\", \"content\": \"连衣裙A有S码吗?\"}]}\n");
        Path cache = dir.resolve("hf-cache");

        try (FakeHub hub = new FakeHub()) {
            FakeHub.Repo repo = hub.add(REPO, COMMIT);
            try (Stream<Path> files = Files.list(model)) {
                for (Path file : files.toList()) {
                    String name = file.getFileName().toString();
                    if (name.endsWith(".safetensors") || name.equals("tokenizer.json")) {
                        repo.large(name, Files.readAllBytes(file));
                    } else {
                        repo.small(name, Files.readString(file));
                    }
                }
            }
            Map<String, String> online = Map.of("HF_ENDPOINT", hub.endpoint().toString(), "HF_HUB_CACHE", cache.toString());
            Run first = kefu(online, "generate", "--model", REPO, "--in", in.toString(),
                    "--out", dir.resolve("online.jsonl").toString(), "--max-new-tokens", "4");

            assertThat(first.exitCode()).as(first.err()).isZero();
            assertThat(first.err()).contains("downloading model.safetensors");
            assertThat(hub.requestsTo("cdn")).isNotEmpty();
        }
        Path snapshot = cache.resolve("models--acme--tiny-shop-chat/snapshots").resolve(COMMIT);
        assertThat(Files.isSymbolicLink(snapshot.resolve("model.safetensors"))).isTrue();
        assertThat(Files.readAllBytes(snapshot.resolve("model.safetensors"))).isEqualTo(Files.readAllBytes(model.resolve("model.safetensors")));

        Map<String, String> offline = Map.of("HF_ENDPOINT", "http://127.0.0.1:9", "HF_HUB_CACHE", cache.toString(),
                "HF_HUB_OFFLINE", "1");
        Run second = kefu(offline, "generate", "--model", REPO, "--in", in.toString(),
                "--out", dir.resolve("offline.jsonl").toString(), "--max-new-tokens", "4");
        assertThat(second.exitCode()).as(second.err()).isZero();
        assertThat(dir.resolve("offline.jsonl")).hasSameBinaryContentAs(dir.resolve("online.jsonl"));

        Run missing = kefu(offline, "generate", "--model", "acme/never-downloaded", "--in", in.toString(),
                "--out", dir.resolve("missing.jsonl").toString());
        assertThat(missing.exitCode()).isEqualTo(KefuCli.EXIT_FAILED);
        assertThat(missing.err()).contains("acme/never-downloaded@main", "HF_HUB_OFFLINE");
        assertThat(dir.resolve("missing.jsonl")).doesNotExist();
    }
}
