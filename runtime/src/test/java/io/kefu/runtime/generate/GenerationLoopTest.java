package io.kefu.runtime.generate;

import static io.kefu.runtime.generate.IncrementalDetokenizerTest.decodeBytes;
import static io.kefu.runtime.generate.IncrementalDetokenizerTest.tokens;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatChunk;
import io.kefu.chat.ChatResponse;
import io.kefu.chat.ChatStream;
import io.kefu.chat.FinishReason;
import io.kefu.chat.GenerationParameters;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class GenerationLoopTest {
    static final String ANSWER_A = "您好！连衣裙A有S码，库存3件。";
    static final String ANSWER_B = "Yes, size M 😀";
    static final String ANSWER_C = "包邮";
    static final Map<Integer, int[]> SCRIPTS = Map.of(1, tokens(ANSWER_A), 2, tokens(ANSWER_B), 3, tokens(ANSWER_C));

    /** Byte decode that drops the special ids, as a tokenizer with skip_special_tokens does. */
    static String decode(int[] ids) {
        return decodeBytes(Arrays.stream(ids).filter(id -> id < 256).toArray());
    }

    final GenerationLoop loop = GenerationLoop.builder()
            .decode(GenerationLoopTest::decode)
            .stopTokenIds(StopCondition.stopTokenIds(List.of(ScriptedDecoder.EOS), java.util.OptionalInt.of(ScriptedDecoder.END_OF_TURN)))
            .build();

    static GenerationParameters.Builder params() {
        return GenerationParameters.builder();
    }

    @Test
    void greedyAnswerStopsAtEndOfTurn() {
        ScriptedDecoder decoder = new ScriptedDecoder(SCRIPTS);
        ChatResponse r = loop.generate(decoder, new int[] {1, 40, 41}, GenerationParameters.greedy());
        assertThat(r.text()).isEqualTo(ANSWER_A);
        assertThat(r.finishReason()).isEqualTo(FinishReason.STOP);
        int n = tokens(ANSWER_A).length;
        assertThat(r.tokenIds()).hasSize(n).doesNotContain(ScriptedDecoder.END_OF_TURN);
        assertThat(r.usage().promptTokens()).isEqualTo(3);
        assertThat(r.usage().completionTokens()).isEqualTo(n + 1);
        assertThat(r.promptTokenIds()).containsExactly(1, 40, 41);
        assertThat(r.logprobs()).isEmpty();
        assertThat(decoder.closed).isTrue();
        assertThat(decoder.steps).hasSize(n); // every answer token is fed back; the end-of-turn is not
    }

    @Test
    void maxNewTokensEndsWithLength() {
        ChatResponse r = loop.generate(new ScriptedDecoder(SCRIPTS), new int[] {2}, params().maxNewTokens(4).build());
        assertThat(r.text()).isEqualTo("Yes,");
        assertThat(r.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(r.usage().completionTokens()).isEqualTo(4);
    }

    @Test
    void fullContextEndsWithLength() {
        ChatResponse r = loop.generate(new ScriptedDecoder(SCRIPTS, 8, -1, 0), new int[] {2, 5, 6}, GenerationParameters.greedy());
        assertThat(r.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(r.text()).isEqualTo("Yes, ");
        assertThatThrownBy(() -> loop.generate(new ScriptedDecoder(SCRIPTS, 3, -1, 0), new int[] {2, 5, 6}, GenerationParameters.greedy()))
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST))
                .hasMessageContaining("3 tokens");
    }

    @Test
    void stopStringCutsTheAnswer() {
        ChatResponse r = loop.generate(new ScriptedDecoder(SCRIPTS), new int[] {1},
                params().stopSequences(List.of("，库存")).build());
        assertThat(r.text()).isEqualTo("您好！连衣裙A有S码");
        assertThat(r.finishReason()).isEqualTo(FinishReason.STOP);
    }

    @Test
    void batchRowsFinishIndependentlyAndMatchSingleRuns() {
        List<int[]> prompts = List.of(new int[] {1, 9, 9, 9}, new int[] {2}, new int[] {3, 7});
        ScriptedDecoder decoder = new ScriptedDecoder(SCRIPTS);
        List<ChatResponse> batch = loop.generate(decoder, prompts, List.of(GenerationParameters.greedy()));
        assertThat(batch).extracting(ChatResponse::text).containsExactly(ANSWER_A, ANSWER_B, ANSWER_C);
        assertThat(decoder.prefills.get(0)).hasNumberOfRows(3);
        assertThat(decoder.prefills.get(0)[0]).containsExactly(1, 9, 9, 9); // unpadded: the engine pads
        assertThat(decoder.steps).allMatch(step -> step.length == 3);
        assertThat(decoder.steps).hasSize(tokens(ANSWER_A).length);
        // sampled rows: the same seed gives the same answer alone or in a batch
        GenerationParameters sampled = params().temperature(1.3).topK(3).seed(99).logprobs(true).build();
        List<ChatResponse> together = loop.generate(new ScriptedDecoder(SCRIPTS), prompts, List.of(sampled));
        for (int i = 0; i < prompts.size(); i++) {
            ChatResponse alone = loop.generate(new ScriptedDecoder(SCRIPTS), prompts.get(i), sampled);
            assertThat(together.get(i).tokenIds()).isEqualTo(alone.tokenIds());
            assertThat(together.get(i).text()).isEqualTo(alone.text());
        }
        assertThat(together.get(0).text()).isNotEqualTo(ANSWER_A); // temperature 1.3 over logits 8 vs 6 strays
    }

    @Test
    void logprobsAreReportedPerToken() {
        ChatResponse r = loop.generate(new ScriptedDecoder(SCRIPTS), new int[] {3}, params().logprobs(true).build());
        assertThat(r.logprobs()).hasSameSizeAs(r.tokenIds());
        // greedy: the scripted token has logit 8 beside one at 6 and 258 small ones in [0, 1)
        for (int i = 0; i < r.logprobs().size(); i++) {
            assertThat(r.logprobs().get(i).tokenId()).isEqualTo(r.tokenIds().get(i));
            assertThat(r.logprobs().get(i).logprob()).isBetween(-Math.log1p(Math.exp(-2)) - 258 * Math.exp(-7), -Math.log1p(Math.exp(-2)) - 258 * Math.exp(-8) * 0.99);
        }
        assertThat(r.logprobs().get(0).token()).isEqualTo("\uFFFD"); // the first byte of 包 alone
    }

    @Test
    void streamDeliversUtf8SafeChunksThenTheResponse() {
        ChatStream stream = loop.stream(new ScriptedDecoder(SCRIPTS), new int[] {1}, params().logprobs(true).build());
        StringBuilder text = new StringBuilder();
        int tokens = 0;
        for (ChatChunk chunk : stream) {
            assertThat(chunk.text()).doesNotContain("\uFFFD");
            text.append(chunk.text());
            tokens += chunk.tokenIds().size();
            assertThat(chunk.logprobs()).hasSameSizeAs(chunk.tokenIds());
        }
        ChatResponse r = stream.response();
        assertThat(text.toString()).isEqualTo(ANSWER_A).isEqualTo(r.text());
        assertThat(tokens).isEqualTo(r.tokenIds().size());
        assertThat(stream.isDone()).isTrue();
        stream.close();
        stream.close();
        assertThatThrownBy(stream::iterator).isInstanceOfSatisfying(KefuException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.CLOSED));
    }

    @Test
    void streamNeverShowsTheStartOfAStopString() {
        ChatStream stream = loop.stream(new ScriptedDecoder(SCRIPTS), new int[] {2}, params().stopSequences(List.of("ze M")).build());
        List<String> texts = new ArrayList<>();
        stream.forEach(c -> texts.add(c.text()));
        assertThat(String.join("", texts)).isEqualTo("Yes, si");
        assertThat(stream.response().text()).isEqualTo("Yes, si");
        assertThat(stream.response().finishReason()).isEqualTo(FinishReason.STOP);
    }

    @Test
    void cancelFromAnotherThreadEndsTheStream() throws Exception {
        int[] endless = new int[100_000];
        Arrays.fill(endless, 'a');
        ScriptedDecoder decoder = new ScriptedDecoder(Map.of(5, endless), Integer.MAX_VALUE, -1, 2);
        ChatStream stream = loop.stream(decoder, new int[] {5}, params().maxNewTokens(100_000).build());
        java.util.Iterator<ChatChunk> it = stream.iterator();
        assertThat(it.next().text()).isEqualTo("a");
        Thread canceller = new Thread(stream::cancel);
        canceller.start();
        canceller.join();
        while (it.hasNext()) {
            it.next();
        }
        ChatResponse r = stream.response();
        assertThat(r.finishReason()).isEqualTo(FinishReason.CANCELLED);
        assertThat(r.text()).matches("a+");
        assertThat(r.usage().completionTokens()).isLessThan(100_000);
        stream.close();
        assertThat(decoder.closed).isTrue();
    }

    @Test
    void closeCancelsARunningStream() {
        int[] endless = new int[100_000];
        Arrays.fill(endless, 'b');
        ScriptedDecoder decoder = new ScriptedDecoder(Map.of(5, endless), Integer.MAX_VALUE, -1, 2);
        ChatStream stream = loop.stream(decoder, new int[] {5}, params().maxNewTokens(100_000).build());
        stream.close();
        assertThat(stream.isDone()).isTrue();
        assertThat(decoder.closed).isTrue();
        assertThat(stream.response().finishReason()).isEqualTo(FinishReason.CANCELLED);
    }

    @Test
    void engineFailureSurfacesWhileIteratingAndKeepsTheTextSoFar() {
        ScriptedDecoder decoder = new ScriptedDecoder(SCRIPTS, Integer.MAX_VALUE, 5, 0);
        ChatStream stream = loop.stream(decoder, new int[] {2}, GenerationParameters.greedy());
        StringBuilder text = new StringBuilder();
        assertThatThrownBy(() -> stream.forEach(c -> text.append(c.text())))
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.ENGINE_FAILURE))
                .hasMessageContaining("scripted failure");
        ChatResponse r = stream.response();
        assertThat(r.finishReason()).isEqualTo(FinishReason.ERROR);
        assertThat(r.text()).isEqualTo("Yes, ").isEqualTo(text.toString());
        stream.close();
        assertThat(decoder.closed).isTrue();
        ScriptedDecoder again = new ScriptedDecoder(SCRIPTS, Integer.MAX_VALUE, 2, 0);
        assertThatThrownBy(() -> loop.generate(again, new int[] {2}, GenerationParameters.greedy()))
                .hasMessageContaining("scripted failure");
        assertThat(again.closed).isTrue();
    }

    @Test
    void batchStreamsCancelOneRowWithoutStoppingOthers() {
        int[] endless = new int[100_000];
        Arrays.fill(endless, 'c');
        ScriptedDecoder decoder = new ScriptedDecoder(Map.of(5, endless, 3, tokens(ANSWER_C)), Integer.MAX_VALUE, -1, 1);
        List<ChatStream> streams = loop.streamBatch(decoder, List.of(new int[] {5}, new int[] {3}),
                List.of(params().maxNewTokens(100_000).build()));
        assertThat(streams.get(1).response().text()).isEqualTo(ANSWER_C);
        assertThat(streams.get(0).isDone()).isFalse();
        streams.get(0).cancel();
        assertThat(streams.get(0).response().finishReason()).isEqualTo(FinishReason.CANCELLED);
        streams.forEach(ChatStream::close);
        assertThat(decoder.closed).isTrue();
    }

    @Test
    void requiresStopTokensAndValidPrompts() {
        assertThatThrownBy(() -> GenerationLoop.builder().decode(GenerationLoopTest::decode).stopTokenIds(List.of()).build())
                .hasMessageContaining("stop token");
        ScriptedDecoder decoder = new ScriptedDecoder(SCRIPTS);
        assertThatThrownBy(() -> loop.generate(decoder, new int[] {}, GenerationParameters.greedy()))
                .hasMessageContaining("prompt 0 has no tokens");
        assertThat(decoder.closed).isTrue();
        assertThatThrownBy(() -> loop.generate(new ScriptedDecoder(SCRIPTS), new int[] {1, 999}, GenerationParameters.greedy()))
                .hasMessageContaining("token id 999");
    }

    @Test
    void tokensPerSecondIsMeasured() {
        ChatResponse r = loop.generate(new ScriptedDecoder(SCRIPTS), new int[] {2}, GenerationParameters.greedy());
        assertThat(r.latency().toNanos()).isPositive();
        assertThat(r.tokensPerSecond()).isCloseTo(r.usage().completionTokens() / (r.latency().toNanos() / 1e9), Offset.offset(1e-6));
    }

    @Test
    void modelEosIdsComeFromGenerationConfigElseConfig(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Files.writeString(dir.resolve("config.json"), "{\"model_type\":\"qwen2\",\"hidden_size\":8,"
                + "\"intermediate_size\":8,\"num_hidden_layers\":1,\"num_attention_heads\":2,\"vocab_size\":10,\"eos_token_id\":7}");
        assertThat(GenerationLoop.modelEosTokenIds(dir)).containsExactly(7);
        java.nio.file.Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\":[7,9],\"bos_token_id\":1}");
        assertThat(GenerationLoop.modelEosTokenIds(dir)).containsExactly(7, 9);
    }
}
