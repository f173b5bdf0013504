package io.kefu.bench;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The tokenizer a benchmark builds its models with: the one given, else the Llama 3 tokenizer that
 * {@code scripts/fetch-tokenizers.sh} caches in {@code .cache/tokenizers/llama3} of the Kefu folder
 * the command runs in (or one above it).
 */
final class FetchedTokenizer {
    private FetchedTokenizer() {
    }

    /** @return {@code given}, else the fetched Llama 3 tokenizer */
    static Path orFetched(Path given) {
        if (given != null) {
            return given;
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve(".cache").resolve("tokenizers").resolve("llama3");
            if (Files.isRegularFile(candidate.resolve("tokenizer.json"))) {
                return candidate;
            }
        }
        throw new KefuException(ErrorCode.INVALID_ARGUMENT, "no tokenizer: pass --tokenizer DIR, or run scripts/fetch-tokenizers.sh"
                + " in the Kefu folder (it caches the Llama 3 tokenizer in .cache/tokenizers/llama3)");
    }
}
