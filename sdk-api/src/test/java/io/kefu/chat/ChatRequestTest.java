package io.kefu.chat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChatRequestTest {
    @Test
    void defaultsAreGreedyWithNoAdapter() {
        ChatRequest request = ChatRequest.of("连衣裙A有S码吗?");
        assertThat(request.parameters().isGreedy()).isTrue();
        assertThat(request.parameters().maxNewTokens()).isEqualTo(256);
        assertThat(request.adapter()).isEmpty();
        assertThat(request.messages()).containsExactly(ChatMessage.user("连衣裙A有S码吗?"));
    }

    @Test
    void emptyConversationIsRejected() {
        assertThatThrownBy(() -> ChatRequest.builder().build())
                .isInstanceOfSatisfying(KefuException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST))
                .hasMessageContaining("messages");
    }

    @Test
    void conversationEndingWithTheAssistantIsRejectedWithItsIndex() {
        assertThatThrownBy(() -> ChatRequest.of(List.of(ChatMessage.user("hi"), ChatMessage.assistant("hello"))))
                .isInstanceOf(KefuException.class)
                .hasMessageContaining("messages[1]");
    }

    @Test
    void blankAdapterMeansDefault() {
        assertThat(ChatRequest.builder().addUser("q").adapter(" ").build().adapter()).isEmpty();
        assertThat(ChatRequest.builder().addUser("q").adapter("shop").build().adapter()).contains("shop");
    }

    @Test
    void toBuilderKeepsEverything() {
        ChatRequest original = ChatRequest.builder().addSystem("s").addUser("q").adapter("a").metadata("k", "v")
                .parameters(GenerationParameters.builder().temperature(0.7).seed(3).build()).build();
        ChatRequest copy = original.toBuilder().build();
        assertThat(copy.messages()).isEqualTo(original.messages());
        assertThat(copy.parameters()).isEqualTo(original.parameters());
        assertThat(copy.adapter()).isEqualTo(original.adapter());
        assertThat(copy.metadata()).isEqualTo(original.metadata());
    }

    record Facts(int stock) {
    }

    @Test
    void attachmentsAreFoundByTheirClassAndSurviveToBuilder() {
        ChatRequest request = ChatRequest.builder().addUser("q").attach(new Facts(3)).attach(new Facts(5)).build();
        assertThat(request.attachment(Facts.class)).contains(new Facts(5));
        assertThat(request.attachment(String.class)).isEmpty();
        assertThat(request.toBuilder().build().attachment(Facts.class)).contains(new Facts(5));
        assertThat(ChatRequest.of("q").attachment(Facts.class)).isEmpty();
    }

    @Test
    void rolesParseCaseInsensitivelyAndRejectUnknownNames() {
        assertThat(Role.fromWireName("Assistant")).isEqualTo(Role.ASSISTANT);
        assertThatThrownBy(() -> Role.fromWireName("gpt")).hasMessageContaining("'gpt'");
    }
}
