package io.kefu.engine.djl;

import static org.assertj.core.api.Assertions.assertThat;

import io.kefu.chat.BatchingOptions;
import io.kefu.chat.ChatModel;
import io.kefu.chat.ChatRequest;
import io.kefu.chat.ChatResponse;
import io.kefu.model.BaseModel;
import io.kefu.model.Engine;
import io.kefu.model.Engines;
import io.kefu.model.ModelRef;
import io.kefu.testkit.ContinuousBatchingContract;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Continuous batching of a DJL chat model over a tiny Qwen 3 checkpoint with the real tokenizer. */
class DjlContinuousBatchingTest extends ContinuousBatchingContract {
    @TempDir
    static Path temp;
    static Engine djl;
    static BaseModel base;

    @BeforeAll
    static void load() {
        djl = Engines.get("djl");
        base = djl.load(ModelRef.of(TinyModels.qwen3(temp, "qwen3-batching", 5)));
    }

    @AfterAll
    static void close() {
        base.close();
    }

    @Override
    protected ChatModel createModel(BatchingOptions options) {
        return djl.chatModel(base, List.of(), options);
    }

    @Test
    void callsForDifferentAdaptersRunInTheirOwnBatches() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try (ChatModel chat = djl.chatModel(base, List.of(DjlEngineTest.randomAdapter(1), DjlEngineTest.randomAdapter(2)),
                BatchingOptions.defaults())) {
            List<ChatRequest> requests = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                requests.add(request(i, 14).toBuilder().adapter(i % 2 == 0 ? "adapter-1" : "adapter-2").build());
            }
            List<ChatResponse> alone = new ArrayList<>();
            for (ChatRequest request : requests) {
                alone.add(chat.chat(request));
            }
            List<Future<ChatResponse>> answers = new ArrayList<>();
            for (ChatRequest request : requests) {
                answers.add(pool.submit(() -> chat.chat(request)));
            }
            for (int i = 0; i < requests.size(); i++) {
                assertThat(answers.get(i).get().tokenIds()).as("request %d", i).isEqualTo(alone.get(i).tokenIds());
            }
            List<ChatResponse> mixed = chat.chatBatch(requests);
            for (int i = 0; i < requests.size(); i++) {
                assertThat(mixed.get(i).tokenIds()).as("batched request %d", i).isEqualTo(alone.get(i).tokenIds());
            }
            assertThat(stats(chat).peakBatchSize()).as("three calls per adapter together").isEqualTo(3);
            assertThat(alone.get(0).tokenIds())
                    .isNotEqualTo(chat.chat(requests.get(0).toBuilder().adapter("adapter-2").build()).tokenIds());
        } finally {
            pool.shutdownNow();
        }
    }
}
