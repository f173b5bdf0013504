package io.kefu.runtime.tokenize;

import java.util.Arrays;

/**
 * One tokenized training example.
 *
 * @param text the rendered conversation the ids encode (cut like the ids when truncated)
 * @param inputIds the token ids
 * @param labels per token, the id to learn or {@link #IGNORE_INDEX} where the loss is masked
 */
public record TrainingFeatures(String text, int[] inputIds, int[] labels) {
    /** The label of a masked token (PyTorch's {@code ignore_index}). */
    public static final int IGNORE_INDEX = -100;

    /** Checks that ids and labels line up. */
    public TrainingFeatures {
        if (inputIds.length != labels.length) {
            throw new IllegalArgumentException("inputIds has " + inputIds.length + " tokens but labels has " + labels.length);
        }
    }

    /** @return the number of tokens */
    public int length() {
        return inputIds.length;
    }

    /** @return how many tokens are trained (labels other than {@link #IGNORE_INDEX}) */
    public int trainedTokens() {
        return (int) Arrays.stream(labels).filter(label -> label != IGNORE_INDEX).count();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof TrainingFeatures other && text.equals(other.text)
                && Arrays.equals(inputIds, other.inputIds) && Arrays.equals(labels, other.labels);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * text.hashCode() + Arrays.hashCode(inputIds)) + Arrays.hashCode(labels);
    }

    @Override
    public String toString() {
        return "TrainingFeatures[" + inputIds.length + " tokens, " + trainedTokens() + " trained]";
    }
}
