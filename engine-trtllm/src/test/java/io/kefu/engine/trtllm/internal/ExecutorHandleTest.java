package io.kefu.engine.trtllm.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The executor handle through real JNA calls into the C test double. */
@Timeout(60)
class ExecutorHandleTest {
    private static final TrtllmNative LIB = TestDouble.library();

    @TempDir
    Path tmp;

    /** Collects responses until every request has its final one, or fails after 20 s. */
    private static Map<Long, List<NativeResponse>> collect(ExecutorHandle executor, int requests) {
        Map<Long, List<NativeResponse>> byId = new HashMap<>();
        int finals = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (finals < requests) {
            assertThat(System.nanoTime()).as("all final responses within 20 s").isLessThan(deadline);
            for (NativeResponse r : executor.await(50)) {
                byId.computeIfAbsent(r.requestId(), k -> new ArrayList<>()).add(r);
                if (r.isFinal()) {
                    finals++;
                }
            }
        }
        return byId;
    }

    private static Thread start(Runnable r) {
        Thread t = new Thread(r);
        t.start();
        return t;
    }

    private static int[] tokens(List<NativeResponse> responses) {
        return responses.stream().flatMapToInt(r -> java.util.Arrays.stream(r.tokens())).toArray();
    }

    @Test
    void streamsTokensInOrderOneResponseEach() {
        try (ExecutorHandle executor = ExecutorHandle.create(LIB, TestDouble.engineDir(tmp, "e", 100), TestDouble.settings(4, 8))) {
            long id = executor.enqueue(RequestSpec.greedy(new int[] {5, 6, 7}, 7));
            List<NativeResponse> responses = collect(executor, 1).get(id);
            assertThat(responses).hasSize(7);
            assertThat(tokens(responses)).containsExactly(5, 6, 7, 5, 6, 7, 5);
            assertThat(responses.subList(0, 6)).allSatisfy(r -> assertThat(r.isFinal()).isFalse());
            NativeResponse last = responses.get(6);
            assertThat(last.isFinal()).isTrue();
            assertThat(last.finish()).isEqualTo(FinishKind.LENGTH);
        }
    }

    @Test
    void nonStreamingGivesOneFinalResponseAndStopsAtEndIdAndStopSequence() {
        try (ExecutorHandle executor = ExecutorHandle.create(LIB, TestDouble.engineDir(tmp, "e", 50), TestDouble.settings(4, 8))) {
            long endId = executor.enqueue(RequestSpec.greedy(new int[] {1, 2, 3, 9, 4}, 50).withStreaming(false).withEndIds(9));
            long stop = executor.enqueue(RequestSpec.greedy(new int[] {1, 2, 3, 4}, 50).withStops(List.of(new int[] {2, 3})));
            Map<Long, List<NativeResponse>> got = collect(executor, 2);
            assertThat(got.get(endId)).singleElement().satisfies(r -> {
                assertThat(r.tokens()).containsExactly(1, 2, 3);
                assertThat(r.finish()).isEqualTo(FinishKind.END_ID);
            });
            assertThat(tokens(got.get(stop))).containsExactly(1, 2, 3);
            assertThat(got.get(stop).get(got.get(stop).size() - 1).finish()).isEqualTo(FinishKind.STOP_WORDS);
        }
    }

