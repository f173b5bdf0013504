package io.kefu.runtime.generate;

import static org.assertj.core.api.Assertions.assertThat;

import io.kefu.chat.ChatChunk;
import io.kefu.chat.ChatResponse;
import io.kefu.chat.ChatStream;
import io.kefu.chat.GenerationParameters;
import io.kefu.runtime.tokenize.HfTokenizer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** UTF-8-safe streaming with the real Llama 3 and Qwen 3 byte-level BPE tokenizers. */
class RealTokenizerDetokenizeTest {
    /** Rare characters and an emoji that these vocabularies split into several byte tokens. */
    static final String TEXT = "您好！这件羊绒开衫有S码，顏色：藏青。龘靐齉𠀀😀 库存3件，包邮～";

    private static final Map<String, HfTokenizer> TOKENIZERS = new HashMap<>();

    static synchronized HfTokenizer tokenizer(String name) {
        return TOKENIZERS.computeIfAbsent(name,
                n -> HfTokenizer.load(Path.of(System.getProperty("kefu.tokenizers.dir")).resolve(n)));
    }

    @AfterAll
    static void closeTokenizers() {
        TOKENIZERS.values().forEach(HfTokenizer::close);
    }

    @ParameterizedTest
    @ValueSource(strings = {"qwen3", "llama3"})
    void deltasNeverHoldHalfACharacter(String name) {
        {
            HfTokenizer tok = tokenizer(name);
            int[] ids = tok.encode(TEXT);
            assertThat(tok.decode(ids, true)).isEqualTo(TEXT);
            long splitTokens = java.util.Arrays.stream(ids).filter(id -> tok.decode(new int[] {id}).contains("\uFFFD")).count();
            assertThat(splitTokens).as("tokens that are part of a character").isGreaterThan(2);
            IncrementalDetokenizer d = new IncrementalDetokenizer(x -> tok.decode(x, true));
            StringBuilder out = new StringBuilder();
            for (int id : ids) {
                String delta = d.add(id);
                assertThat(delta).doesNotContain("\uFFFD");
                out.append(delta);
            }
            out.append(d.flush());
            assertThat(out.toString()).isEqualTo(TEXT);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"qwen3", "llama3"})
    void streamedAnswerWithRealTokenIdsIsUtf8Safe(String name) {
        {
            HfTokenizer tok = tokenizer(name);
            int[] answer = tok.encode(TEXT);
            int endOfTurn = tok.tokenId(name.equals("qwen3") ? "<|im_end|>" : "<|eot_id|>").getAsInt();
            int[] prompt = tok.encode("顾客：有S码吗？");
            GenerationLoop loop = GenerationLoop.builder()
                    .decode(ids -> tok.decode(ids, true))
                    .tokenText(id -> tok.decode(new int[] {id}))
                    .stopTokenIds(StopCondition.stopTokenIds(List.of(), OptionalInt.of(endOfTurn)))
                    .build();
            Decoder decoder = new ReplayDecoder(tok.vocabSize(), answer, endOfTurn);
            ChatStream stream = loop.stream(decoder, prompt, GenerationParameters.builder().logprobs(true).build());
            StringBuilder text = new StringBuilder();
            for (ChatChunk chunk : stream) {
                assertThat(chunk.text()).doesNotContain("\uFFFD");
                text.append(chunk.text());
            }
            ChatResponse r = stream.response();
            assertThat(r.text()).isEqualTo(TEXT).isEqualTo(text.toString());
            assertThat(r.tokenIds()).hasSize(answer.length);
            assertThat(r.logprobs()).anyMatch(lp -> lp.token().contains("\uFFFD"));
        }
    }

    @org.junit.jupiter.api.Test
    void forModelStopsOnTheTemplatesEndOfTurnToken() {
        HfTokenizer tok = tokenizer("qwen3");
        GenerationLoop loop = GenerationLoop.forModel(tok, template("<|im_end|>"), List.of(151643));
        assertThat(loop.stopTokenIds()).containsExactlyInAnyOrder(151643, tok.tokenId("<|im_end|>").getAsInt());
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> GenerationLoop.forModel(tok, template("</turn>"), List.of(151643)))
                .isInstanceOfSatisfying(io.kefu.KefuException.class,
                        e -> assertThat(e.code()).isEqualTo(io.kefu.ErrorCode.INVALID_CHECKPOINT))
                .hasMessageContaining("'</turn>'");
    }

    static io.kefu.chat.ChatTemplate template(String endOfTurn) {
        return new io.kefu.chat.ChatTemplate() {
            @Override
            public String render(List<io.kefu.chat.ChatMessage> messages, boolean addGenerationPrompt, Map<String, Object> variables) {
                throw new IllegalStateException("this test renders no conversation");
            }

            @Override
            public String endOfTurn() {
                return endOfTurn;
            }

            @Override
            public String source() {
                return "";
            }
        };
    }

    /** Replays fixed token ids through logits (one row), then the end-of-turn id. */
    static final class ReplayDecoder implements Decoder {
        private final int vocab;
        private final int[] answer;
        private final int endOfTurn;
        private int position;

        ReplayDecoder(int vocab, int[] answer, int endOfTurn) {
            this.vocab = vocab;
            this.answer = answer;
            this.endOfTurn = endOfTurn;
        }

        @Override
        public int vocabSize() {
            return vocab;
        }

        @Override
        public float[][] prefill(int[][] promptIds) {
            return logits();
        }

        @Override
        public float[][] step(int[] nextTokens) {
            position++;
            return logits();
        }

        private float[][] logits() {
            float[] row = new float[vocab];
            row[position < answer.length ? answer[position] : endOfTurn] = 10f;
            return new float[][] {row};
        }

        @Override
        public void close() {
        }
    }
}
