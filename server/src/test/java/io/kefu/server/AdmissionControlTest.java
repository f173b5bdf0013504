package io.kefu.server;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatChunk;
import io.kefu.chat.ChatModel;
import io.kefu.chat.ChatRequest;
import io.kefu.chat.ChatResponse;
import io.kefu.chat.ChatStream;
import io.kefu.shop.rules.RulesChatModel;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Admission control over the rules baseline held at a gate: how many calls run at once, who waits, who is refused. */
class AdmissionControlTest {
    static void await(BooleanSupplier condition) throws InterruptedException {
        long until = System.currentTimeMillis() + 30_000;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > until) {
                throw new AssertionError("condition not reached in 30 s");
            }
            Thread.sleep(5);
        }
    }

    static ErrorCode codeOf(Runnable call) {
        try {
            call.run();
            return null;
        } catch (KefuException e) {
            return e.code();
        }
    }

    @Test
    void upToTheBatchSizeRunConcurrentlyTheRestWaitInOrderAndEachGetsItsOwnAnswer() throws Exception {
        GatedModel gated = new GatedModel(new RulesChatModel());
        try (AdmissionControl admission = new AdmissionControl(16, 3, Duration.ofSeconds(30))) {
            ChatModel model = admission.admit(gated);
            List<String> questions = List.of("我要投诉", "帮我转人工", "发货快吗?", "能开发票吗?", "我要投诉", "帮我转人工");
            List<CompletableFuture<ChatResponse>> answers = new ArrayList<>();
            for (String q : questions) {
                answers.add(CompletableFuture.supplyAsync(() -> model.chat(ChatRequest.of(q))));
            }
            await(() -> gated.entered.get() == 3 && admission.depth() == 3);
            Thread.sleep(100);
            assertThat(gated.entered.get()).as("calls inside the model").isEqualTo(3);
            assertThat(admission.running()).isEqualTo(3);
            gated.gate.countDown();
            RulesChatModel rules = new RulesChatModel();
            for (int i = 0; i < questions.size(); i++) {
                assertThat(answers.get(i).get(30, TimeUnit.SECONDS).text()).isEqualTo(rules.chat(ChatRequest.of(questions.get(i))).text());
            }
            assertThat(admission.running()).isZero();
            assertThat(admission.depth()).isZero();
        }
    }

    @Test
    void aStreamHoldsItsPlaceUntilItIsClosed() throws Exception {
        try (AdmissionControl admission = new AdmissionControl(4, 1, Duration.ofMillis(300))) {
            ChatModel model = admission.admit(new RulesChatModel());
            ChatStream first = model.stream(ChatRequest.of("发货快吗?"));
            assertThat(admission.running()).isEqualTo(1);
            assertThat(codeOf(() -> model.chat(ChatRequest.of("能开发票吗?")))).as("no place while the stream is open").isEqualTo(ErrorCode.TIMEOUT);
            ChatStream other = admission.admit(new RulesChatModel()).stream(ChatRequest.of("x"));
            assertThat(admission.running()).as("another model has places of its own").isEqualTo(2);
            other.close();
            assertThat(admission.running()).isEqualTo(1);
            StringBuilder text = new StringBuilder();
            for (ChatChunk chunk : first) {
                text.append(chunk.text());
            }
            assertThat(text.toString()).isEqualTo(new RulesChatModel().chat(ChatRequest.of("发货快吗?")).text());
            assertThat(first.response().text()).isEqualTo(text.toString());
            assertThat(admission.running()).as("until closed").isEqualTo(1);
            first.close();
            assertThat(admission.running()).isZero();
            first.close();
            assertThat(admission.running()).as("closing again gives nothing back twice").isZero();
        }
    }

    @Test
    void aFullQueueRefusesAtOnceAWaitHasALimitAndShutdownDrains() throws Exception {
        GatedModel gated = new GatedModel(new RulesChatModel());
        try (AdmissionControl admission = new AdmissionControl(1, 1, Duration.ofMillis(400))) {
            ChatModel model = admission.admit(gated);
            CompletableFuture<ErrorCode> running = CompletableFuture.supplyAsync(() -> codeOf(() -> model.chat(ChatRequest.of("a"))));
            await(() -> gated.entered.get() == 1);
            CompletableFuture<ErrorCode> waiting = CompletableFuture.supplyAsync(() -> codeOf(() -> model.chat(ChatRequest.of("b"))));
            await(() -> admission.depth() == 1);
            assertThat(codeOf(() -> model.chat(ChatRequest.of("c")))).isEqualTo(ErrorCode.RESOURCE_EXHAUSTED);
            assertThat(codeOf(() -> model.stream(ChatRequest.of("c")))).isEqualTo(ErrorCode.RESOURCE_EXHAUSTED);
            assertThat(waiting.get(5, TimeUnit.SECONDS)).as("waited past the timeout").isEqualTo(ErrorCode.TIMEOUT);
            assertThat(running.get(5, TimeUnit.SECONDS)).as("generated past the timeout").isEqualTo(ErrorCode.TIMEOUT);
            // the timed-out generation was cancelled (its thread interrupted) and gave its place back
            await(() -> admission.running() == 0);

            // a stream in flight (held at the gate) keeps the drain waiting until it is closed
            int entered = gated.entered.get();
            CompletableFuture<ChatStream> held = CompletableFuture.supplyAsync(() -> model.stream(ChatRequest.of("e")));
            await(() -> gated.entered.get() == entered + 1 && admission.running() == 1);
            CompletableFuture<Boolean> drained = CompletableFuture.supplyAsync(() -> admission.drain(Duration.ofSeconds(10)));
            Thread.sleep(100);
            assertThat(drained).isNotDone();
            assertThat(codeOf(() -> model.chat(ChatRequest.of("d")))).isEqualTo(ErrorCode.CLOSED);
            gated.gate.countDown();
            held.get(10, TimeUnit.SECONDS).close();
            assertThat(drained.get(10, TimeUnit.SECONDS)).isTrue();
            assertThat(admission.running()).isZero();
        }
    }

    @Test
    void aCallThatTimesOutBeforeItsGenerationStartedStillGivesItsPlaceBack() throws Exception {
        // a 1 ms timeout: many callers give up before the pool thread has even started their generation
        try (AdmissionControl admission = new AdmissionControl(64, 1, Duration.ofMillis(1))) {
            ChatModel model = admission.admit(new RulesChatModel());
            for (int i = 0; i < 300; i++) {
                assertThat(codeOf(() -> model.chat(ChatRequest.of("发货快吗?")))).isIn(null, ErrorCode.TIMEOUT);
            }
            await(() -> admission.running() == 0);
        }
    }

    @Test
    void aRetiredModelFinishesItsCallsThenRunsTheActionAndRefusesNewOnes() throws Exception {
        GatedModel gated = new GatedModel(new RulesChatModel());
        AtomicInteger closed = new AtomicInteger();
        try (AdmissionControl admission = new AdmissionControl(8, 1, Duration.ofSeconds(30))) {
            AdmissionControl.Admitted model = admission.admit(gated);
            assertThat(admission.admit(gated)).as("one limit per model").isSameAs(model);
            CompletableFuture<ChatResponse> inFlight = CompletableFuture.supplyAsync(() -> model.chat(ChatRequest.of("我要投诉")));
            await(() -> gated.entered.get() == 1);
            CompletableFuture<ChatResponse> queued = CompletableFuture.supplyAsync(() -> model.chat(ChatRequest.of("帮我转人工")));
            await(() -> admission.depth() == 1);
            model.retire(closed::incrementAndGet);
            assertThat(codeOf(() -> model.chat(ChatRequest.of("x")))).isEqualTo(ErrorCode.NOT_FOUND);
            assertThat(closed.get()).as("not while calls remain").isZero();
            gated.gate.countDown();
            assertThat(inFlight.get(30, TimeUnit.SECONDS).text()).contains("抱歉");
            assertThat(queued.get(30, TimeUnit.SECONDS).text()).isEqualTo("您好,马上为您转接人工客服,请稍等。");
            await(() -> closed.get() == 1);
            assertThat(admission.admit(gated)).as("a retired view is not handed out again").isNotSameAs(model);

            AtomicInteger idleNow = new AtomicInteger();
            AdmissionControl.Admitted other = admission.admit(new RulesChatModel());
            other.retire(idleNow::incrementAndGet);
            assertThat(idleNow.get()).as("runs at once when nothing is in flight").isEqualTo(1);
        }
        assertThat(closed.get()).isEqualTo(1);
    }
}
