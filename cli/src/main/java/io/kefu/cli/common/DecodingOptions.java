package io.kefu.cli.common;

import picocli.CommandLine.Option;

/** The {@code --max-new-tokens} and {@code --seed} options (a picocli mixin) of the commands that generate answers. */
public final class DecodingOptions {
    @Option(names = "--max-new-tokens", defaultValue = "256", paramLabel = "N", description = "Longest answer in tokens (default: ${DEFAULT-VALUE}).")
    int maxNewTokens;

    @Option(names = "--seed", defaultValue = "0", paramLabel = "N", description = "Decoding seed, used when sampling (default: ${DEFAULT-VALUE}).")
    long seed;

    /** @return the most tokens an answer may have */
    public int maxNewTokens() {
        return maxNewTokens;
    }

    /** @return the decoding seed */
    public long seed() {
        return seed;
    }
}
