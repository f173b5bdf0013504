package io.kefu.shop.policy;

import io.kefu.chat.ChatMessage;
import io.kefu.chat.ChatModel;
import io.kefu.chat.ChatRequest;
import io.kefu.chat.ChatResponse;
import io.kefu.chat.ChatStream;
import io.kefu.chat.FinishReason;
import io.kefu.chat.ModelInfo;
import io.kefu.chat.Role;
import io.kefu.chat.Usage;
import io.kefu.shop.ShopPrompt;
import io.kefu.shop.checks.FactsText;
import io.kefu.runtime.generate.CompletedChatStream;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A conversation policy: a {@link ChatModel} that wraps another one and checks, corrects or hands
 * off its answers. Policies stack (hand-off over compliance over grounding over the model);
 * {@link #answer(ChatRequest)} returns the answer together with what the policies decided.
 *
 * <p>{@link #stream(ChatRequest)} delivers the checked answer in one chunk once all checks have
 * passed, since an answer cannot be checked before it is complete; policies that can check text as
 * it arrives ({@link CompliancePolicy}) override it.
 */
public abstract class PolicyChatModel implements ChatModel {
    /** Request metadata key: the conversation id, copied into hand-offs. */
    public static final String SESSION_ID = "sessionId";
    /** Request metadata key: how many turns in a row of this conversation already needed a fallback. */
    public static final String RECENT_FAILURES = "recentFailures";

    /** The model (or policy) this one wraps. */
    protected final ChatModel inner;

    /** @param inner the model whose answers this policy checks */
    protected PolicyChatModel(ChatModel inner) {
        this.inner = java.util.Objects.requireNonNull(inner, "inner");
    }

    /**
     * Answers the request under this policy and those it wraps.
     *
     * @throws io.kefu.KefuException as the wrapped model does
     */
    public abstract GuardedAnswer answer(ChatRequest request);

    /** @return the answer of the wrapped model, with the decisions of the policies below this one */
    protected final GuardedAnswer innerAnswer(ChatRequest request) {
        return inner instanceof PolicyChatModel policy ? policy.answer(request) : GuardedAnswer.plain(inner.chat(request));
    }

    @Override
    public ChatResponse chat(ChatRequest request) {
        return answer(request).response();
    }

    @Override
    public ChatStream stream(ChatRequest request) {
        return CompletedChatStream.of(answer(request).response());
    }

    @Override
    public ModelInfo info() {
        return inner.info();
    }

    /** Closes the wrapped model. */
    @Override
    public void close() {
        inner.close();
    }

    /**
     * @return the customer's question: the {@link ShopPrompt#QUESTION} metadata when the caller set
     *     it, else the last user message without the facts block appended to it
     */
    protected static String question(ChatRequest request) {
        String asked = request.metadata().get(ShopPrompt.QUESTION);
        if (asked != null) {
            return asked.trim();
        }
        List<ChatMessage> messages = request.messages();
        for (int i = messages.size() - 1; i >= 0; i--) {
            if (messages.get(i).role() == Role.USER) {
                String content = messages.get(i).content();
                int header = content.indexOf(FactsText.HEADER);
                return (header >= 0 ? content.substring(0, header) : content).trim();
            }
        }
        return "";
    }

    /** @return the request with {@code instruction} added to its system message (or a new system message first) */
    protected static ChatRequest withInstruction(ChatRequest request, String instruction) {
        List<ChatMessage> messages = new ArrayList<>(request.messages());
        if (!messages.isEmpty() && messages.get(0).role() == Role.SYSTEM) {
            messages.set(0, ChatMessage.system(messages.get(0).content() + instruction));
        } else {
            messages.add(0, ChatMessage.system(instruction));
        }
        return request.toBuilder().messages(messages).build();
    }

    /** @return a response with new text, keeping the original's usage and timing; token lists no longer apply */
    protected static ChatResponse replaceText(ChatResponse original, String text, Duration latency) {
        return new ChatResponse(text, original.finishReason() == FinishReason.LENGTH ? FinishReason.STOP : original.finishReason(),
                original.usage(), original.promptTokenIds(), List.of(), List.of(), latency);
    }

    /** @return a text-only response (usage 0) */
    protected static ChatResponse textResponse(String text, Duration latency) {
        return new ChatResponse(text, FinishReason.STOP, new Usage(0, 0), List.of(), List.of(), List.of(), latency);
    }
}
