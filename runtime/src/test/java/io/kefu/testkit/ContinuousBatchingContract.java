package io.kefu.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.BatchingOptions;
import io.kefu.chat.ChatChunk;
import io.kefu.chat.ChatModel;
import io.kefu.chat.ChatRequest;
import io.kefu.chat.ChatResponse;
import io.kefu.chat.ChatStream;
import io.kefu.chat.FinishReason;
import io.kefu.chat.GenerationParameters;
import io.kefu.runtime.generate.BatchedChatModel;
import io.kefu.runtime.generate.BatchingStats;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What an engine whose chat models batch concurrent calls continuously owes its callers: calls made
 * from many threads at staggered times share a running batch and still get, token for token, the
 * greedy answer each gets alone; a cancelled stream frees its row; {@code maxBatchSize} 1 never
 * batches; closing the model lets the calls in flight finish. An engine's test extends this class
 * and makes models over a small real checkpoint with a real tokenizer.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
public abstract class ContinuousBatchingContract {
    /** Questions of different lengths and scripts, so prompts differ in length. */
    protected static final List<String> QUESTIONS = List.of(
            "你好",
            "连衣裙A有S码吗?",
            "Do you ship to Canada, and how long does delivery usually take?",
            "退货政策是什么？需要保留吊牌吗？",
            "hi",
            "有优惠券吗",
            "Is the red dress available in size M? I need it before Friday for a wedding, please check the stock.",
            "包邮吗");

    /** @return a new model that batches as {@code options} say and implements {@link BatchedChatModel}; the test closes it */
    protected abstract ChatModel createModel(BatchingOptions options);

    /** @return a greedy request for question {@code i} (modulo the list) */
    protected ChatRequest request(int i, int maxNewTokens) {
        return ChatRequest.builder().addUser(QUESTIONS.get(i % QUESTIONS.size()))
                .parameters(GenerationParameters.builder().maxNewTokens(maxNewTokens).build()).build();
    }

    protected static BatchingStats stats(ChatModel chat) {
        assertThat(chat).isInstanceOf(BatchedChatModel.class);
        return ((BatchedChatModel) chat).batchingStats();
    }

    /** Runs a request as a stream, checking that the chunks add up to the response. */
    protected static ChatResponse streamed(ChatModel chat, ChatRequest request) {
        StringBuilder text = new StringBuilder();
        List<Integer> ids = new ArrayList<>();
        try (ChatStream stream = chat.stream(request)) {
            for (ChatChunk chunk : stream) {
                text.append(chunk.text());
                ids.addAll(chunk.tokenIds());
            }
            ChatResponse response = stream.response();
            assertThat(text.toString()).isEqualTo(response.text());
            assertThat(ids).isEqualTo(response.tokenIds());
            return response;
        }
    }

