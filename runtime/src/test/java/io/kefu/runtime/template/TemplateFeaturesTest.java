package io.kefu.runtime.template;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/** Each jinja2 feature chat templates use, against Python jinja2's output (features.json). */
class TemplateFeaturesTest {
    @TestFactory
    Stream<DynamicTest> eachFeatureRendersLikeJinja2() {
        JsonNode features = Golden.json("features.json");
        LocalDateTime fixed = LocalDateTime.parse(Golden.json("manifest.json").get("fixed_now").asText());
        Clock clock = Clock.fixed(fixed.atZone(ZoneId.of("UTC")).toInstant(), ZoneId.of("UTC"));
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode feature : features) {
            tests.add(DynamicTest.dynamicTest(feature.get("name").asText(), () -> {
                HfChatTemplate template = HfChatTemplate.of(feature.get("template").asText(), null, null).withClock(clock);
                var messages = Golden.messages(feature.get("messages"));
                boolean gen = feature.get("add_generation_prompt").asBoolean();
                var variables = Golden.variables(feature.get("variables"));
                if (feature.has("error")) {
                    assertThatThrownBy(() -> template.renderMessages(messages, gen, variables))
                            .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST))
                            .hasMessageContaining(feature.get("error").asText());
                } else {
                    assertThat(template.renderMessages(messages, gen, variables)).isEqualTo(feature.get("expected").asText());
                }
            }));
        }
        return tests.stream();
    }
}
