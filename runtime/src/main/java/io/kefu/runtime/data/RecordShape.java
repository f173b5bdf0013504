package io.kefu.runtime.data;

/** The layout of one source record; detected per record, so a file may mix shapes. */
public enum RecordShape {
    /** {@code instruction}, {@code input}, {@code output}, optional {@code system} and {@code history}. */
    ALPACA,
    /** {@code messages: [{role, content}, ...]} as in the OpenAI chat API. */
    OPENAI,
    /** {@code conversations: [{from, value}, ...]} with {@code from} = human, gpt, system. */
    SHAREGPT,
    /**
     * TRL's preference records: {@code prompt} (text or messages) with {@code chosen} and
     * {@code rejected} answers, or {@code chosen} and {@code rejected} whole conversations that share
     * the prompt (TRL's implicit prompt).
     */
    TRL_PREFERENCE
}
