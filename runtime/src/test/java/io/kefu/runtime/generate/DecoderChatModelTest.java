package io.kefu.runtime.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.BatchingOptions;
import io.kefu.chat.ChatRequest;
import io.kefu.chat.GenerationParameters;
import io.kefu.chat.ModelInfo;
import io.kefu.runtime.template.HfChatTemplate;
import io.kefu.runtime.tokenize.HfTokenizer;
import io.kefu.runtime.tokenize.TestTokenizers;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What the base class does for every engine: adapter lookup through the engine's lanes, and one close. */
class DecoderChatModelTest {
    private static final Path QWEN3 = TestTokenizers.dir("qwen3");

    /** Serves only the default lane; counts releases; can be told its owner is gone. */
    private static final class CountingModel extends DecoderChatModel {
        final AtomicInteger releases = new AtomicInteger();
        volatile boolean ownerClosed;

        CountingModel() {
            super(HfTokenizer.load(QWEN3), HfChatTemplate.fromModelDir(QWEN3), List.of(1), BatchingOptions.defaults(),
                    ScriptedDecoder.VOCAB, 64, "test chat model");
        }

        @Override
        protected ContinuousBatcher.Lane lane(Optional<String> adapter) {
            if (adapter.isPresent()) {
                throw new KefuException(ErrorCode.INVALID_REQUEST, "adapter '" + adapter.get() + "' is not loaded");
            }
            return () -> {
                throw new IllegalStateException("not decoded in this test");
            };
        }

        @Override
        protected void checkUsable() {
            if (ownerClosed) {
                throw new KefuException(ErrorCode.CLOSED, "the base model is closed");
            }
        }

        @Override
        protected void release() {
            releases.incrementAndGet();
        }

        @Override
        public ModelInfo info() {
            return new ModelInfo("test", "test", List.of());
        }
    }

    private static ErrorCode code(Runnable call) {
        try {
            call.run();
        } catch (KefuException e) {
            return e.code();
        }
        throw new AssertionError("no KefuException");
    }

    @Test
    void anAdapterTheEngineDoesNotServeIsAnInvalidRequest() {
        try (CountingModel model = new CountingModel()) {
            ChatRequest request = ChatRequest.builder().addUser("在吗").adapter("missing").build();
            assertThat(code(() -> model.chat(request))).isEqualTo(ErrorCode.INVALID_REQUEST);
            assertThat(code(() -> model.stream(request))).isEqualTo(ErrorCode.INVALID_REQUEST);
            assertThat(code(() -> model.chatBatch(List.of(request)))).isEqualTo(ErrorCode.INVALID_REQUEST);
        }
    }

    @Test
    void closeReleasesOnceAndLaterCallsFail() {
        CountingModel model = new CountingModel();
        model.close();
        model.close();
        assertThat(model.releases).hasValue(1);
        assertThatThrownBy(() -> model.chat("在吗"))
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.CLOSED))
                .hasMessage("test chat model is closed");
        assertThat(code(() -> model.complete("在吗", GenerationParameters.greedy()))).isEqualTo(ErrorCode.CLOSED);
    }

    @Test
    void anOwnerClosedFirstMakesCallsFail() {
        try (CountingModel model = new CountingModel()) {
            model.ownerClosed = true;
            assertThatThrownBy(() -> model.chat("在吗")).hasMessage("the base model is closed");
        }
    }
}
