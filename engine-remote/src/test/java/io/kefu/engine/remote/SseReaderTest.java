package io.kefu.engine.remote;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseReaderTest {
    @Test
    void readsDataOfEachEventAndSkipsCommentsAndOtherFields() throws IOException {
        String text = ": keep-alive\n\n"
                + "event: message\nid: 1\ndata: {\"a\":1}\n\n"
                + "data:{\"b\":2}\r\n\r\n"
                + "data: line one\ndata: line two\n\n"
                + "retry: 100\n\n"
                + "data: [DONE]\n\n";

        assertThat(read(text)).containsExactly("{\"a\":1}", "{\"b\":2}", "line one\nline two", "[DONE]");
    }

    @Test
    void keepsMultiByteCharactersWhole() throws IOException {
        assertThat(read("data: {\"content\":\"连衣裙有S码\"}\n\n")).containsExactly("{\"content\":\"连衣裙有S码\"}");
    }

    @Test
    void aLastEventWithoutItsBlankLineStillCounts() throws IOException {
        assertThat(read("data: x\n\ndata: [DONE]")).containsExactly("x", "[DONE]");
    }

    private static List<String> read(String text) throws IOException {
        SseReader reader = new SseReader(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
        List<String> out = new ArrayList<>();
        String data;
        while ((data = reader.next()) != null) {
            out.add(data);
        }
        return out;
    }
}
