package io.kefu.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatChunk;
import io.kefu.chat.ChatModel;
import io.kefu.chat.ChatRequest;
import io.kefu.chat.ChatResponse;
import io.kefu.chat.ChatStream;
import io.kefu.chat.FinishReason;
import io.kefu.chat.GenerationParameters;
import io.kefu.chat.ModelInfo;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The behaviour every {@link ChatModel} owes its callers. An engine's test extends this class and
 * supplies a fresh model; the kit checks whole answers, streams, batches, cancellation and the
 * close contract. Models must decode greedily (the default parameters) in a deterministic way,
 * which every engine does for greedy requests.
 *
 * <pre>{@code
 * class MyEngineChatModelTest extends ChatModelContract {
 *     protected ChatModel createModel() { return myEngine.chatModel(tinyBase); }
 * }
 * }</pre>
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
public abstract class ChatModelContract {
    /** The model under test, created before each test and closed after it. */
    protected ChatModel model;

    /** @return a new, open model; the kit closes it */
    protected abstract ChatModel createModel();

    /** @return a short greedy request for the given question (override to add a system prompt) */
    protected ChatRequest request(String question, int maxNewTokens) {
        return ChatRequest.builder()
                .addUser(question)
                .parameters(GenerationParameters.builder().maxNewTokens(maxNewTokens).build())
                .build();
    }

    /** @return how many tokens a request may generate in the fast tests (default 8) */
    protected int shortAnswerTokens() {
        return 8;
    }

    /**
     * @return enough tokens that a stream is still running after its first chunk, when the
     *     cancellation test cancels it (default 200; raise it for an engine that generates faster
     *     than the test reads)
     */
    protected int longAnswerTokens() {
        return 200;
    }

    @BeforeEach
    void openModel() {
        model = createModel();
    }

    @AfterEach
    void closeModel() {
        if (model != null) {
            model.close();
        }
    }

    @Test
    void chatAnswersWithTextAndAFinishReason() {
        ChatResponse response = model.chat(request("Do you have the dress in size S?", shortAnswerTokens()));

        assertThat(response.text()).isNotNull();
        assertThat(response.finishReason()).isIn(FinishReason.STOP, FinishReason.LENGTH);
        assertThat(response.latency()).isPositive();
        assertThat(response.usage().completionTokens()).isLessThanOrEqualTo(shortAnswerTokens());
    }

    @Test
    void maxNewTokensEndsTheAnswerWithLength() {
        ChatResponse response = model.chat(request("Please describe every product you sell, in detail.", 2));

        assertThat(response.usage().completionTokens()).isLessThanOrEqualTo(2);
        if (response.finishReason() == FinishReason.LENGTH && response.usage().completionTokens() > 0) {
            assertThat(response.usage().completionTokens()).isEqualTo(2);
        }
    }

    @Test
    void greedyAnswersAreRepeatable() {
        ChatRequest request = request("How long does delivery take?", shortAnswerTokens());

        assertThat(model.chat(request).text()).isEqualTo(model.chat(request).text());
    }

    @Test
    void streamDeliversTheSameAnswerAsChat() {
        ChatRequest request = request("Can I return a coat after two weeks?", shortAnswerTokens());
        ChatResponse whole = model.chat(request);

        StringBuilder streamed = new StringBuilder();
        try (ChatStream stream = model.stream(request)) {
            for (ChatChunk chunk : stream) {
                streamed.append(chunk.text());
            }
            assertThat(stream.isDone()).isTrue();
            ChatResponse response = stream.response();
            assertThat(response.text()).isEqualTo(streamed.toString());
            assertThat(response.text()).isEqualTo(whole.text());
            assertThat(response.finishReason()).isEqualTo(whole.finishReason());
        }
    }

    @Test
    void responseWithoutIteratingWaitsForTheWholeAnswer() {
        ChatRequest request = request("Is the blue shirt in stock?", shortAnswerTokens());
        String expected = model.chat(request).text();

        try (ChatStream stream = model.stream(request)) {
            assertThat(stream.response().text()).isEqualTo(expected);
            assertThat(stream.isDone()).isTrue();
        }
    }

    @Test
    void cancelEndsTheStreamWithCancelled() {
        try (ChatStream stream = model.stream(request("Tell me everything about your shop, please.", longAnswerTokens()))) {
            Iterator<ChatChunk> chunks = stream.iterator();
            assertThat(chunks.hasNext()).isTrue();
            chunks.next();
            boolean finishedAlready = stream.isDone();

            stream.cancel();
            stream.cancel();

            ChatResponse response = stream.response();
            if (!finishedAlready) {
                assertThat(response.finishReason()).isEqualTo(FinishReason.CANCELLED);
            }
            assertThat(stream.isDone()).isTrue();
            while (chunks.hasNext()) {
                chunks.next();
            }
        }
    }

    @Test
    void batchAnswersInRequestOrderAsChatWould() {
        List<ChatRequest> requests = new ArrayList<>();
        for (String question : List.of("Hello", "Do you ship abroad?", "What sizes does the red dress come in?",
                "Is there a coupon this week?", "Thanks!")) {
            requests.add(request(question, shortAnswerTokens()));
        }

        List<ChatResponse> batch = model.chatBatch(requests);

        assertThat(batch).hasSize(requests.size());
        for (int i = 0; i < requests.size(); i++) {
            assertThat(batch.get(i).text()).as("answer %d", i).isEqualTo(model.chat(requests.get(i)).text());
        }
    }

    @Test
    void infoNamesTheModelAndEngine() {
        ModelInfo info = model.info();

        assertThat(info.id()).isNotBlank();
        assertThat(info.engine()).isNotBlank();
        assertThat(info.adapters()).isNotNull();
    }

    @Test
    void closeIsIdempotentAndUseAfterCloseFailsWithClosed() {
        model.close();
        model.close();

        ChatRequest request = request("Hello", shortAnswerTokens());
        assertClosed(() -> model.chat(request));
        assertClosed(() -> model.stream(request));
        assertClosed(() -> model.chatBatch(List.of(request, request)));
    }

    private static void assertClosed(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOf(KefuException.class)
                .extracting(e -> ((KefuException) e).code()).isEqualTo(ErrorCode.CLOSED);
    }
}
