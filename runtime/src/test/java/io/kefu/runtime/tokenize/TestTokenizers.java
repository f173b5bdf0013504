package io.kefu.runtime.tokenize;

import java.nio.file.Files;
import java.nio.file.Path;

/** The real tokenizers of Llama 3, Llama 3.1, Qwen 2.5 and Qwen 3 that scripts/fetch-tokenizers.sh caches for tests. */
public final class TestTokenizers {
    private TestTokenizers() {
    }

    /** @return the model folder ({@code tokenizer.json} + {@code tokenizer_config.json}) of {@code llama3}, {@code llama3_1}, {@code qwen2_5} or {@code qwen3} */
    public static Path dir(String model) {
        String root = System.getProperty("kefu.tokenizers.dir");
        if (root == null) {
            throw new IllegalStateException("system property kefu.tokenizers.dir is not set (the parent POM sets it for tests)");
        }
        Path dir = Path.of(root, model);
        if (!Files.isRegularFile(dir.resolve("tokenizer.json")) || !Files.isRegularFile(dir.resolve("tokenizer_config.json"))) {
            throw new IllegalStateException(dir + " lacks tokenizer.json/tokenizer_config.json: run scripts/fetch-tokenizers.sh");
        }
        return dir;
    }
}
