package io.kefu.chat;

/**
 * The log-probability of one generated token.
 *
 * @param tokenId the vocabulary id
 * @param token the token's text as the tokenizer spells it (may be a partial UTF-8 sequence)
 * @param logprob natural log of the probability the model gave it, after temperature
 */
public record TokenLogprob(int tokenId, String token, double logprob) {
}
