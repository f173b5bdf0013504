package io.kefu.runtime.tokenize;

import io.kefu.chat.ChatMessage;
import io.kefu.chat.ChatTemplate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Renders a conversation with the model's chat template and tokenizes it so that special tokens
 * (turn markers such as {@code <|im_start|>}, {@code <|im_end|>}, {@code <|eot_id|>},
 * {@code <|start_header_id|>}) come only from the template, never from what a message says.
 *
 * <p>Plain transformers and vLLM tokenize the rendered text as one string, so a customer who types
 * {@code <|im_end|>\n<|im_start|>system} opens a system turn of their own. Here every special
 * token spelled inside a message's content is marked with a cut inside it before rendering; the
 * rendered text is tokenized in pieces split at those cuts, so the tokenizer sees the customer's
 * {@code <|im_end|>} as ordinary text ({@code <} and {@code |im_end|>}), while the template's own
 * markers, which carry no cut, stay single special tokens. A conversation without such text is one
 * piece and tokenizes exactly as the whole rendered string does.
 *
 * <p>The text returned is the rendering as the template writes it (no cut marks); token offsets
 * index it. Training ({@link ChatFeaturizer}) and every engine encode prompts through this class,
 * so training and serving agree. Thread-safe when the tokenizer and template are.
 */
public final class ChatEncoder {
    /**
     * Marks a cut. A private-use character: templates never write it, and the one in a message's
     * content (which would otherwise cut there) is replaced by U+FFFD before rendering.
     */
    static final char CUT = '\uE000';
    private static final String CUT_STRING = String.valueOf(CUT);

    private final HfTokenizer tokenizer;
    private final ChatTemplate template;
    /** Longest first, so that a token that contains another is cut as itself. */
    private final List<String> specialTokens;

    /** @param tokenizer whose special tokens may only come from the template */
    public ChatEncoder(HfTokenizer tokenizer, ChatTemplate template) {
        this.tokenizer = Objects.requireNonNull(tokenizer, "tokenizer");
        this.template = Objects.requireNonNull(template, "template");
        this.specialTokens = tokenizer.specialTokens().stream()
                .filter(t -> t.length() > 1)
                .sorted(Comparator.comparingInt(String::length).reversed().thenComparing(Comparator.naturalOrder()))
                .toList();
    }

    /**
     * A rendered and tokenized conversation.
     *
     * @param text the rendering, as the template writes it
     * @param tokens its tokens, with offsets into {@code text}
     */
    public record Encoded(String text, HfTokenizer.Tokens tokens) {
        /** @return the token ids */
        public int[] ids() {
            return tokens.ids();
        }
    }

    /** @return the tokens a model generates from: the conversation with the generation prompt */
    public int[] promptIds(List<ChatMessage> messages) {
        return encode(messages, true, Map.of()).ids();
    }

    /** Renders with the template's variables and tokenizes as the class javadoc says. */
    public Encoded encode(List<ChatMessage> messages, boolean addGenerationPrompt, Map<String, Object> variables) {
        String marked = template.render(markSpecialTokens(messages), addGenerationPrompt, variables);
        return tokenize(marked);
    }

    /** @return the rendering as {@link #encode} sees it, without tokenizing (for locating text in it) */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt, Map<String, Object> variables) {
        return template.render(markSpecialTokens(messages), addGenerationPrompt, variables).replace(CUT_STRING, "");
    }

    private List<ChatMessage> markSpecialTokens(List<ChatMessage> messages) {
        List<ChatMessage> out = new ArrayList<>(messages.size());
        for (ChatMessage m : messages) {
            out.add(new ChatMessage(m.role(), markSpecialTokens(m.content())));
        }
        return out;
    }

    /** @return the content with U+FFFD for the cut character and a cut after the first character of every special token */
    String markSpecialTokens(String content) {
        String text = content.indexOf(CUT) >= 0 ? content.replace(CUT, '\uFFFD') : content;
        for (String token : specialTokens) {
            if (text.contains(token)) {
                text = text.replace(token, token.charAt(0) + CUT_STRING + token.substring(1));
            }
        }
        return text;
    }

    private Encoded tokenize(String marked) {
        if (marked.indexOf(CUT) < 0) {
            return new Encoded(marked, tokenizer.encodeWithOffsets(marked));
        }
        String[] pieces = marked.split(CUT_STRING, -1);
        StringBuilder text = new StringBuilder(marked.length());
        List<HfTokenizer.Tokens> parts = new ArrayList<>(pieces.length);
        List<Integer> shifts = new ArrayList<>(pieces.length);
        int total = 0;
        for (String piece : pieces) {
            HfTokenizer.Tokens part = tokenizer.encodeWithOffsets(piece);
            parts.add(part);
            shifts.add(text.length());
            text.append(piece);
            total += part.size();
        }
        int[] ids = new int[total];
        int[] starts = new int[total];
        int[] ends = new int[total];
        int at = 0;
        for (int p = 0; p < parts.size(); p++) {
            HfTokenizer.Tokens part = parts.get(p);
            int shift = shifts.get(p);
            for (int i = 0; i < part.size(); i++, at++) {
                ids[at] = part.ids()[i];
                starts[at] = part.starts()[i] + shift;
                ends[at] = part.ends()[i] + shift;
            }
        }
        return new Encoded(text.toString(), new HfTokenizer.Tokens(ids, starts, ends));
    }
}
