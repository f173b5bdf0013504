package io.kefu.runtime.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Each named mapper differs from the plain one in exactly the way its name says. */
class JsonTest {
    @Test
    void duplicateKeysAreRejectedOnlyByTheStrictMapper() throws IOException {
        String text = "{\"a\":1,\"a\":2}";
        assertThat(Json.mapper().readTree(text).path("a").asInt()).isEqualTo(2);
        assertThatThrownBy(() -> Json.rejectingDuplicateKeys().readTree(text))
                .isInstanceOf(JsonProcessingException.class).hasMessageContaining("Duplicate field 'a'");
    }

    @Test
    void trailingTokensAreRejectedOnlyByTheOneValueReader() throws IOException {
        String text = "{\"a\":1} {\"b\":2}";
        assertThat(Json.mapper().readTree(text).has("a")).isTrue();
        assertThatThrownBy(() -> Json.oneValuePerText().readTree(text)).isInstanceOf(JsonProcessingException.class);
    }

    @Test
    void indentedSortedSortsMapsAndIndents() throws IOException {
        Map<String, Integer> map = new java.util.LinkedHashMap<>();
        map.put("b", 1);
        map.put("a", 2);
        assertThat(Json.mapper().writeValueAsString(map)).isEqualTo("{\"b\":1,\"a\":2}");
        assertThat(Json.indented().writeValueAsString(map)).contains("\n").startsWith("{\n  \"b\"");
        assertThat(Json.indentedSorted().writeValueAsString(map)).isEqualTo(Json.indented().writeValueAsString(new TreeMap<>(map)));
    }

    @Test
    void keepingTargetOpenLeavesTheStreamOpen() throws IOException {
        AtomicBoolean closed = new AtomicBoolean();
        OutputStream out = new ByteArrayOutputStream() {
            @Override
            public void close() {
                closed.set(true);
            }
        };
        Json.keepingTargetOpen().writeValue(out, Map.of("k", 1));
        assertThat(closed).isFalse();
        Json.mapper().writeValue(out, Map.of("k", 1));
        assertThat(closed).isTrue();
    }
}