    @Test
    void manyConcurrentRequestsEachGetTheirOwnTokens() throws Exception {
        try (ExecutorHandle executor = ExecutorHandle.create(LIB, TestDouble.engineDir(tmp, "e", 20), TestDouble.settings(8, 0))) {
            int n = 64;
            Map<Long, Integer> seedOf = new java.util.concurrent.ConcurrentHashMap<>();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int base = t * (n / 4);
                threads.add(start(() -> {
                    for (int i = base; i < base + n / 4; i++) {
                        seedOf.put(executor.enqueue(RequestSpec.greedy(new int[] {i, i + 1000}, 5)), i);
                    }
                }));
            }
            for (Thread t : threads) {
                t.join();
            }
            Map<Long, List<NativeResponse>> got = collect(executor, n);
            assertThat(got).hasSize(n);
            got.forEach((id, responses) -> {
                int i = seedOf.get(id);
                assertThat(tokens(responses)).as("request %d", id).containsExactly(i, i + 1000, i, i + 1000, i);
            });
        }
    }

    @Test
    void cancelEndsARunningRequestWithCancelled() {
        try (ExecutorHandle executor = ExecutorHandle.create(LIB, TestDouble.engineDir(tmp, "e", 2000), TestDouble.settings(1, 8))) {
            long running = executor.enqueue(RequestSpec.greedy(new int[] {1}, 10_000));
            long waiting = executor.enqueue(RequestSpec.greedy(new int[] {2}, 10_000));
            executor.cancel(running);
            executor.cancel(waiting);
            executor.cancel(987_654L);
            Map<Long, List<NativeResponse>> got = collect(executor, 2);
            for (long id : new long[] {running, waiting}) {
                List<NativeResponse> rs = got.get(id);
                assertThat(rs.get(rs.size() - 1).finish()).isEqualTo(FinishKind.CANCELLED);
                assertThat(tokens(rs).length).isLessThan(100);
            }
        }
    }

    @Test
    void awaitReturnsNothingWhenItTimesOut() {
        try (ExecutorHandle executor = ExecutorHandle.create(LIB, TestDouble.engineDir(tmp, "e", 100), TestDouble.settings(1, 8))) {
            long start = System.nanoTime();
            assertThat(executor.await(120)).isEmpty();
            assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
            assertThat(executor.await(0)).isEmpty();
        }
    }

    @Test
    void errorsMapToCodesWithTheLibrarysMessage() throws Exception {
        assertThatThrownBy(() -> ExecutorHandle.create(LIB, tmp.resolve("missing"), TestDouble.settings(1, 1)))
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND))
                .hasMessageContaining("missing").hasMessageContaining("does not exist");
        Path broken = TestDouble.engineDir(tmp, "broken", 10);
        Files.writeString(broken.resolve("kefu-double-fail"), "");
        assertThatThrownBy(() -> ExecutorHandle.create(LIB, broken, TestDouble.settings(1, 1)))
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CHECKPOINT))
                .hasMessageContaining("rank0.engine");
        assertThatThrownBy(() -> ExecutorHandle.create(LIB, tmp, new ExecutorSettings(-1, 0, 0, 0.9f, 0, false, 0)))
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
                .hasMessageContaining("max_batch_size=-1");

        try (ExecutorHandle executor = ExecutorHandle.create(LIB, TestDouble.engineDir(tmp, "e", 5000), TestDouble.settings(1, 1))) {
            assertThatThrownBy(() -> executor.enqueue(RequestSpec.greedy(new int[] {4, -3}, 5)))
                    .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
                    .hasMessageContaining("prompt_tokens[1]=-3");
            executor.enqueue(RequestSpec.greedy(new int[] {1}, 1000));
            executor.enqueue(RequestSpec.greedy(new int[] {2}, 1000));
            assertThatThrownBy(() -> executor.enqueue(RequestSpec.greedy(new int[] {3}, 1000)))
                    .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.RESOURCE_EXHAUSTED))
                    .hasMessageContaining("max_queue_size=1");
        }
    }

    @Test
    void aLoraTaskThatIsNotCachedFailsThroughItsResponseNotAtEnqueue() {
        try (ExecutorHandle executor = ExecutorHandle.create(LIB, TestDouble.engineDir(tmp, "e", 50), TestDouble.settings(2, 2))) {
            long id = executor.enqueue(RequestSpec.greedy(new int[] {4, 5}, 5).withLora(7, null));
            List<NativeResponse> rs = collect(executor, 1).get(id);
            NativeResponse last = rs.get(rs.size() - 1);
            assertThat(last.isFinal()).isTrue();
            assertThat(last.error()).isEqualTo(Status.NOT_FOUND);
            assertThat(last.finish()).isEqualTo(FinishKind.ERROR);
            assertThat(last.errorMessage()).contains("PeftTaskNotCachedException").contains("LoRA task 7 not found in cache");
            assertThat(tokens(rs)).isEmpty();
        }
    }

    @Test
    void aFailingRequestReportsTheEngineErrorInItsFinalResponse() {
        try (ExecutorHandle executor = ExecutorHandle.create(LIB, TestDouble.engineDir(tmp, "e", 50), TestDouble.settings(2, 2))) {
            long id = executor.enqueue(RequestSpec.greedy(new int[] {1, TestDouble.FAIL_TOKEN}, 10));
            List<NativeResponse> rs = collect(executor, 1).get(id);
            NativeResponse last = rs.get(rs.size() - 1);
            assertThat(last.error()).isEqualTo(Status.ENGINE_FAILURE);
            assertThat(last.finish()).isEqualTo(FinishKind.ERROR);
            assertThat(last.errorMessage()).contains("injected engine failure");
            assertThat(tokens(rs)).containsExactly(1, TestDouble.FAIL_TOKEN);
        }
    }

    @Test
    void shutdownDrainsRequestsInFlightAndRefusesNewOnes() throws Exception {
        try (ExecutorHandle executor = ExecutorHandle.create(LIB, TestDouble.engineDir(tmp, "e", 200), TestDouble.settings(2, 8))) {
            List<Long> ids = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                ids.add(executor.enqueue(RequestSpec.greedy(new int[] {i}, 20)));
            }
            Map<Long, List<NativeResponse>> got = new java.util.concurrent.ConcurrentHashMap<>();
            Thread poller = start(() -> got.putAll(collect(executor, 5)));
            executor.shutdown(20_000);
            poller.join();
            assertThat(got.keySet()).containsExactlyInAnyOrderElementsOf(ids);
            got.values().forEach(rs -> {
                assertThat(tokens(rs)).hasSize(20);
                assertThat(rs.get(rs.size() - 1).finish()).isEqualTo(FinishKind.LENGTH);
            });
            assertThatThrownBy(() -> executor.enqueue(RequestSpec.greedy(new int[] {1}, 2)))
                    .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CLOSED));
            assertThat(executor.statsJson()).contains("\"numCompletedRequests\":5");
        }
    }

    @Test
    void shutdownWithoutAnAwaitingThreadTimesOutAndDestroyStillFreesEverything() {
        ExecutorHandle executor = ExecutorHandle.create(LIB, TestDouble.engineDir(tmp, "e", 1000), TestDouble.settings(2, 8));
        executor.enqueue(RequestSpec.greedy(new int[] {1}, 10_000));
        assertThatThrownBy(() -> executor.shutdown(50))
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.TIMEOUT))
                .hasMessageContaining("1 requests still in flight");
        executor.close();
        executor.close();
        assertThatThrownBy(() -> executor.await(1))
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CLOSED));
    }
}