    @Test
    void staggeredConcurrentCallsJoinTheRunningBatchAndAnswerAsAlone() throws Exception {
        List<ChatRequest> requests = new ArrayList<>();
        requests.add(request(0, 120));
        for (int i = 1; i < QUESTIONS.size(); i++) {
            requests.add(request(i, 8 + 3 * i));
        }
        ExecutorService pool = Executors.newFixedThreadPool(requests.size());
        try (ChatModel chat = createModel(BatchingOptions.defaults())) {
            List<ChatResponse> alone = new ArrayList<>();
            for (ChatRequest request : requests) {
                alone.add(chat.chat(request));
            }
            assertThat(stats(chat).peakBatchSize()).as("calls one after another run alone").isEqualTo(1);

            ChatStream first = chat.stream(requests.get(0));
            Iterator<ChatChunk> firstChunks = first.iterator();
            firstChunks.next(); // the first call is running before the others arrive
            List<Future<ChatResponse>> answers = new ArrayList<>();
            for (int i = 1; i < requests.size(); i++) {
                ChatRequest request = requests.get(i);
                boolean asStream = i % 2 == 1;
                answers.add(pool.submit(() -> asStream ? streamed(chat, request) : chat.chat(request)));
                Thread.sleep(10);
            }
            while (firstChunks.hasNext()) {
                firstChunks.next();
            }
            assertThat(first.response().tokenIds()).isEqualTo(alone.get(0).tokenIds());
            first.close();
            for (int i = 1; i < requests.size(); i++) {
                ChatResponse together = answers.get(i - 1).get();
                assertThat(together.tokenIds()).as("request %d", i).isEqualTo(alone.get(i).tokenIds());
                assertThat(together.text()).isEqualTo(alone.get(i).text());
                assertThat(together.finishReason()).isEqualTo(alone.get(i).finishReason());
            }
            BatchingStats stats = stats(chat);
            assertThat(stats.peakBatchSize()).as("calls joined a running batch").isGreaterThan(1);
            assertThat(stats.requests()).isEqualTo(2L * requests.size());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void cancellingAStreamMidwayEndsItAndLeavesTheOthersAlone() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (ChatModel chat = createModel(BatchingOptions.defaults())) {
            ChatResponse aloneB = chat.chat(request(2, 30));
            ChatResponse aloneC = chat.chat(request(6, 30));
            ChatStream endless = chat.stream(request(1, 1500));
            Iterator<ChatChunk> chunks = endless.iterator();
            chunks.next();
            Future<ChatResponse> b = pool.submit(() -> chat.chat(request(2, 30)));
            Future<ChatResponse> c = pool.submit(() -> streamed(chat, request(6, 30)));
            while (stats(chat).peakBatchSize() < 2) {
                Thread.sleep(1);
            }
            endless.close();
            ChatResponse cancelled = endless.response();
            assertThat(cancelled.finishReason()).isEqualTo(FinishReason.CANCELLED);
            assertThat(cancelled.usage().completionTokens()).isLessThan(1500);
            assertThat(b.get().tokenIds()).isEqualTo(aloneB.tokenIds());
            assertThat(c.get().tokenIds()).isEqualTo(aloneC.tokenIds());
            ChatResponse prefix = chat.chat(request(1, cancelled.tokenIds().size()));
            assertThat(cancelled.tokenIds()).as("what it said before it was cancelled").isEqualTo(prefix.tokenIds());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aCancelledStreamFreesTheOnlyRowForTheNextCall() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (ChatModel chat = createModel(BatchingOptions.oneAtATime())) {
            ChatStream endless = chat.stream(request(3, 1500));
            endless.iterator().next();
            Future<ChatResponse> waiting = pool.submit(() -> chat.chat(request(4, 6)));
            Thread.sleep(50);
            assertThat(waiting.isDone()).as("waits while the stream holds the only row").isFalse();
            endless.cancel();
            assertThat(waiting.get().usage().completionTokens()).isBetween(1, 6);
            assertThat(endless.response().finishReason()).isEqualTo(FinishReason.CANCELLED);
            assertThat(endless.response().usage().completionTokens()).isLessThan(1500);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void oneAtATimeNeverBatches() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try (ChatModel chat = createModel(BatchingOptions.oneAtATime())) {
            List<Future<ChatResponse>> answers = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                ChatRequest request = request(i, 12);
                answers.add(pool.submit(() -> chat.chat(request)));
            }
            for (int i = 0; i < 4; i++) {
                assertThat(answers.get(i).get().tokenIds()).isEqualTo(chat.chat(request(i, 12)).tokenIds());
            }
            assertThat(stats(chat).peakBatchSize()).isEqualTo(1);
            assertThat(stats(chat).rowSteps()).isEqualTo(stats(chat).decodeSteps());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void chatBatchIsDecodedTogetherAndAnswersAsAlone() {
        try (ChatModel chat = createModel(BatchingOptions.defaults())) {
            List<ChatRequest> requests = new ArrayList<>();
            for (int i = 0; i < QUESTIONS.size(); i++) {
                requests.add(request(i, 10));
            }
            List<ChatResponse> batch = chat.chatBatch(requests);
            assertThat(stats(chat).peakBatchSize()).isEqualTo(requests.size());
            assertThat(stats(chat).joins()).as("requests submitted together are prefilled in one pass").isEqualTo(1);
            for (int i = 0; i < requests.size(); i++) {
                assertThat(batch.get(i).tokenIds()).as("request %d", i).isEqualTo(chat.chat(requests.get(i)).tokenIds());
            }
        }
    }

    @Test
    void closeLetsTheCallsInFlightFinish() {
        ChatModel chat = createModel(new BatchingOptions(3));
        List<ChatResponse> alone = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            alone.add(chat.chat(request(i, 16)));
        }
        List<ChatStream> streams = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            streams.add(chat.stream(request(i, 16)));
        }
        chat.close();
        for (int i = 0; i < 5; i++) {
            assertThat(streams.get(i).isDone()).isTrue();
            assertThat(streams.get(i).response().finishReason()).isIn(FinishReason.STOP, FinishReason.LENGTH);
            assertThat(streams.get(i).response().tokenIds()).isEqualTo(alone.get(i).tokenIds());
        }
        assertThatThrownBy(() -> chat.chat(request(0, 4)))
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CLOSED));
        assertThatThrownBy(() -> chat.stream(request(0, 4)))
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CLOSED));
        chat.close();
    }
}
