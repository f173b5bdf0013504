package io.kefu.engine.trtllm;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kefu.chat.ChatModel;
import io.kefu.chat.ChatRequest;
import io.kefu.chat.GenerationParameters;
import io.kefu.engine.trtllm.internal.EngineFolders;
import io.kefu.engine.trtllm.internal.TestDouble;
import io.kefu.model.BaseModel;
import io.kefu.model.ModelRef;
import io.kefu.server.KefuServer;
import io.kefu.server.ServerConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Kefu server answers a streamed OpenAI-style request through this engine and the C test
 * double (server-sent events, usage from the engine's tokens).
 */
@Timeout(120)
class TrtllmServerIT {
    @TempDir
    Path tmp;

    @Test
    void theServerStreamsThroughTheEngine() throws Exception {
        Path dir = TestDouble.engineDir(tmp, "engine", 2_000);
        EngineFolders.writeConfig(dir, 4, 2, 1, 8, 2, 0, List.of());
        EngineFolders.copyTokenizer("qwen3", dir);
        TrtllmEngine engine = new TrtllmEngine(TestDouble.library(), TrtllmSettings.builder().build());
        String question = "这条连衣裙有几种颜色?";
        try (BaseModel base = engine.load(ModelRef.of(dir));
             ChatModel model = engine.chatModel(base)) {
            String direct = model.chat(ChatRequest.builder().addUser(question)
                    .parameters(GenerationParameters.builder().maxNewTokens(64).build()).build()).text();
            try (KefuServer server = KefuServer.start(ServerConfig.builder().baseModel(model)
                    .storeUrl("jdbc:h2:file:" + tmp.resolve("db/shop")).port(0).build())) {
                String body = new ObjectMapper().writeValueAsString(java.util.Map.of(
                        "messages", List.of(java.util.Map.of("role", "user", "content", question)),
                        "stream", true, "max_tokens", 64, "stream_options", java.util.Map.of("include_usage", true)));
                HttpResponse<java.util.stream.Stream<String>> response = HttpClient.newHttpClient().send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/chat/completions"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                        HttpResponse.BodyHandlers.ofLines());
                assertThat(response.statusCode()).isEqualTo(200);
                assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
                int completionTokens = -1;
                String finish = null;
                boolean done = false;
                for (String line : (Iterable<String>) response.body()::iterator) {
                    if (!line.startsWith("data: ")) {
                        continue;
                    }
                    String data = line.substring(6);
                    if (data.equals("[DONE]")) {
                        done = true;
                        continue;
                    }
                    JsonNode chunk = new ObjectMapper().readTree(data);
                    if (chunk.has("usage")) {
                        completionTokens = chunk.path("usage").path("completion_tokens").asInt();
                    }
                    JsonNode choice = chunk.path("choices").path(0);
                    if (!choice.path("finish_reason").isNull() && !choice.path("finish_reason").isMissingNode()) {
                        finish = choice.path("finish_reason").asText();
                    }
                }
                assertThat(done).isTrue();
                assertThat(finish).isIn("stop", "length");
                // the server's policies (grounding, compliance, hand-off) decide which text reaches the
                // client; what the engine generated for it shows in the usage
                assertThat(completionTokens).as("tokens the engine generated for the server").isPositive();
                assertThat(direct).as("the same model answers directly").contains(question);
            }
        }
    }
}
