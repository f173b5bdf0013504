package io.kefu.runtime.generate;

import java.util.Arrays;
import java.util.function.Function;

/**
 * Turns a growing list of generated token ids into text deltas that never split a character.
 *
 * <p>Byte-level BPE tokenizers (Llama 3, Qwen) split one Chinese character into several tokens;
 * decoding a prefix that ends inside a character yields U+FFFD. This class decodes a short window
 * of recent tokens (as vLLM does, so the cost per token stays constant and tokenizers that drop a
 * leading space when decoding alone still join words correctly), and holds text back while the
 * window's decoded tail ends with U+FFFD. {@link #flush()} releases what is left at the end.
 * Not thread-safe.
 */
public final class IncrementalDetokenizer {
    private final Function<int[], String> decode;
    private int[] ids = new int[16];
    private int size;
    private int prefixOffset;
    private int readOffset;
    private final StringBuilder text = new StringBuilder();

    /** @param decode decodes token ids to text (e.g. {@code ids -> tokenizer.decode(ids, true)}) */
    public IncrementalDetokenizer(Function<int[], String> decode) {
        this.decode = decode;
    }

    /**
     * Adds a generated token.
     *
     * @return the new complete text it produced; empty while a character is still incomplete
     */
    public String add(int tokenId) {
        if (size == ids.length) {
            ids = Arrays.copyOf(ids, size * 2);
        }
        ids[size++] = tokenId;
        String prefixText = decode.apply(Arrays.copyOfRange(ids, prefixOffset, readOffset));
        String newText = decode.apply(Arrays.copyOfRange(ids, prefixOffset, size));
        if (newText.length() > prefixText.length() && !newText.endsWith("\uFFFD")) {
            String delta = newText.substring(prefixText.length());
            prefixOffset = readOffset;
            readOffset = size;
            text.append(delta);
            return delta;
        }
        return "";
    }

    /** @return the text of tokens held back so far (possibly with U+FFFD), and marks it emitted */
    public String flush() {
        if (readOffset == size) {
            return "";
        }
        String prefixText = decode.apply(Arrays.copyOfRange(ids, prefixOffset, readOffset));
        String newText = decode.apply(Arrays.copyOfRange(ids, prefixOffset, size));
        String delta = newText.startsWith(prefixText) ? newText.substring(prefixText.length()) : newText;
        prefixOffset = readOffset;
        readOffset = size;
        text.append(delta);
        return delta;
    }

    /** @return all text emitted so far */
    public String text() {
        return text.toString();
    }

    /** @return the number of tokens added */
    public int tokenCount() {
        return size;
    }
}
