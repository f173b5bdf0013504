package io.kefu.runtime.template;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kefu.runtime.tokenize.TestTokenizers;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The real chat templates of Llama 3, Llama 3.1, Qwen 2.5 and Qwen 3 render every golden conversation
 * byte for byte as Python's jinja2 does under transformers' settings.
 */
class HfChatTemplateGoldenTest {
    private static final List<String> MODELS = List.of("llama3", "llama3_1", "qwen2_5", "qwen3");

    @TestFactory
    Stream<DynamicTest> rendersLikeJinja2() {
        JsonNode cases = Golden.json("conversations.json");
        JsonNode manifest = Golden.json("manifest.json");
        assertThat(cases.size()).isGreaterThanOrEqualTo(20);
        List<DynamicTest> tests = new ArrayList<>();
        for (String model : MODELS) {
            HfChatTemplate template = HfChatTemplate.fromModelDir(TestTokenizers.dir(model));
            tests.add(DynamicTest.dynamicTest(model + " template is the one the golden files were made from", () ->
                    assertThat(sha256(template.source())).as("template changed: rerun scripts/golden/chat_templates.py")
                            .isEqualTo(manifest.path("templates").path(model).asText())));
            for (JsonNode c : cases) {
                for (boolean gen : new boolean[] {true, false}) {
                    String name = model + "/" + c.get("id").asText() + (gen ? ".gen.txt" : ".nogen.txt");
                    tests.add(DynamicTest.dynamicTest(name, () -> {
                        String rendered = template.renderMessages(Golden.messages(c.get("messages")), gen,
                                Golden.variables(c.get("variables")));
                        assertThat(new String(rendered.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8))
                                .isEqualTo(new String(Golden.bytes(name), StandardCharsets.UTF_8));
                        assertThat(rendered.getBytes(StandardCharsets.UTF_8)).isEqualTo(Golden.bytes(name));
                    }));
                }
            }
        }
        return tests.stream();
    }

    private static String sha256(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }
}
