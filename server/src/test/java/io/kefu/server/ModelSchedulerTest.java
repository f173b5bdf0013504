package io.kefu.server;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatModel;
import io.kefu.chat.ChatRequest;
import io.kefu.chat.ChatResponse;
import io.kefu.chat.ChatStream;
import io.kefu.chat.ModelInfo;
import io.kefu.core.eval.baseline.RulesChatModel;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ModelSchedulerTest {
    /** The rules baseline, recording the size of every batch it is given. */
    static final class Recording implements ChatModel {
        final RulesChatModel rules = new RulesChatModel();
        final List<Integer> batches = new CopyOnWriteArrayList<>();

        @Override
        public ChatResponse chat(ChatRequest request) {
            batches.add(1);
            return rules.chat(request);
        }

        @Override
        public List<ChatResponse> chatBatch(List<ChatRequest> requests) {
            batches.add(requests.size());
            return requests.stream().map(rules::chat).toList();
        }

        @Override
        public ChatStream stream(ChatRequest request) {
            return rules.stream(request);
        }

        @Override
        public ModelInfo info() {
            return rules.info();
        }

        @Override
        public void close() {
        }
    }

    @Test
    void requestsWaitingBehindARunningOneAreDecodedTogetherAndEachGetsItsOwnAnswer() throws Exception {
        Recording recording = new Recording();
        GatedModel gated = new GatedModel(recording);
        try (ModelScheduler scheduler = new ModelScheduler(16, 8, Duration.ofSeconds(30))) {
            ChatModel model = scheduler.wrap(gated);
            List<CompletableFuture<ChatResponse>> answers = new ArrayList<>();
            answers.add(CompletableFuture.supplyAsync(() -> model.chat(ChatRequest.of("我要投诉"))));
            while (gated.entered.get() < 1) {
                Thread.sleep(5);
            }
            for (int i = 0; i < 5; i++) {
                answers.add(CompletableFuture.supplyAsync(() -> model.chat(ChatRequest.of("帮我转人工"))));
            }
            while (scheduler.depth() < 5) {
                Thread.sleep(5);
            }
            gated.gate.countDown();
            assertThat(answers.get(0).get(30, TimeUnit.SECONDS).text()).contains("抱歉");
            for (CompletableFuture<ChatResponse> a : answers.subList(1, 6)) {
                assertThat(a.get(30, TimeUnit.SECONDS).text()).isEqualTo("您好,马上为您转接人工客服,请稍等。");
            }
            assertThat(recording.batches).containsExactly(1, 5);
        }
    }

    @Test
    void aFullQueueRefusesAtOnceAndAWaitHasALimit() throws Exception {
        GatedModel gated = new GatedModel(new RulesChatModel());
        try (ModelScheduler scheduler = new ModelScheduler(1, 8, Duration.ofMillis(300))) {
            ChatModel model = scheduler.wrap(gated);
            CompletableFuture<ChatResponse> running = CompletableFuture.supplyAsync(() -> model.chat(ChatRequest.of("a")));
            while (gated.entered.get() < 1) {
                Thread.sleep(5);
            }
            CompletableFuture<Throwable> waiting = CompletableFuture.supplyAsync(() -> {
                try {
                    model.chat(ChatRequest.of("b"));
                    return null;
                } catch (KefuException e) {
                    return e;
                }
            });
            while (scheduler.depth() < 1) {
                Thread.sleep(5);
            }
            assertThatThrownBy(() -> model.chat(ChatRequest.of("c"))).isInstanceOf(KefuException.class)
                    .satisfies(e -> assertThat(((KefuException) e).code()).isEqualTo(ErrorCode.RESOURCE_EXHAUSTED));
            assertThat(((KefuException) waiting.get(5, TimeUnit.SECONDS)).code()).isEqualTo(ErrorCode.TIMEOUT);
            gated.gate.countDown();
            running.handle((r, e) -> null).get(5, TimeUnit.SECONDS);
            assertThat(scheduler.drain(Duration.ofSeconds(5))).isTrue();
            assertThatThrownBy(() -> model.chat(ChatRequest.of("d"))).satisfies(e -> assertThat(((KefuException) e).code()).isEqualTo(ErrorCode.CLOSED));
        }
    }
}
