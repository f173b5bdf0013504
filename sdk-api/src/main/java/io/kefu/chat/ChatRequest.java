package io.kefu.chat;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A request to a {@link ChatModel}: the conversation so far, how to decode, and optionally which
 * adapter to answer with. Immutable; build with {@link #builder()} or {@link #of(String)}.
 *
 * <p>Defaults: {@link GenerationParameters#greedy()}, no adapter (the model's default), no metadata,
 * no attachments.
 *
 * <p>Attachments are typed values that travel beside the prompt for the decorators around a model,
 * for example the shop facts a grounding policy checks answers against: a policy reads them with
 * {@link #attachment(Class)} instead of parsing them back out of prompt text that a customer could
 * have written. Engines never read them and never send them anywhere.
 */
public final class ChatRequest {
    private final List<ChatMessage> messages;
    private final GenerationParameters parameters;
    private final String adapter;
    private final Map<String, String> metadata;
    private final Map<Class<?>, Object> attachments;

    private ChatRequest(Builder b) {
        this.messages = List.copyOf(b.messages);
        this.parameters = b.parameters;
        this.adapter = b.adapter;
        this.metadata = Map.copyOf(b.metadata);
        this.attachments = Map.copyOf(b.attachments);
    }

    /** @return a request with one user message and default parameters */
    public static ChatRequest of(String userMessage) {
        return builder().addUser(userMessage).build();
    }

    /** @return a request with the given messages and default parameters */
    public static ChatRequest of(List<ChatMessage> messages) {
        return builder().messages(messages).build();
    }

    /** @return an empty builder */
    public static Builder builder() {
        return new Builder();
    }

    /** @return a builder that starts from this request */
    public Builder toBuilder() {
        Builder b = new Builder().messages(messages).parameters(parameters).metadata(metadata);
        b.adapter = adapter;
        b.attachments.putAll(attachments);
        return b;
    }

    /** @return the conversation, oldest first; the last message is the one to answer */
    public List<ChatMessage> messages() { return messages; }

    /** @return how to decode */
    public GenerationParameters parameters() { return parameters; }

    /** @return the adapter to answer with, or empty for the model's default */
    public Optional<String> adapter() { return Optional.ofNullable(adapter); }

    /** @return free-form tags (session id, intent, product id) that decorators may read */
    public Map<String, String> metadata() { return metadata; }

    /** @return the attached value of exactly this class, if any (see the class javadoc) */
    public <T> Optional<T> attachment(Class<T> type) {
        return Optional.ofNullable(type.cast(attachments.get(Objects.requireNonNull(type, "type"))));
    }

    @Override
    public String toString() {
        return "ChatRequest[messages=" + messages.size() + ", parameters=" + parameters
                + (adapter == null ? "" : ", adapter=" + adapter) + "]";
    }

    /** Builds a {@link ChatRequest}; {@link #build()} checks that there is something to answer. */
    public static final class Builder {
        private final List<ChatMessage> messages = new ArrayList<>();
        private GenerationParameters parameters = GenerationParameters.greedy();
        private String adapter;
        private final java.util.LinkedHashMap<String, String> metadata = new java.util.LinkedHashMap<>();
        private final java.util.LinkedHashMap<Class<?>, Object> attachments = new java.util.LinkedHashMap<>();

        private Builder() {
        }

        /** Replaces the conversation. */
        public Builder messages(List<ChatMessage> value) {
            messages.clear();
            messages.addAll(Objects.requireNonNull(value, "messages"));
            return this;
        }

        /** Appends a message. */
        public Builder add(ChatMessage message) {
            messages.add(Objects.requireNonNull(message, "message"));
            return this;
        }

        /** Appends a system message. */
        public Builder addSystem(String content) { return add(ChatMessage.system(content)); }

        /** Appends a user message. */
        public Builder addUser(String content) { return add(ChatMessage.user(content)); }

        /** Appends an assistant message. */
        public Builder addAssistant(String content) { return add(ChatMessage.assistant(content)); }

        /** Sets how to decode (default greedy). */
        public Builder parameters(GenerationParameters value) {
            this.parameters = Objects.requireNonNull(value, "parameters");
            return this;
        }

        /** Selects an adapter by name; null or blank means the model's default. */
        public Builder adapter(String value) {
            this.adapter = value == null || value.isBlank() ? null : value;
            return this;
        }

        /** Replaces the metadata. */
        public Builder metadata(Map<String, String> value) {
            metadata.clear();
            metadata.putAll(Objects.requireNonNull(value, "metadata"));
            return this;
        }

        /** Adds one metadata entry. */
        public Builder metadata(String key, String value) {
            metadata.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Attaches a typed value, replacing one of the same class (see the class javadoc). */
        public Builder attach(Object value) {
            attachments.put(Objects.requireNonNull(value, "value").getClass(), value);
            return this;
        }

        /**
         * @return the request
         * @throws KefuException with {@link ErrorCode#INVALID_REQUEST} when there are no messages
         *     or the last one is an assistant message (nothing to answer)
         */
        public ChatRequest build() {
            if (messages.isEmpty()) {
                throw new KefuException(ErrorCode.INVALID_REQUEST, "messages: a chat request needs at least one message");
            }
            Role last = messages.get(messages.size() - 1).role();
            if (last == Role.ASSISTANT) {
                throw new KefuException(ErrorCode.INVALID_REQUEST,
                        "messages[" + (messages.size() - 1) + "]: the last message is the assistant's; there is nothing to answer");
            }
            return new ChatRequest(this);
        }
    }
}
