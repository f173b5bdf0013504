package io.kefu.runtime.tokenize;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfTokenizerTest {
    private static final Map<String, HfTokenizer> TOKENIZERS = new LinkedHashMap<>();

    @BeforeAll
    static void load() {
        for (String model : new String[] {"llama3", "llama3_1", "qwen3"}) {
            TOKENIZERS.put(model, HfTokenizer.load(TestTokenizers.dir(model)));
        }
    }

    @AfterAll
    static void close() {
        TOKENIZERS.values().forEach(HfTokenizer::close);
    }

    @Test
    void encodesLikeAnIndependentByteLevelBpe() throws Exception {
        JsonNode golden;
        try (InputStream in = getClass().getResourceAsStream("/golden/tokenize/encodings.json")) {
            golden = new ObjectMapper().readTree(in);
        }
        int compared = 0;
        for (Map.Entry<String, HfTokenizer> entry : TOKENIZERS.entrySet()) {
            for (JsonNode c : golden.get(entry.getKey())) {
                int[] expected = new ObjectMapper().convertValue(c.get("ids"), int[].class);
                assertThat(entry.getValue().encode(c.get("text").asText()))
                        .as("%s: %s", entry.getKey(), c.get("text").asText()).containsExactly(expected);
                compared++;
            }
        }
        assertThat(compared).isEqualTo(30);
    }

    @Test
    void specialTokenTextMapsToOneIdAndNothingIsAdded() {
        HfTokenizer qwen = TOKENIZERS.get("qwen3");
        assertThat(qwen.encode("<|im_start|>")).containsExactly(151644);
        assertThat(qwen.encode("<|im_end|>")).containsExactly(151645);
        assertThat(qwen.tokenId("<|im_start|>")).hasValue(151644);
        HfTokenizer llama = TOKENIZERS.get("llama3");
        assertThat(llama.encode("<|eot_id|>")).containsExactly(128009);
        assertThat(llama.encode("<|begin_of_text|>Hi")).containsExactly(128000, 13347);
        assertThat(llama.encode("Hello world!")).containsExactly(9906, 1917, 0);
        assertThat(llama.tokenId("<|start_header_id|>")).hasValue(128006);
        assertThat(llama.tokenId("no such token")).isEmpty();
        assertThat(llama.encode("")).isEmpty();
    }

    @Test
    void vocabularySizesAndSpecialTokens() {
        assertThat(TOKENIZERS.get("llama3").vocabSize()).isEqualTo(128256);
        assertThat(TOKENIZERS.get("qwen3").vocabSize()).isEqualTo(151669);
        assertThat(TOKENIZERS.get("llama3").bosToken()).hasValue("<|begin_of_text|>");
        assertThat(TOKENIZERS.get("llama3_1").eosToken()).hasValue("<|eot_id|>");
        assertThat(TOKENIZERS.get("qwen3").bosToken()).isEmpty();
        assertThat(TOKENIZERS.get("qwen3").eosToken()).hasValue("<|im_end|>");
        assertThat(TOKENIZERS.get("qwen3").isSpecial(151645)).isTrue();
        assertThat(TOKENIZERS.get("qwen3").isSpecial(9707)).isFalse();
    }

    @Test
    void decodeRoundTripsAndCanSkipSpecialTokens() {
        String text = "<|im_start|>user\n亲亲，连衣裙A有S码吗? 😍 café  \n\n<|im_end|>";
        for (HfTokenizer tokenizer : TOKENIZERS.values()) {
            assertThat(tokenizer.decode(tokenizer.encode(text))).isEqualTo(text);
        }
        HfTokenizer qwen = TOKENIZERS.get("qwen3");
        assertThat(qwen.decode(qwen.encode(text), true)).isEqualTo("user\n亲亲，连衣裙A有S码吗? 😍 café  \n\n");
        assertThatThrownBy(() -> qwen.decode(new int[] {1, 999_999}))
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
                .hasMessageContaining("999999").hasMessageContaining("position 1");
    }

    @Test
    void offsetsAreUtf16IndicesOfTheText() {
        String text = "<|im_start|>assistant\n亲亲，有货哦 😍 ok<|im_end|>\n";
        for (HfTokenizer tokenizer : TOKENIZERS.values()) {
            HfTokenizer.Tokens tokens = tokenizer.encodeWithOffsets(text);
            int checked = 0;
            for (int i = 0; i < tokens.size(); i++) {
                assertThat(tokens.starts()[i]).isBetween(0, tokens.ends()[i]);
                assertThat(tokens.ends()[i]).isLessThanOrEqualTo(text.length());
                if (i > 0) {
                    assertThat(tokens.starts()[i]).isGreaterThanOrEqualTo(tokens.starts()[i - 1]);
                }
                String decoded = tokenizer.decode(new int[] {tokens.ids()[i]});
                if (!decoded.isBlank() && decoded.indexOf('\uFFFD') < 0) {
                    assertThat(text.substring(tokens.starts()[i], tokens.ends()[i]).strip()).isEqualTo(decoded.strip());
                    checked++;
                }
            }
            assertThat(checked).isGreaterThanOrEqualTo(5);
        }
        HfTokenizer.Tokens qwen = TOKENIZERS.get("qwen3").encodeWithOffsets(text);
        int imEnd = text.indexOf("<|im_end|>");
        int endToken = qwen.size() - 2;
        assertThat(qwen.ids()[endToken]).isEqualTo(151645);
        assertThat(new int[] {qwen.starts()[endToken], qwen.ends()[endToken]}).containsExactly(imEnd, imEnd + 10);
    }

    @Test
    void closeIsIdempotentAndUseAfterCloseFails() {
        HfTokenizer tokenizer = HfTokenizer.load(TestTokenizers.dir("qwen3"));
        tokenizer.close();
        tokenizer.close();
        assertThatThrownBy(() -> tokenizer.encode("hi"))
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CLOSED));
    }

    @Test
    void missingOrBrokenFilesAreLocatedErrors(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> HfTokenizer.load(dir))
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND))
                .hasMessageContaining("tokenizer.json");
        Files.writeString(dir.resolve("tokenizer.json"), "{\"model\": [1, 2");
        Files.writeString(dir.resolve("tokenizer_config.json"), "{}");
        assertThatThrownBy(() -> HfTokenizer.load(dir))
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CHECKPOINT))
                .hasMessageContaining(dir.resolve("tokenizer.json").toString());
    }
}
