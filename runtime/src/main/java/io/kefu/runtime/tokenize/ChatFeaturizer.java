package io.kefu.runtime.tokenize;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatMessage;
import io.kefu.chat.ChatTemplate;
import io.kefu.chat.Role;
import io.kefu.runtime.data.OverlongPolicy;
import io.kefu.data.Example;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns examples into training features: the conversation rendered with the model's chat
 * template, tokenized, with labels that train only on what the assistant says.
 *
 * <p>Every assistant turn is trained, including its end-of-turn marker
 * ({@link ChatTemplate#endOfTurn()}, e.g. {@code <|eot_id|>} or {@code <|im_end|>}), so the
 * model learns to stop. Everything else (system, user, role headers, the newline a template
 * puts after the end-of-turn) is masked with {@link TrainingFeatures#IGNORE_INDEX}.
 *
 * <p>Spans are found without knowing any model's markers: the conversation up to each answer
 * is rendered with {@code add_generation_prompt=true}, and the answer starts where that prompt
 * ends in the full rendering; it ends after the first end-of-turn marker that follows the
 * answer's text. Character spans are mapped to tokens by the tokenizer's offsets. So text that
 * a template writes into the answer's turn after the generation prompt is trained too; for
 * Qwen 3 that is the empty {@code <think>\n\n</think>\n\n} block the template adds to the last
 * answer, which the model itself generates in that position (as with transformers'
 * {@code return_assistant_tokens_mask}). With {@code enable_thinking=false} among the
 * variables, the block is part of the generation prompt and therefore masked.
 *
 * <p>Special tokens come only from the template: text in a message that spells one is tokenized as
 * ordinary text ({@link ChatEncoder}), exactly as the engines tokenize prompts when serving.
 *
 * <p>Immutable and thread-safe when the tokenizer and template are.
 */
public final class ChatFeaturizer {
    private static final Logger LOG = LoggerFactory.getLogger(ChatFeaturizer.class);

    private final HfTokenizer tokenizer;
    private final ChatTemplate template;
    private final ChatEncoder encoder;
    private final int maxLength;
    private final boolean trainOnPrompt;
    private final OverlongPolicy overlongPolicy;
    private final Map<String, Object> variables;

    private ChatFeaturizer(Builder builder) {
        this.tokenizer = builder.tokenizer;
        this.template = builder.template;
        this.encoder = new ChatEncoder(builder.tokenizer, builder.template);
        this.maxLength = builder.maxLength;
        this.trainOnPrompt = builder.trainOnPrompt;
        this.overlongPolicy = builder.overlongPolicy;
        this.variables = Map.copyOf(builder.variables);
    }

    /** @return a builder for a featurizer over this tokenizer and chat template */
    public static Builder builder(HfTokenizer tokenizer, ChatTemplate template) {
        return new Builder(tokenizer, template);
    }

    /**
     * Featurizes one example.
     *
     * @return the features, or empty when the example is too long and the policy drops it (or
     *     truncation leaves no trained token)
     * @throws KefuException {@link ErrorCode#INVALID_DATA} naming the example's location when it
     *     has no assistant turn to train on, the template rejects it, or it is too long under
     *     {@link OverlongPolicy#ERROR}
     */
    public Optional<TrainingFeatures> featurize(Example example) {
        String where = example.provenance().location();
        try {
            return featurize(example.messages(), where);
        } catch (KefuException e) {
            if (e.code() == ErrorCode.INVALID_DATA) {
                throw e;
            }
            throw new KefuException(ErrorCode.INVALID_DATA, where + ": " + e.getMessage(), e);
        }
    }

    /**
     * Featurizes a conversation that is not an {@link Example}.
     *
     * @param where how to name the conversation in error messages
     * @see #featurize(Example)
     */
    public Optional<TrainingFeatures> featurize(List<ChatMessage> messages, String where) {
        boolean hasAnswer = messages.stream().anyMatch(m -> m.role() == Role.ASSISTANT);
        if (!hasAnswer && !trainOnPrompt) {
            throw new KefuException(ErrorCode.INVALID_DATA, where + ": no assistant message to train on");
        }
        ChatEncoder.Encoded encoded = encoder.encode(messages, false, variables);
        String text = encoded.text();
        HfTokenizer.Tokens tokens = encoded.tokens();
        int[] ids = tokens.ids();
        int[] labels = new int[ids.length];
        if (trainOnPrompt) {
            System.arraycopy(ids, 0, labels, 0, ids.length);
        } else {
            Arrays.fill(labels, TrainingFeatures.IGNORE_INDEX);
            for (int[] span : assistantSpans(messages, text)) {
                for (int t = 0; t < ids.length; t++) {
                    int start = tokens.starts()[t];
                    if (start >= span[0] && start < span[1]) {
                        labels[t] = ids[t];
                    }
                }
            }
        }
        if (ids.length <= maxLength) {
            return Optional.of(new TrainingFeatures(text, ids, labels));
        }
        switch (overlongPolicy) {
            case ERROR -> throw new KefuException(ErrorCode.INVALID_DATA, where + ": " + ids.length
                    + " tokens after applying the chat template, more than the maximum length " + maxLength
                    + " (raise the maximum length, or choose the truncate or drop policy)");
            case DROP -> {
                LOG.debug("{}: dropped, {} tokens > {}", where, ids.length, maxLength);
                return Optional.empty();
            }
            default -> {
                int[] keptLabels = Arrays.copyOf(labels, maxLength);
                if (Arrays.stream(keptLabels).allMatch(label -> label == TrainingFeatures.IGNORE_INDEX)) {
                    LOG.debug("{}: dropped, no trained token within the first {} tokens", where, maxLength);
                    return Optional.empty();
                }
                String kept = text.substring(0, tokens.ends()[maxLength - 1]);
                return Optional.of(new TrainingFeatures(kept, Arrays.copyOf(ids, maxLength), keptLabels));
            }
        }
    }

    /** @return the tokens of a prompt rendered with {@code add_generation_prompt=true}: what generation starts from */
    public int[] promptIds(List<ChatMessage> prompt) {
        return encoder.encode(prompt, true, variables).ids();
    }

    /** @return the character spans [start, end) of each assistant answer plus its end-of-turn marker in {@code text} */
    private List<int[]> assistantSpans(List<ChatMessage> messages, String text) {
        String endOfTurn = template.endOfTurn();
        List<int[]> spans = new ArrayList<>();
        for (int i = 0; i < messages.size(); i++) {
            ChatMessage message = messages.get(i);
            if (message.role() != Role.ASSISTANT) {
                continue;
            }
            String prompt = encoder.render(messages.subList(0, i), true, variables);
            int start = text.startsWith(prompt) ? prompt.length() : commonPrefixLength(text, prompt);
            int from = start;
            String answer = message.content().strip();
            if (!answer.isEmpty()) {
                int at = text.indexOf(answer, start);
                if (at >= 0) {
                    from = at + answer.length();
                }
            }
            int marker = endOfTurn.isEmpty() ? -1 : text.indexOf(endOfTurn, from);
            int end = marker >= 0 ? marker + endOfTurn.length() : from;
            if (marker < 0) {
                LOG.warn("the chat template writes no end-of-turn marker {} after assistant message {}; training it without one",
                        endOfTurn, i);
            }
            spans.add(new int[] {start, end});
        }
        return spans;
    }

    private static int commonPrefixLength(String a, String b) {
        int n = 0;
        while (n < a.length() && n < b.length() && a.charAt(n) == b.charAt(n)) {
            n++;
        }
        return n;
    }

    /** @return the maximum length in tokens */
    public int maxLength() {
        return maxLength;
    }

    /** @return the tokenizer */
    public HfTokenizer tokenizer() {
        return tokenizer;
    }

    /** @return the chat template */
    public ChatTemplate template() {
        return template;
    }

    /** Configures a {@link ChatFeaturizer}. */
    public static final class Builder {
        private final HfTokenizer tokenizer;
        private final ChatTemplate template;
        private int maxLength = 2048;
        private boolean trainOnPrompt;
        private OverlongPolicy overlongPolicy = OverlongPolicy.TRUNCATE;
        private Map<String, Object> variables = Map.of();

        private Builder(HfTokenizer tokenizer, ChatTemplate template) {
            this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
            this.template = Objects.requireNonNull(template, "template");
        }

        /** Maximum tokens per example; default 2048 (LLaMA-Factory's {@code cutoff_len}). */
        public Builder maxLength(int maxLength) {
            this.maxLength = maxLength;
            return this;
        }

        /** Train on every token, prompt included; default false (only assistant turns). */
        public Builder trainOnPrompt(boolean trainOnPrompt) {
            this.trainOnPrompt = trainOnPrompt;
            return this;
        }

        /** What to do with an example longer than the maximum length; default {@link OverlongPolicy#TRUNCATE}. */
        public Builder overlongPolicy(OverlongPolicy overlongPolicy) {
            this.overlongPolicy = Objects.requireNonNull(overlongPolicy, "overlongPolicy");
            return this;
        }

        /** Extra chat-template variables (e.g. {@code enable_thinking}); default none. */
        public Builder variables(Map<String, Object> variables) {
            this.variables = Map.copyOf(variables);
            return this;
        }

        /**
         * @throws KefuException {@link ErrorCode#INVALID_ARGUMENT} when the maximum length is not positive
         */
        public ChatFeaturizer build() {
            if (maxLength <= 0) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "maxLength must be positive, got " + maxLength);
            }
            return new ChatFeaturizer(this);
        }
    }
}
