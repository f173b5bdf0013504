package io.kefu.runtime.generate;

import static io.kefu.runtime.generate.IncrementalDetokenizerTest.tokens;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.BatchingOptions;
import io.kefu.chat.ChatChunk;
import io.kefu.chat.ChatResponse;
import io.kefu.chat.ChatStream;
import io.kefu.chat.FinishReason;
import io.kefu.chat.GenerationParameters;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The continuous batcher over a scripted decoder whose rows depend on their own history only. */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ContinuousBatcherTest {
    static final Map<Integer, int[]> SCRIPTS = new HashMap<>(GenerationLoopTest.SCRIPTS);

    static {
        SCRIPTS.put(4, tokens("尺码表在商品页下方，请对照您的胸围选择。"));
        SCRIPTS.put(5, tokens("We ship within 48 hours 🚚 and returns are free."));
        SCRIPTS.put(6, tokens("优惠券满200减20，今天有效"));
        int[] endless = new int[10_000];
        Arrays.fill(endless, 'z');
        SCRIPTS.put(9, endless);
    }

    final GenerationLoop loop = new GenerationLoopTest().loop;
    final List<ScriptedJoinableDecoder> decoders = new CopyOnWriteArrayList<>();

    ContinuousBatcher.Lane lane(long stepDelayMillis) {
        return lane(stepDelayMillis, ScriptedJoinableDecoder.NO_FAILURE, ScriptedJoinableDecoder.NO_FAILURE);
    }

    ContinuousBatcher.Lane lane(long stepDelayMillis, int failOnFedToken, int failJoinOfFirstToken) {
        return () -> {
            ScriptedJoinableDecoder decoder = new ScriptedJoinableDecoder(SCRIPTS, stepDelayMillis, failOnFedToken, failJoinOfFirstToken);
            decoders.add(decoder);
            return decoder;
        };
    }

    ContinuousBatcher batcher(int maxBatchSize) {
        return new ContinuousBatcher(loop, new BatchingOptions(maxBatchSize), ScriptedDecoder.VOCAB, 4096, "scripted model");
    }

    /** Six prompts of different lengths and different parameters, each answered by its own script. */
    static List<ContinuousBatcher.Job> jobs(ContinuousBatcher.Lane lane) {
        GenerationParameters greedy = GenerationParameters.greedy();
        return List.of(
                new ContinuousBatcher.Job(lane, new int[] {1, 40, 41}, greedy),
                new ContinuousBatcher.Job(lane, new int[] {2}, GenerationParameters.builder().logprobs(true).build()),
                new ContinuousBatcher.Job(lane, new int[] {3, 7, 7, 7, 7, 7, 7, 7}, greedy),
                new ContinuousBatcher.Job(lane, new int[] {4, 50, 51, 52, 53},
                        GenerationParameters.builder().temperature(1.3).topK(3).seed(99).logprobs(true).build()),
                new ContinuousBatcher.Job(lane, new int[] {5, 60}, GenerationParameters.builder().stopSequences(List.of("returns")).build()),
                new ContinuousBatcher.Job(lane, new int[] {6, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11},
                        GenerationParameters.builder().maxNewTokens(7).repetitionPenalty(1.5).temperature(0.8).seed(3).build()));
    }

    @Test
    void staggeredRequestsJoinTheRunningBatchAndAnswerAsTheyWouldAlone() throws Exception {
        ContinuousBatcher.Lane lane = lane(3);
        List<ContinuousBatcher.Job> jobs = jobs(lane);
        List<CompletableFuture<ChatResponse>> answers = new ArrayList<>();
        try (ContinuousBatcher batcher = batcher(16)) {
            for (ContinuousBatcher.Job job : jobs) {
                answers.add(CompletableFuture.supplyAsync(() -> batcher.generate(job)));
                Thread.sleep(7);
            }
            for (int i = 0; i < jobs.size(); i++) {
                ChatResponse batched = answers.get(i).join();
                ChatResponse alone = loop.generate(new ScriptedDecoder(SCRIPTS), jobs.get(i).promptIds(), jobs.get(i).parameters());
                assertThat(batched.tokenIds()).as("request %d", i).isEqualTo(alone.tokenIds());
                assertThat(batched.text()).isEqualTo(alone.text());
                assertThat(batched.finishReason()).isEqualTo(alone.finishReason());
                assertThat(batched.logprobs()).isEqualTo(alone.logprobs());
                assertThat(batched.usage()).isEqualTo(alone.usage());
            }
            assertThat(answers.get(4).join().text()).isEqualTo("We ship within 48 hours 🚚 and ");
            BatchingStats stats = batcher.stats();
            assertThat(stats.peakBatchSize()).isGreaterThan(1);
            assertThat(stats.requests()).isEqualTo(6);
            assertThat(stats.meanBatchSize()).isGreaterThan(1);
            List<int[]> joins = decoders.stream().flatMap(d -> d.joins.stream()).toList();
            assertThat(joins).as("some request joined a batch already running").anyMatch(join -> join[0] > 0);
        }
        assertThat(decoders).allMatch(d -> d.closed);
    }

    @Test
    void cancellingAStreamFreesItsRowAtTheNextBoundaryAndLeavesTheOthersAlone() {
        ContinuousBatcher.Lane lane = lane(2);
        try (ContinuousBatcher batcher = batcher(16)) {
            ChatStream endless = batcher.stream(new ContinuousBatcher.Job(lane, new int[] {9}, GenerationParameters.builder().maxNewTokens(10_000).build()));
            Iterator<ChatChunk> chunks = endless.iterator();
            assertThat(chunks.next().text()).isEqualTo("z");
            ContinuousBatcher.Job other = jobs(lane).get(0);
            CompletableFuture<ChatResponse> answer = CompletableFuture.supplyAsync(() -> batcher.generate(other));
            while (decoders.get(0).stepSizes.stream().noneMatch(rows -> rows == 2)) {
                Thread.onSpinWait();
            }
            endless.close();
            ChatResponse cancelled = endless.response();
            assertThat(cancelled.finishReason()).isEqualTo(FinishReason.CANCELLED);
            assertThat(cancelled.text()).matches("z+");
            int stepsWhenCancelled = decoders.get(0).stepSizes.size();
            assertThat(answer.join().tokenIds()).isEqualTo(loop.generate(new ScriptedDecoder(SCRIPTS), other.promptIds(), other.parameters()).tokenIds());
            List<Integer> after = decoders.get(0).stepSizes.subList(stepsWhenCancelled, decoders.get(0).stepSizes.size());
            assertThat(after).as("the cancelled row is gone from the steps after it").isNotEmpty().allMatch(rows -> rows == 1);
        }
    }

    @Test
    void aRequestCancelledWhileWaitingEndsWithoutWaitingForARow() {
        ContinuousBatcher.Lane lane = lane(2);
        try (ContinuousBatcher batcher = batcher(1)) {
            ChatStream running = batcher.stream(new ContinuousBatcher.Job(lane, new int[] {9}, GenerationParameters.builder().maxNewTokens(10_000).build()));
            running.iterator().next();
            ChatStream queued = batcher.stream(jobs(lane).get(0));
            queued.close();
            assertThat(queued.response().finishReason()).isEqualTo(FinishReason.CANCELLED);
            assertThat(queued.response().usage().completionTokens()).isZero();
            assertThat(running.isDone()).as("the running request holds the only row all along").isFalse();
            running.close();
            assertThat(decoders).hasSize(1);
            assertThat(decoders.get(0).joins).hasSize(1);
        }
    }

    @Test
    void oneAtATimeNeverBatches() throws Exception {
        ContinuousBatcher.Lane lane = lane(1);
        List<ContinuousBatcher.Job> jobs = jobs(lane);
        List<CompletableFuture<ChatResponse>> answers = new ArrayList<>();
        try (ContinuousBatcher batcher = batcher(1)) {
            for (ContinuousBatcher.Job job : jobs) {
                answers.add(CompletableFuture.supplyAsync(() -> batcher.generate(job)));
            }
            for (int i = 0; i < jobs.size(); i++) {
                ChatResponse alone = loop.generate(new ScriptedDecoder(SCRIPTS), jobs.get(i).promptIds(), jobs.get(i).parameters());
                assertThat(answers.get(i).join().tokenIds()).isEqualTo(alone.tokenIds());
            }
            assertThat(batcher.stats().peakBatchSize()).isEqualTo(1);
        }
        assertThat(decoders).allSatisfy(d -> {
            assertThat(d.stepSizes).containsOnly(1);
            assertThat(d.joins).allMatch(join -> join[0] == 0 && join[1] == 1);
        });
    }

    @Test
    void closeLetsAcceptedRequestsFinishThenRefusesNewOnes() {
        ContinuousBatcher.Lane lane = lane(2);
        List<ContinuousBatcher.Job> jobs = jobs(lane);
        ContinuousBatcher batcher = batcher(2);
        List<ChatStream> streams = new ArrayList<>();
        for (ContinuousBatcher.Job job : jobs) {
            streams.add(batcher.stream(job));
        }
        batcher.close();
        for (int i = 0; i < jobs.size(); i++) {
            assertThat(streams.get(i).isDone()).as("finished before close returned").isTrue();
            assertThat(streams.get(i).response().finishReason()).isNotEqualTo(FinishReason.CANCELLED).isNotEqualTo(FinishReason.ERROR);
            ChatResponse alone = loop.generate(new ScriptedDecoder(SCRIPTS), jobs.get(i).promptIds(), jobs.get(i).parameters());
            assertThat(streams.get(i).response().tokenIds()).isEqualTo(alone.tokenIds());
        }
        assertThatThrownBy(() -> batcher.generate(jobs.get(0)))
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CLOSED));
        batcher.close();
        assertThat(decoders).allMatch(d -> d.closed);
    }

    @Test
    void engineFailureFailsOnlyTheRowsOfThatBatchAndTheWorkerGoesOn() {
        // the decoder fails when it is fed 'S' (in ANSWER_A: "S码"), so every row stepped with it fails
        ContinuousBatcher.Lane failing = lane(0, 'S', ScriptedJoinableDecoder.NO_FAILURE);
        ContinuousBatcher.Lane healthy = lane(0);
        try (ContinuousBatcher batcher = batcher(16)) {
            ContinuousBatcher.Job doomed = new ContinuousBatcher.Job(failing, new int[] {1}, GenerationParameters.greedy());
            ContinuousBatcher.Job fine = new ContinuousBatcher.Job(healthy, new int[] {3}, GenerationParameters.greedy());
            ChatStream stream = batcher.stream(doomed);
            ChatResponse other = batcher.generate(fine);
            assertThat(other.text()).isEqualTo(GenerationLoopTest.ANSWER_C);
            StringBuilder text = new StringBuilder();
            assertThatThrownBy(() -> stream.forEach(c -> text.append(c.text())))
                    .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.ENGINE_FAILURE))
                    .hasMessageContaining("scripted failure");
            assertThat(stream.response().finishReason()).isEqualTo(FinishReason.ERROR);
            assertThat(stream.response().text()).isEqualTo("您好！连衣裙A有S").isEqualTo(text.toString());
            assertThatThrownBy(() -> batcher.generate(doomed)).isInstanceOfSatisfying(KefuException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.ENGINE_FAILURE));
            // the worker is alive and the failing lane gets a fresh decoder for the next request
            assertThat(batcher.generate(new ContinuousBatcher.Job(failing, new int[] {2}, GenerationParameters.greedy())).text())
                    .isEqualTo(GenerationLoopTest.ANSWER_B);
        }
    }

    @Test
    void aFailedJoinFailsOnlyTheJoiningRows() throws Exception {
        ContinuousBatcher.Lane lane = lane(2, ScriptedJoinableDecoder.NO_FAILURE, 6);
        try (ContinuousBatcher batcher = batcher(16)) {
            ChatStream running = batcher.stream(jobs(lane).get(4));
            Iterator<ChatChunk> chunks = running.iterator();
            chunks.next(); // running before the bad request arrives
            assertThatThrownBy(() -> batcher.generate(jobs(lane).get(5)))
                    .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.ENGINE_FAILURE))
                    .hasMessageContaining("scripted join failure");
            assertThat(running.response().text()).isEqualTo("We ship within 48 hours 🚚 and ");
            assertThat(decoders).hasSize(1);
        }
    }

    @Test
    void lanesNeverShareAForwardPassAndTakeTurns() {
        ContinuousBatcher.Lane first = lane(1);
        ContinuousBatcher.Lane second = lane(1);
        try (ContinuousBatcher batcher = batcher(16)) {
            List<ContinuousBatcher.Job> jobs = new ArrayList<>();
            for (ContinuousBatcher.Job job : jobs(first)) {
                jobs.add(new ContinuousBatcher.Job(jobs.size() % 2 == 0 ? first : second, job.promptIds(), job.parameters()));
            }
            List<ChatResponse> answers = batcher.generateAll(jobs);
            for (int i = 0; i < jobs.size(); i++) {
                ChatResponse alone = loop.generate(new ScriptedDecoder(SCRIPTS), jobs.get(i).promptIds(), jobs.get(i).parameters());
                assertThat(answers.get(i).tokenIds()).isEqualTo(alone.tokenIds());
            }
        }
        assertThat(decoders).hasSize(2);
        assertThat(decoders).allSatisfy(d -> assertThat(d.joins.get(0)[1]).as("three rows of a lane join together").isEqualTo(3));
    }

    @Test
    void badPromptsAreRefusedAtOnce() {
        try (ContinuousBatcher batcher = batcher(4)) {
            assertThatThrownBy(() -> batcher.generate(new ContinuousBatcher.Job(lane(0), new int[] {}, GenerationParameters.greedy())))
                    .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST))
                    .hasMessageContaining("no tokens");
            assertThatThrownBy(() -> batcher.stream(new ContinuousBatcher.Job(lane(0), new int[] {1, 999}, GenerationParameters.greedy())))
                    .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST))
                    .hasMessageContaining("token id 999");
            assertThatThrownBy(() -> batcher.generate(new ContinuousBatcher.Job(lane(0), new int[5000], GenerationParameters.greedy())))
                    .hasMessageContaining("at most 4096 positions");
        }
        assertThat(decoders).isEmpty();
    }
}
