package io.kefu.engine.djl;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.pytorch.jni.JniUtils;
import io.kefu.chat.ChatModel;
import io.kefu.chat.ChatRequest;
import io.kefu.chat.ChatResponse;
import io.kefu.chat.GenerationParameters;
import io.kefu.runtime.format.Checkpoint;
import io.kefu.runtime.format.PeftAdapter;
import io.kefu.data.Dataset;
import io.kefu.model.BaseModel;
import io.kefu.model.Engine;
import io.kefu.model.Engines;
import io.kefu.model.ModelRef;
import io.kefu.train.Adapter;
import io.kefu.train.LoraConfig;
import io.kefu.train.TrainingConfig;
import io.kefu.train.TrainingEvent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * libtorch keeps grad mode per thread, on by default; DJL switches it off only on the thread that
 * loads the engine. Training, resuming, generation and merging must not depend on which thread
 * runs them: each is run here on fresh threads (grad mode on) and compared with the same work on
 * the thread that loaded the engine.
 */
class DjlTrainerThreadsTest {
    @TempDir
    static Path temp;
    static Path modelDir;
    static Engine djl;
    static BaseModel base;

    @BeforeAll
    static void loadOnThisThread() {
        djl = Engines.get("djl");
        modelDir = TinyModels.qwen3(temp, "tiny", 11);
        base = djl.load(ModelRef.of(modelDir));
    }

    @AfterAll
    static void close() {
        base.close();
    }

    static TrainingConfig.Builder config() {
        return TrainingConfig.builder()
                .lora(LoraConfig.builder().rank(4).alpha(8).dropout(0.1).targets(LoraConfig.ALL_LINEAR).build())
                .epochs(2).batchSize(2).gradientAccumulation(1).learningRate(5e-3).weightDecay(0.01)
                .maxLength(512).seed(3);
    }

    static Dataset data() {
        return ShopData.shortestAnswers(4);
    }

    /** Runs {@code work} on a thread that has never touched libtorch, and checks it leaves that thread's grad mode as found. */
    static <T> T onFreshThread(Callable<T> work) throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<T> result = pool.submit(() -> {
                assertThat(JniUtils.isGradMode()).as("a fresh thread starts with libtorch's grad mode on").isTrue();
                T value = work.call();
                assertThat(JniUtils.isGradMode()).as("the thread's grad mode is restored").isTrue();
                return value;
            });
            return result.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void loraFitOnAnotherThreadEqualsTheFitOnTheLoadingThread() throws Exception {
        PeftAdapter here = (PeftAdapter) djl.trainer(config().build()).fit(base, data(), data(), event -> { });
        List<Double> losses = new ArrayList<>();
        PeftAdapter there = (PeftAdapter) onFreshThread(() -> djl.trainer(config().build()).fit(base, data(), data(), event -> {
            if (event instanceof TrainingEvent.Step s) {
                losses.add(s.loss());
            }
        }));
        assertThat(losses).hasSize(4).allSatisfy(loss -> assertThat(loss).isFinite());
        assertThat(there.tensorNames()).containsExactlyElementsOf(here.tensorNames());
        for (String name : here.tensorNames()) {
            assertThat(there.tensor(name).data()).as(name).containsExactly(here.tensor(name).data());
        }
    }

    @Test
    void aRunInterruptedOnOneThreadResumesOnAnother() throws Exception {
        PeftAdapter uninterrupted = (PeftAdapter) djl.trainer(config().build()).fit(base, data(), event -> { });
        TrainingConfig withCheckpoints = config().checkpointDir(temp.resolve("resume")).checkpointEverySteps(1).build();
        AtomicReference<RuntimeException> stop = new AtomicReference<>();
        onFreshThread(() -> {
            try {
                djl.trainer(withCheckpoints).fit(base, data(), event -> {
                    if (event instanceof TrainingEvent.Checkpoint c && c.step() == 1) {
                        throw new IllegalStateException("interrupted");
                    }
                });
            } catch (IllegalStateException e) {
                stop.set(e);
            }
            return null;
        });
        assertThat(stop.get()).hasMessage("interrupted");
        List<TrainingEvent> events = new ArrayList<>();
        PeftAdapter resumed = (PeftAdapter) onFreshThread(() -> djl.trainer(withCheckpoints).fit(base, data(), events::add));
        assertThat(((TrainingEvent.Started) events.get(0)).resumedFromStep()).isEqualTo(1);
        for (String name : uninterrupted.tensorNames()) {
            assertThat(resumed.tensor(name).data()).as(name).containsExactly(uninterrupted.tensor(name).data());
        }
    }

    @Test
    void fullFineTuneRunsOnAnotherThread() throws Exception {
        try (BaseModel own = djl.load(ModelRef.of(modelDir))) {
            TrainingConfig config = config().fullFineTune().epochs(1).learningRate(1e-3).build();
            List<Double> losses = new ArrayList<>();
            onFreshThread(() -> djl.trainer(config).fit(own, data(), event -> {
                if (event instanceof TrainingEvent.Step s) {
                    losses.add(s.loss());
                }
            }));
            assertThat(losses).hasSize(2).allSatisfy(loss -> assertThat(loss).isFinite());
            Path saved = temp.resolve("full");
            own.save(saved);
            try (Checkpoint trained = Checkpoint.open(saved); Checkpoint original = Checkpoint.open(modelDir)) {
                String name = "model.layers.0.self_attn.q_proj.weight";
                assertThat(trained.readFloats(name)).as("the weights were updated").isNotEqualTo(original.readFloats(name));
            }
        }
    }

    /** Guards that decoding and merging switch grad mode off themselves and leave the thread's mode as found. */
    @Test
    void generationAndMergeOnOtherThreadsMatchTheLoadingThread() throws Exception {
        Adapter adapter = DjlEngineTest.randomAdapter(4);
        ChatRequest request = ChatRequest.builder().addUser("连衣裙A有S码吗?")
                .parameters(GenerationParameters.builder().maxNewTokens(5).logprobs(true).build()).build();
        try (ChatModel chat = djl.chatModel(base, adapter)) {
            ChatResponse here = chat.chat(request);
            ChatResponse there = onFreshThread(() -> chat.chat(request));
            assertThat(there.tokenIds()).isEqualTo(here.tokenIds());
            assertThat(there.logprobs()).isEqualTo(here.logprobs());
            List<ChatResponse> batch = onFreshThread(() -> chat.chatBatch(List.of(request, request)));
            assertThat(batch.get(1).tokenIds()).isEqualTo(here.tokenIds());
        }
        Path mergedHere = temp.resolve("merged-here");
        Path mergedThere = temp.resolve("merged-there");
        djl.merge(modelDir, adapter, mergedHere);
        onFreshThread(() -> {
            djl.merge(modelDir, adapter, mergedThere);
            return null;
        });
        try (Checkpoint a = Checkpoint.open(mergedHere); Checkpoint b = Checkpoint.open(mergedThere)) {
            String name = "model.layers.1.mlp.down_proj.weight";
            assertThat(b.readFloats(name)).containsExactly(a.readFloats(name));
        }
    }
}
