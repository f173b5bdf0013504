package io.kefu.runtime.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.model.ModelRef;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HubClientIT {
    private static final String REPO = "acme/tiny-chat";
    private static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
    private static final String CONFIG = "{\"architectures\":[\"Qwen2ForCausalLM\"],\"model_type\":\"qwen2\"}";

    @TempDir
    Path cache;

    private FakeHub hub;
    private byte[] weights;

    @BeforeEach
    void startHub() throws IOException {
        hub = new FakeHub();
        weights = new byte[300_000];
        new Random(7).nextBytes(weights);
        hub.add(REPO, COMMIT)
                .small("config.json", CONFIG)
                .small("generation_config.json", "{\"eos_token_id\":2}")
                .small("tokenizer_config.json", "{\"eos_token\":\"<|im_end|>\"}")
                .large("tokenizer.json", "{\"model\":{\"type\":\"BPE\"},\"note\":\"客服\"}".getBytes(StandardCharsets.UTF_8))
                .large("model.safetensors", weights)
                .large("pytorch_model.bin", new byte[] {1, 2, 3})
                .small("README.md", "# tiny");
    }

    @AfterEach
    void stopHub() {
        hub.close();
    }

    private HubClient client(Optional<String> token, boolean offline, int attempts) {
        return HubClient.builder()
                .settings(new HubSettings(hub.endpoint(), token, cache, offline))
                .maxAttempts(attempts).retryBackoff(Duration.ZERO).readTimeout(Duration.ofSeconds(10))
                .build();
    }

    private HubClient client() {
        return client(Optional.empty(), false, 3);
    }

    @Test
    void downloadsTheCheckpointFilesIntoTheHuggingfaceHubLayout() throws IOException {
        Path snapshot = client().download(HubModelId.parse(REPO));

        Path repoDir = cache.resolve("models--acme--tiny-chat");
        assertThat(snapshot).isEqualTo(repoDir.resolve("snapshots").resolve(COMMIT));
        assertThat(Files.readString(repoDir.resolve("refs/main"))).isEqualTo(COMMIT);
        try (Stream<Path> files = Files.list(snapshot)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(
                    "config.json", "generation_config.json", "tokenizer_config.json", "tokenizer.json", "model.safetensors");
        }
        Path weightsLink = snapshot.resolve("model.safetensors");
        assertThat(Files.isSymbolicLink(weightsLink)).isTrue();
        assertThat(Files.readSymbolicLink(weightsLink).toString())
                .isEqualTo(Path.of("..", "..", "blobs", FakeHub.sha256(weights)).toString());
        assertThat(Files.readAllBytes(weightsLink)).isEqualTo(weights);
        assertThat(repoDir.resolve("blobs").resolve(FakeHub.gitSha1(CONFIG.getBytes(StandardCharsets.UTF_8)))).exists();
        assertThat(Files.readString(snapshot.resolve("config.json"))).isEqualTo(CONFIG);
        assertThat(hub.requests).noneMatch(r -> r.path().endsWith(".bin") || r.path().endsWith("README.md"));
        try (Stream<Path> blobs = Files.list(repoDir.resolve("blobs"))) {
            assertThat(blobs).noneMatch(p -> p.toString().endsWith(".incomplete"));
        }
    }

    @Test
    void sendsTheTokenToTheHubButNotToTheCdnItRedirectsTo() {
        hub.add("acme/gated", COMMIT).gated("hf_secret")
                .small("config.json", CONFIG).small("tokenizer_config.json", "{}")
                .small("tokenizer.json", "{}").large("model.safetensors", weights);

        client(Optional.of("hf_secret"), false, 1).download(HubModelId.parse("acme/gated"));

        assertThat(hub.requestsTo("hub")).isNotEmpty().allMatch(r -> "Bearer hf_secret".equals(r.authorization()));
        assertThat(hub.requestsTo("cdn")).isNotEmpty().allMatch(r -> r.authorization() == null);
    }

    @Test
    void dropsTheTokenWhenARedirectLeavesTheHubsHost() throws IOException {
        hub.mirrorStyle();

        Path snapshot = client(Optional.of("hf_secret"), false, 1).download(HubModelId.parse(REPO));

        assertThat(Files.readAllBytes(snapshot.resolve("model.safetensors"))).isEqualTo(weights);
        assertThat(hub.requestsTo("hub").stream().filter(r -> r.method().equals("GET") && r.path().endsWith("model.safetensors")))
                .hasSize(1).allMatch(r -> "Bearer hf_secret".equals(r.authorization()));
        assertThat(hub.requestsTo("cdn")).hasSize(2).allMatch(r -> r.authorization() == null); // tokenizer.json, weights
    }

    @Test
    void followsTheHubsRelativeRedirectOfARenamedRepoAndCachesUnderTheNameAskedFor() throws IOException {
        hub.rename("acme/old-name", REPO);

        Path snapshot = client(Optional.of("hf_secret"), false, 1).download(HubModelId.parse("acme/old-name"));

        assertThat(snapshot).isEqualTo(cache.resolve("models--acme--old-name/snapshots").resolve(COMMIT));
        assertThat(Files.readAllBytes(snapshot.resolve("model.safetensors"))).isEqualTo(weights);
        assertThat(hub.requestsTo("hub").stream().filter(r -> r.path().contains("/acme/tiny-chat/")))
                .isNotEmpty().allMatch(r -> "Bearer hf_secret".equals(r.authorization()));
    }

    @Test
    void resumesWithARangeRequestAfterTheConnectionIsCut() throws IOException {
        String sha = FakeHub.sha256(weights);
        hub.cut(sha, 100_000, 1);

        Path snapshot = client().download(HubModelId.parse(REPO));

        assertThat(Files.readAllBytes(snapshot.resolve("model.safetensors"))).isEqualTo(weights);
        List<FakeHub.Request> weightGets = hub.requestsTo("cdn").stream().filter(r -> r.path().endsWith(sha)).toList();
        assertThat(weightGets).hasSize(2);
        assertThat(weightGets.get(0).range()).isNull();
        assertThat(weightGets.get(1).range()).isEqualTo("bytes=100000-");
    }

    @Test
    void aLaterRunResumesThePartialFileAnEarlierRunLeft() throws IOException {
        String sha = FakeHub.sha256(weights);
        hub.cut(sha, 120_000, 1);
        HubModelId id = HubModelId.parse(REPO);

        assertThatThrownBy(() -> client(Optional.empty(), false, 1).download(id))
                .isInstanceOf(KefuException.class)
                .satisfies(e -> assertThat(((KefuException) e).code()).isEqualTo(ErrorCode.IO))
                .hasMessageContaining("http://127.0.0.1:").hasMessageContaining("/blobs/" + sha);
        Path partial = cache.resolve("models--acme--tiny-chat/blobs/" + sha + ".incomplete");
        assertThat(Files.size(partial)).isEqualTo(120_000);
        assertThat(cache.resolve("models--acme--tiny-chat/refs/main")).doesNotExist();

        Path snapshot = client().download(id);

        assertThat(Files.readAllBytes(snapshot.resolve("model.safetensors"))).isEqualTo(weights);
        assertThat(partial).doesNotExist();
        assertThat(hub.requestsTo("cdn").get(hub.requestsTo("cdn").size() - 1).range()).isEqualTo("bytes=120000-");
    }

    @Test
    void etagsThatNameNoHashAreVerifiedAgainstTheApisSizesAndHashes() throws IOException {
        hub.opaqueEtags();

        Path snapshot = client().download(HubModelId.parse(REPO));

        assertThat(Files.readAllBytes(snapshot.resolve("model.safetensors"))).isEqualTo(weights);
        assertThat(hub.requestsTo("hub")).anyMatch(r -> r.path().contains("/revision/"));
    }

    @Test
    void anOpaqueEtagWhoseBytesDifferFromTheApisHashIsRejected() {
        hub.opaqueEtags();
        byte[] tampered = weights.clone();
        tampered[99] ^= 1;
        hub.corrupt(FakeHub.sha256(weights), tampered);

        assertThatThrownBy(() -> client().download(HubModelId.parse(REPO)))
                .isInstanceOf(KefuException.class)
                .hasMessageContaining("checksum mismatch").hasMessageContaining(FakeHub.sha256(weights));
    }

    @Test
    void anUnverifiableFileIsRefusedWithAReason() {
        hub.opaqueEtags();
        hub.apiWithoutHashes();

        assertThatThrownBy(() -> client().download(HubModelId.parse(REPO)))
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.REMOTE))
                .hasMessageContaining("is not a content hash").hasMessageContaining("cannot be verified");
        assertThat(cache.resolve("models--acme--tiny-chat/refs/main")).doesNotExist();
    }

    @Test
    void aFileLargerThanTheFreeSpaceIsReportedAsAFullDisk() {
        hub.claimSize(Long.MAX_VALUE / 2);

        assertThatThrownBy(() -> client().download(HubModelId.parse(REPO)))
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_EXHAUSTED))
                .hasMessageContaining("disk full").hasMessageContaining("bytes but only");
    }

    @Test
    void rejectsAFileWhoseChecksumDoesNotMatchAndCachesNothingOfIt() throws IOException {
        String sha = FakeHub.sha256(weights);
        byte[] tampered = weights.clone();
        tampered[1234] ^= 1;
        hub.corrupt(sha, tampered);

        assertThatThrownBy(() -> client().download(HubModelId.parse(REPO)))
                .isInstanceOf(KefuException.class)
                .hasMessageContaining("model.safetensors").hasMessageContaining("checksum mismatch")
                .hasMessageContaining(sha).hasMessageContaining(FakeHub.sha256(tampered));

        Path repoDir = cache.resolve("models--acme--tiny-chat");
        try (Stream<Path> all = Files.walk(repoDir)) {
            assertThat(all.filter(Files::isRegularFile).map(p -> p.getFileName().toString()))
                    .noneMatch(name -> name.startsWith(sha))
                    .noneMatch(name -> name.endsWith(".incomplete"));
        }
        assertThat(repoDir.resolve("snapshots").resolve(COMMIT).resolve("model.safetensors")).doesNotExist();
        assertThat(repoDir.resolve("refs/main")).doesNotExist();
        assertThatThrownBy(() -> client(Optional.empty(), true, 1).download(HubModelId.parse(REPO)))
                .isInstanceOf(KefuException.class);
    }

    @Test
    void offlineModeAnswersFromTheCacheWithoutAnyRequest() {
        Path online = client().download(HubModelId.parse(REPO));
        hub.close();
        hub.requests.clear();

        Path offline = client(Optional.empty(), true, 1).download(HubModelId.parse(REPO));

        assertThat(offline).isEqualTo(online);
        assertThat(hub.requests).isEmpty();
    }

    @Test
    void offlineModeNamesTheMissingRepoOrFile() throws IOException {
        HubClient offline = client(Optional.empty(), true, 1);
        assertThatThrownBy(() -> offline.download(HubModelId.parse("acme/never-fetched")))
                .isInstanceOf(KefuException.class)
                .satisfies(e -> assertThat(((KefuException) e).code()).isEqualTo(ErrorCode.NOT_FOUND))
                .hasMessageContaining("acme/never-fetched@main").hasMessageContaining("HF_HUB_OFFLINE");

        client().download(HubModelId.parse(REPO));
        Files.delete(cache.resolve("models--acme--tiny-chat/snapshots/" + COMMIT + "/model.safetensors"));
        assertThatThrownBy(() -> offline.download(HubModelId.parse(REPO)))
                .isInstanceOf(KefuException.class)
                .satisfies(e -> assertThat(((KefuException) e).code()).isEqualTo(ErrorCode.NOT_FOUND))
                .hasMessageContaining("model.safetensors missing").hasMessageContaining(COMMIT);
        assertThat(hub.requests).noneMatch(r -> r.path().contains("never-fetched"));
    }

    @Test
    void reusesACacheLaidOutByHuggingfaceHubWithoutAnyRequest() throws IOException {
        // the layout huggingface_hub writes: blobs named by ETag, relative links in snapshots, refs/main
        String commit = "fedcba9876543210fedcba9876543210fedcba98";
        Path repoDir = cache.resolve("models--Qwen--Qwen2.5-0.5B-Instruct");
        Path snapshot = repoDir.resolve("snapshots").resolve(commit);
        Files.createDirectories(snapshot);
        Files.createDirectories(repoDir.resolve("blobs"));
        Files.createDirectories(repoDir.resolve("refs"));
        Files.writeString(repoDir.resolve("refs/main"), commit);
        for (String[] file : new String[][] {{"config.json", CONFIG}, {"tokenizer.json", "{}"},
                {"tokenizer_config.json", "{}"}, {"generation_config.json", "{}"}, {"model.safetensors", "weights"}}) {
            byte[] content = file[1].getBytes(StandardCharsets.UTF_8);
            String etag = file[0].endsWith(".safetensors") ? FakeHub.sha256(content) : FakeHub.gitSha1(content);
            Files.write(repoDir.resolve("blobs").resolve(etag), content);
            Files.createSymbolicLink(snapshot.resolve(file[0]), Path.of("..", "..", "blobs", etag));
        }

        Path resolved = Hub.resolve(ModelRef.of("Qwen/Qwen2.5-0.5B-Instruct"), client());

        assertThat(resolved).isEqualTo(snapshot);
        assertThat(Files.readString(resolved.resolve("config.json"))).isEqualTo(CONFIG);
        assertThat(hub.requests).isEmpty();
        assertThat(Hub.resolve(ModelRef.of("Qwen/Qwen2.5-0.5B-Instruct@" + commit), client())).isEqualTo(snapshot);
        assertThat(hub.requests).isEmpty();
    }

    @Test
    void fetchesOnlyTheShardsTheIndexNames() throws IOException {
        byte[] shard1 = "shard-one".getBytes(StandardCharsets.UTF_8);
        byte[] shard2 = "shard-two".getBytes(StandardCharsets.UTF_8);
        hub.add("acme/sharded", COMMIT).small("config.json", CONFIG).small("tokenizer.json", "{}")
                .small("tokenizer_config.json", "{}")
                .small("model.safetensors.index.json", "{\"metadata\":{},\"weight_map\":{"
                        + "\"a\":\"model-00001-of-00002.safetensors\",\"b\":\"model-00002-of-00002.safetensors\"}}")
                .large("model-00001-of-00002.safetensors", shard1)
                .large("model-00002-of-00002.safetensors", shard2)
                .large("consolidated.safetensors", new byte[] {9});

        Path snapshot = client().download(HubModelId.parse("acme/sharded"));

        assertThat(Files.readAllBytes(snapshot.resolve("model-00002-of-00002.safetensors"))).isEqualTo(shard2);
        assertThat(snapshot.resolve("consolidated.safetensors")).doesNotExist();
        assertThat(hub.requests).noneMatch(r -> r.path().contains("consolidated"));
    }

    @Test
    void aGatedModelWithoutTokenSaysToSetHfToken() {
        hub.add("acme/gated", COMMIT).gated("hf_secret").small("config.json", CONFIG);

        assertThatThrownBy(() -> client().download(HubModelId.parse("acme/gated")))
                .isInstanceOf(KefuException.class)
                .satisfies(e -> assertThat(((KefuException) e).code()).isEqualTo(ErrorCode.UNAUTHENTICATED))
                .hasMessageContaining("HTTP 401").hasMessageContaining("HF_TOKEN")
                .hasMessageContaining(hub.endpoint() + "/api/models/acme/gated/revision/main");
        assertThatThrownBy(() -> client(Optional.of("hf_wrong_token"), false, 1).download(HubModelId.parse("acme/gated")))
                .isInstanceOf(KefuException.class)
                .hasMessageContaining("refused").hasMessageNotContaining("hf_wrong_token");
    }

    @Test
    void anUnknownRepoRevisionOrFileIsNotFound() {
        assertThatThrownBy(() -> client(Optional.of("hf_any"), false, 1).download(HubModelId.parse("acme/nope")))
                .isInstanceOf(KefuException.class)
                .satisfies(e -> assertThat(((KefuException) e).code()).isEqualTo(ErrorCode.NOT_FOUND))
                .hasMessageContaining("acme/nope").hasMessageContaining("repository does not exist")
                .hasMessageNotContaining("hf_any");

        hub.add("acme/no-tokenizer", COMMIT).small("config.json", CONFIG).large("model.safetensors", weights);
        assertThatThrownBy(() -> client().download(HubModelId.parse("acme/no-tokenizer")))
                .isInstanceOf(KefuException.class)
                .satisfies(e -> assertThat(((KefuException) e).code()).isEqualTo(ErrorCode.INVALID_CHECKPOINT))
                .hasMessageContaining("tokenizer.json");

        hub.add("acme/pickle-only", COMMIT).small("config.json", CONFIG).small("tokenizer.json", "{}")
                .small("tokenizer_config.json", "{}").large("pytorch_model.bin", weights);
        assertThatThrownBy(() -> client().download(HubModelId.parse("acme/pickle-only")))
                .isInstanceOf(KefuException.class)
                .hasMessageContaining("no *.safetensors").hasMessageContaining("pickle");
    }

    @Test
    void anUnreachableHubIsANetworkFailureNamingTheUrl() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        HubClient client = HubClient.builder()
                .settings(new HubSettings(URI.create("http://127.0.0.1:" + closedPort), Optional.of("hf_secret"), cache, false))
                .maxAttempts(2).retryBackoff(Duration.ZERO).build();

        assertThatThrownBy(() -> client.download(HubModelId.parse(REPO)))
                .isInstanceOf(KefuException.class)
                .satisfies(e -> assertThat(((KefuException) e).code()).isEqualTo(ErrorCode.IO))
                .hasMessageContaining("http://127.0.0.1:" + closedPort + "/api/models/acme/tiny-chat/revision/main")
                .hasMessageContaining("2 attempts").hasMessageNotContaining("hf_secret");
    }
}
