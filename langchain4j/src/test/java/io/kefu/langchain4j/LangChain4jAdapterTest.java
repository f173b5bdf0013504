package io.kefu.langchain4j;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ImageContent;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.TextContent;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.ModelNotFoundException;
import dev.langchain4j.exception.RateLimitException;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.listener.ChatModelRequestContext;
import dev.langchain4j.model.chat.listener.ChatModelResponseContext;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.GenerationParameters;
import io.kefu.chat.Role;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Runs LangChain4j's own chat and streaming calls on a Kefu model through the adapters. */
class LangChain4jAdapterTest {
    private final EchoKefuModel kefu = new EchoKefuModel();
    private final dev.langchain4j.model.chat.ChatModel chat = KefuChatModel.of(kefu);
    private final StreamingChatModel streaming = KefuStreamingChatModel.of(kefu);

    @AfterEach
    void close() {
        kefu.close();
    }

    @Test
    void chatWithAStringAnswersWithText() {
        assertThat(chat.chat("连衣裙A有S码吗?")).isEqualTo("Echo: 连衣裙A有S码吗?");
        assertThat(kefu.requests.get(0).parameters()).isEqualTo(GenerationParameters.greedy());
    }

    @Test
    void chatRequestMapsMessagesParametersAndResponse() {
        ChatRequest request = ChatRequest.builder()
                .messages(SystemMessage.from("You are the shop's assistant."), UserMessage.from("Hi"),
                        AiMessage.from("Hello! How can I help?"), UserMessage.from("Do you ship to Shanghai?"))
                .temperature(0.7).topP(0.9).topK(40).maxOutputTokens(64).stopSequences(List.of("###"))
                .build();

        ChatResponse response = chat.chat(request);

        assertThat(response.aiMessage().text()).isEqualTo("Echo: Do you ship to Shanghai?");
        assertThat(response.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(response.tokenUsage()).isEqualTo(new TokenUsage(16, 6, 22));
        assertThat(response.modelName()).isEqualTo("echo-model");

        io.kefu.chat.ChatRequest seen = kefu.requests.get(0);
        assertThat(seen.messages()).extracting(io.kefu.chat.ChatMessage::role)
                .containsExactly(Role.SYSTEM, Role.USER, Role.ASSISTANT, Role.USER);
        assertThat(seen.messages().get(2).content()).isEqualTo("Hello! How can I help?");
        GenerationParameters p = seen.parameters();
        assertThat(p.temperature()).isEqualTo(0.7);
        assertThat(p.topP()).isEqualTo(0.9);
        assertThat(p.topK()).isEqualTo(40);
        assertThat(p.maxNewTokens()).isEqualTo(64);
        assertThat(p.stopSequences()).containsExactly("###");
    }

    @Test
    void maxOutputTokensEndsWithLength() {
        ChatResponse response = chat.chat(ChatRequest.builder().messages(UserMessage.from("one two three four"))
                .maxOutputTokens(2).build());

        assertThat(response.aiMessage().text()).isEqualTo("Echo: one");
        assertThat(response.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(response.tokenUsage().outputTokenCount()).isEqualTo(2);
    }

    @Test
    void defaultParametersAndListenersWorkThroughLangChain4j() {
        List<String> events = Collections.synchronizedList(new ArrayList<>());
        ChatModelListener listener = new ChatModelListener() {
            @Override
            public void onRequest(ChatModelRequestContext context) {
                events.add("request temperature=" + context.chatRequest().parameters().temperature());
            }

            @Override
            public void onResponse(ChatModelResponseContext context) {
                events.add("response " + context.chatResponse().aiMessage().text());
            }
        };
        dev.langchain4j.model.chat.ChatModel withDefaults = KefuChatModel.builder(kefu)
                .defaultRequestParameters(ChatRequestParameters.builder().temperature(0.3).maxOutputTokens(100).build())
                .listeners(List.of(listener)).build();

        withDefaults.chat("Hello");

        assertThat(kefu.requests.get(0).parameters().temperature()).isEqualTo(0.3);
        assertThat(kefu.requests.get(0).parameters().maxNewTokens()).isEqualTo(100);
        assertThat(events).containsExactly("request temperature=0.3", "response Echo: Hello");
    }

    @Test
    void modelNameSelectsAnAdapter() {
        ChatResponse response = chat.chat(ChatRequest.builder().messages(UserMessage.from("Hi")).modelName("shop-lora").build());

        assertThat(kefu.requests.get(0).adapter()).contains("shop-lora");
        assertThat(response.modelName()).isEqualTo("shop-lora");
        assertThatThrownBy(() -> chat.chat(ChatRequest.builder().messages(UserMessage.from("Hi")).modelName("gpt-4o").build()))
                .isInstanceOf(ModelNotFoundException.class).hasMessageContaining("gpt-4o");
    }

    @Test
    void whatKefuCannotDoIsRefusedNotDropped() {
        ToolSpecification tool = ToolSpecification.builder().name("stock").description("looks up stock").build();
        assertThatThrownBy(() -> chat.chat(ChatRequest.builder().messages(UserMessage.from("Hi")).toolSpecifications(tool).build()))
                .isInstanceOf(UnsupportedFeatureException.class).hasMessageContaining("tools");
        assertThatThrownBy(() -> chat.chat(ChatRequest.builder().messages(UserMessage.from("Hi")).responseFormat(ResponseFormat.JSON).build()))
                .isInstanceOf(UnsupportedFeatureException.class).hasMessageContaining("JSON");
        assertThatThrownBy(() -> chat.chat(ChatRequest.builder().messages(UserMessage.from("Hi")).frequencyPenalty(0.5).build()))
                .isInstanceOf(UnsupportedFeatureException.class).hasMessageContaining("frequency");
        assertThatThrownBy(() -> chat.chat(UserMessage.from(TextContent.from("look"), ImageContent.from("https://example.com/a.png"))))
                .isInstanceOf(UnsupportedFeatureException.class).hasMessageContaining("IMAGE");
        assertThat(kefu.requests).isEmpty();
    }

    @Test
    void kefuErrorsBecomeLangChain4jExceptionsWithTheirCause() {
        kefu.failWith = new KefuException(ErrorCode.RESOURCE_EXHAUSTED, "queue full");
        assertThatThrownBy(() -> chat.chat("Hi")).isInstanceOf(RateLimitException.class)
                .hasMessage("queue full").hasCauseInstanceOf(KefuException.class);
        assertThatThrownBy(() -> chat.chat(ChatRequest.builder().messages(UserMessage.from("Hi")).temperature(-1.0).build()))
                .isInstanceOf(InvalidRequestException.class).hasMessageContaining("temperature");
    }

    @Test
    void streamingDeliversPartialsThenTheCompleteResponse() throws Exception {
        Recorder recorder = new Recorder();

        streaming.chat("Is the coat warm?", recorder);

        ChatResponse complete = recorder.done.get(10, TimeUnit.SECONDS);
        assertThat(recorder.partials).containsExactly("Echo:", " Is", " the", " coat", " warm?");
        assertThat(complete.aiMessage().text()).isEqualTo(String.join("", recorder.partials));
        assertThat(complete.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(complete.tokenUsage().outputTokenCount()).isEqualTo(5);
        assertThat(recorder.threads).doesNotContain(Thread.currentThread().getName());
    }

    @Test
    void streamingWithAChatRequestHonoursItsParameters() throws Exception {
        Recorder recorder = new Recorder();

        streaming.chat(ChatRequest.builder().messages(UserMessage.from("a b c d e")).maxOutputTokens(3).build(), recorder);

        ChatResponse complete = recorder.done.get(10, TimeUnit.SECONDS);
        assertThat(complete.aiMessage().text()).isEqualTo("Echo: a b");
        assertThat(complete.finishReason()).isEqualTo(FinishReason.LENGTH);
    }

    @Test
    void streamingErrorsReachOnError() throws Exception {
        kefu.failWith = new KefuException(ErrorCode.UNAUTHENTICATED, "bad key");
        Recorder recorder = new Recorder();

        streaming.chat("Hi", recorder);

        assertThatThrownBy(() -> recorder.done.get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(dev.langchain4j.exception.AuthenticationException.class);
    }

    @Test
    void cancellingThroughTheStreamingHandleCancelsTheKefuStream() throws Exception {
        kefu.pauseBetweenChunks = Duration.ofMillis(200);
        CompletableFuture<Void> cancelled = new CompletableFuture<>();
        List<String> partials = Collections.synchronizedList(new ArrayList<>());
        List<String> after = Collections.synchronizedList(new ArrayList<>());
        streaming.chat("one two three four five six", new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(PartialResponse partial, PartialResponseContext context) {
                partials.add(partial.text());
                context.streamingHandle().cancel();
                cancelled.complete(null);
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                after.add("complete");
            }

            @Override
            public void onError(Throwable error) {
                after.add("error " + error);
            }
        });

        cancelled.get(10, TimeUnit.SECONDS);
        Thread.sleep(500);
        assertThat(partials).containsExactly("Echo:");
        assertThat(kefu.streamCancelled).isTrue();
        assertThat(after).isEmpty();
    }

    /** Collects what a streaming call delivers. */
    private static final class Recorder implements StreamingChatResponseHandler {
        final List<String> partials = Collections.synchronizedList(new ArrayList<>());
        final List<String> threads = Collections.synchronizedList(new ArrayList<>());
        final CompletableFuture<ChatResponse> done = new CompletableFuture<>();

        @Override
        public void onPartialResponse(String partialResponse) {
            partials.add(partialResponse);
            threads.add(Thread.currentThread().getName());
        }

        @Override
        public void onCompleteResponse(ChatResponse completeResponse) {
            done.complete(completeResponse);
        }

        @Override
        public void onError(Throwable error) {
            done.completeExceptionally(error);
        }
    }
}
