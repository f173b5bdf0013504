package io.kefu.chat;

/** Why generation ended, named as in the OpenAI API where a name exists. */
public enum FinishReason {
    /** The model produced an end-of-turn token or a stop sequence. */
    STOP,
    /** {@link GenerationParameters#maxNewTokens()} was reached. */
    LENGTH,
    /** The caller cancelled the stream. */
    CANCELLED,
    /** The engine failed mid-way; the text so far is kept. */
    ERROR;

    /** @return the OpenAI spelling: stop, length, cancelled, error */
    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
