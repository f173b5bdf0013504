package io.kefu.server;

import com.fasterxml.jackson.databind.JsonNode;
import io.kefu.KefuException;
import io.kefu.shop.rules.RulesChatModel;
import io.kefu.train.Adapter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Adapters loaded at run time over real HTTP: only with an API key, only from inside the adapter root (no {@code ..},
 * absolute-path or symbolic-link escape), at most {@code maxAdapters} at once, and errors that name the field but
 * none of the server's paths or the loader's message. The loader reads the folder for real ({@link Adapter#load})
 * and serves the rules baseline under the adapter's name.
 */
class AdapterSecurityIT {
    @TempDir
    static Path temp;
    static Path root;
    static Path outside;
    static Path realTemp;
    static final List<Path> loadedFrom = new CopyOnWriteArrayList<>();
    static final AdapterLoader LOADER = (name, folder) -> {
        Adapter.load(folder);
        loadedFrom.add(folder);
        return new RulesChatModel();
    };
    static KefuServer server;
    static Http admin;

    @BeforeAll
    static void start() throws Exception {
        realTemp = temp.toRealPath();
        root = Files.createDirectories(temp.resolve("adapters"));
        outside = Files.createDirectories(temp.resolve("outside"));
        for (String name : List.of("a", "b", "c")) {
            DjlServerIT.randomAdapter(name.charAt(0)).saveTo(root.resolve(name));
        }
        DjlServerIT.randomAdapter(9).saveTo(outside.resolve("evil"));
        Files.createDirectories(root.resolve("empty"));
        Files.createSymbolicLink(root.resolve("escape"), outside.resolve("evil"));
        Files.createSymbolicLink(root.resolve("alias-of-a"), root.resolve("a"));
        server = KefuServer.start(ServerConfig.builder().baseModel(new RulesChatModel()).storeUrl("jdbc:h2:file:" + temp.resolve("db/shop"))
                .shopFolder(RulesServerIT.SHOP).port(0).apiKey("k-admin").runtimeAdapters(LOADER, root).maxAdapters(2).build());
        admin = new Http(server.port(), "k-admin");
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    static Http.Reply load(String name, String path) {
        return admin.post("/v1/load_lora_adapter", Map.of("lora_name", name, "lora_path", path));
    }

    static void assertRefusedWithoutDetail(Http.Reply reply, String field) {
        RulesServerIT.assertError(reply, 400, field);
        assertThat(reply.body()).doesNotContain(temp.toString()).doesNotContain(realTemp.toString())
                .doesNotContain("adapter_config").doesNotContain("safetensors");
    }

    @Test
    void runtimeAdaptersWithoutAnApiKeyAreRefusedAtStart() {
        assertThatThrownBy(() -> ServerConfig.builder().baseModel(new RulesChatModel()).storeUrl("jdbc:h2:mem:x").runtimeAdapters(LOADER, root)
                .build()).isInstanceOf(KefuException.class).hasMessageContaining("runtimeAdapters").hasMessageContaining("API key");
        assertThatThrownBy(() -> ServerConfig.builder().baseModel(new RulesChatModel()).storeUrl("jdbc:h2:mem:x").apiKey("k")
                .runtimeAdapters(LOADER, temp.resolve("no-such-root")).build()).isInstanceOf(KefuException.class)
                .hasMessageContaining("adapterRoot");
        assertThat(new Http(server.port()).post("/v1/load_lora_adapter", Map.of("lora_name", "x", "lora_path", "a")).status()).isEqualTo(401);
    }

    @Test
    void onlyFoldersInsideTheRootAreRead() throws Exception {
        int before = loadedFrom.size();
        assertRefusedWithoutDetail(load("up", "../outside/evil"), "lora_path");
        assertRefusedWithoutDetail(load("absolute", outside.resolve("evil").toString()), "lora_path");
        assertRefusedWithoutDetail(load("link", "escape"), "lora_path");
        assertRefusedWithoutDetail(load("dotdot", "a/../../outside/evil"), "lora_path");
        assertRefusedWithoutDetail(load("missing", "nowhere"), "lora_path");
        assertRefusedWithoutDetail(load("file", "a/adapter_config.json"), "lora_path");
        assertThat(loadedFrom.subList(before, loadedFrom.size())).as("nothing outside the root was read").isEmpty();

        Http.Reply alias = load("alias", "alias-of-a");
        assertThat(alias.status()).as(alias.body()).isEqualTo(200);
        assertThat(alias.json().get("lora_path").asText()).isEqualTo("alias-of-a");
        assertThat(loadedFrom.get(loadedFrom.size() - 1)).isEqualTo(root.resolve("a").toRealPath());
        assertThat(admin.post("/v1/unload_lora_adapter", Map.of("lora_name", "alias")).status()).isEqualTo(200);
    }

    @Test
    void aFolderWithoutAnAdapterGetsAGenericErrorAndTheDetailGoesToTheLog() {
        Http.Reply reply = load("hollow", "empty");
        assertRefusedWithoutDetail(reply, "lora_path");
        String id = reply.raw().headers().firstValue("X-Request-Id").orElseThrow();
        assertThat(reply.json().at("/error/message").asText()).contains("request id " + id);
        assertThat(DjlServerIT.modelIds(admin)).doesNotContain("hollow");
    }

    @Test
    void atMostMaxAdaptersAreLoadedAtOnce() {
        assertThat(load("first", "a").status()).isEqualTo(200);
        assertThat(load("second", "b").status()).isEqualTo(200);
        Http.Reply third = load("third", "c");
        RulesServerIT.assertError(third, 400, "lora_name");
        assertThat(third.json().at("/error/message").asText()).contains("2 adapters").contains("unload one first");
        assertThat(admin.post("/v1/unload_lora_adapter", Map.of("lora_name", "first")).status()).isEqualTo(200);
        assertThat(load("third", "c").status()).isEqualTo(200);
        assertThat(DjlServerIT.modelIds(admin)).contains("second", "third").doesNotContain("first");
        assertThat(admin.post("/v1/unload_lora_adapter", Map.of("lora_name", "second")).status()).isEqualTo(200);
        assertThat(admin.post("/v1/unload_lora_adapter", Map.of("lora_name", "third")).status()).isEqualTo(200);
    }
}
