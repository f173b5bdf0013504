package io.kefu.runtime.tokenize;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Qwen 2.5 and Qwen 3 share one byte-level BPE vocabulary (151,643 tokens, the same 151,387 merges) and
 * the same 22 added tokens at ids 151643..151664; Qwen 3 adds four more, none of them special:
 * {@code <tool_response>}, {@code </tool_response>}, {@code <think>}, {@code </think>}. In Qwen 2.5
 * those four strings are ordinary text of several tokens, so its chat template writes
 * {@code <tool_response>} as plain text and a Qwen 2.5 model never emits {@code <think>} as one id.
 */
class QwenAddedTokensTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static HfTokenizer qwen25;
    private static HfTokenizer qwen3;

    @BeforeAll
    static void load() {
        qwen25 = HfTokenizer.load(TestTokenizers.dir("qwen2_5"));
        qwen3 = HfTokenizer.load(TestTokenizers.dir("qwen3"));
    }

    @AfterAll
    static void close() {
        qwen25.close();
        qwen3.close();
    }

    @Test
    void theBpeVocabularyAndMergesAreTheSame() throws Exception {
        JsonNode model25 = tokenizerJson("qwen2_5").get("model");
        JsonNode model3 = tokenizerJson("qwen3").get("model");
        assertThat(model25.get("vocab").size()).isEqualTo(151_643);
        assertThat(model25.get("vocab").equals(model3.get("vocab"))).as("same vocab").isTrue();
        List<String> merges25 = merges(model25);
        assertThat(merges25).hasSize(151_387);
        assertThat(merges25.equals(merges(model3))).as("same merges").isTrue();
        String text = "亲亲，连衣裙A的S码还有3件哦~ Free shipping over 299 yuan!";
        assertThat(qwen25.encode(text)).containsExactly(qwen3.encode(text));
    }

    @Test
    void qwen3AddsFourNonSpecialTokensAfterTheSharedOnes() throws Exception {
        Map<String, Integer> added25 = added("qwen2_5");
        Map<String, Integer> added3 = added("qwen3");
        assertThat(added25).hasSize(22);
        assertThat(added3).containsAllEntriesOf(added25).hasSize(26);

        Map<String, Integer> onlyInQwen3 = new LinkedHashMap<>(added3);
        onlyInQwen3.keySet().removeAll(added25.keySet());
        assertThat(onlyInQwen3).containsExactly(
                Map.entry("<tool_response>", 151665), Map.entry("</tool_response>", 151666),
                Map.entry("<think>", 151667), Map.entry("</think>", 151668));
        for (int id : onlyInQwen3.values()) {
            assertThat(qwen3.isSpecial(id)).as("id %d", id).isFalse();
        }
        assertThat(qwen25.vocabSize()).isEqualTo(151_665);
        assertThat(qwen3.vocabSize()).isEqualTo(151_669);
    }

    @Test
    void theTurnTokensAndTheirRolesAreShared() {
        for (HfTokenizer qwen : new HfTokenizer[] {qwen25, qwen3}) {
            assertThat(qwen.tokenId("<|endoftext|>")).hasValue(151643);
            assertThat(qwen.tokenId("<|im_start|>")).hasValue(151644);
            assertThat(qwen.tokenId("<|im_end|>")).hasValue(151645);
            assertThat(qwen.tokenId("<tool_call>")).hasValue(151657);
            assertThat(qwen.isSpecial(151645)).isTrue();
            assertThat(qwen.isSpecial(151657)).as("<tool_call> is an added token, not a special one").isFalse();
            assertThat(qwen.eosToken()).hasValue("<|im_end|>");
            assertThat(qwen.bosToken()).isEmpty();
        }
    }

    @Test
    void thinkAndToolResponseAreSeveralTokensInQwen25() {
        for (String tag : new String[] {"<think>", "</think>", "<tool_response>", "</tool_response>"}) {
            assertThat(qwen25.tokenId(tag)).as(tag).isEmpty();
            assertThat(qwen25.encode(tag)).as(tag).hasSizeGreaterThan(1);
            assertThat(qwen3.encode(tag)).as(tag).containsExactly(qwen3.tokenId(tag).getAsInt());
        }
    }

    private static JsonNode tokenizerJson(String model) throws Exception {
        return JSON.readTree(TestTokenizers.dir(model).resolve("tokenizer.json").toFile());
    }

    /** The merges as "a b" strings: Qwen 2.5's file writes them so, Qwen 3's as ["a", "b"] pairs. */
    private static List<String> merges(JsonNode model) {
        List<String> merges = new ArrayList<>();
        for (JsonNode merge : model.get("merges")) {
            merges.add(merge.isArray() ? merge.get(0).asText() + " " + merge.get(1).asText() : merge.asText());
        }
        return merges;
    }

    private static Map<String, Integer> added(String model) throws Exception {
        Map<String, Integer> added = new LinkedHashMap<>();
        for (JsonNode token : tokenizerJson(model).get("added_tokens")) {
            added.put(token.get("content").asText(), token.get("id").asInt());
        }
        return added;
    }
}
