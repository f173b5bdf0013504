package io.kefu.engine.djl;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatTemplate;
import io.kefu.runtime.format.GenerationConfig;
import io.kefu.runtime.format.HfModelConfig;
import io.kefu.runtime.tokenize.HfTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/** What a model folder's tokenizer and configs say about stopping. */
final class ModelFolder {
    private ModelFolder() {
    }

    /**
     * @return the ids generation stops on: generation_config.json's EOS ids (else config.json's,
     *     else the tokenizer's eos_token) plus the chat template's end-of-turn token
     */
    static List<Integer> stopTokenIds(HfTokenizer tokenizer, ChatTemplate template, HfModelConfig config,
                                      Optional<GenerationConfig> generation) {
        List<Integer> ids = new ArrayList<>(generation.map(GenerationConfig::eosTokenIds).orElse(List.of()));
        if (ids.isEmpty()) {
            ids.addAll(config.eosTokenIds());
        }
        if (ids.isEmpty()) {
            tokenizer.eosToken().flatMap(t -> boxed(tokenizer.tokenId(t))).ifPresent(ids::add);
        }
        Optional<Integer> endOfTurn = boxed(tokenizer.tokenId(template.endOfTurn()));
        if (endOfTurn.isEmpty()) {
            int[] encoded = tokenizer.encode(template.endOfTurn());
            if (encoded.length == 1) {
                endOfTurn = Optional.of(encoded[0]);
            }
        }
        endOfTurn.filter(id -> !ids.contains(id)).ifPresent(ids::add);
        if (ids.isEmpty()) {
            throw new KefuException(ErrorCode.INVALID_CHECKPOINT, "the model has no EOS token id and its chat template's "
                    + "end of turn '" + template.endOfTurn() + "' is not a single token; generation could not stop");
        }
        return ids;
    }

    /** @return generation_config.json contents whose EOS list also holds the template's end of turn */
    static GenerationConfig generationConfig(HfTokenizer tokenizer, ChatTemplate template, HfModelConfig config,
                                             Optional<GenerationConfig> existing) {
        List<Integer> stops = stopTokenIds(tokenizer, template, config, existing);
        OptionalInt bos = existing.map(GenerationConfig::bosTokenId).orElse(config.bosTokenId());
        if (bos.isEmpty()) {
            Optional<Integer> fromTokenizer = tokenizer.bosToken().flatMap(t -> boxed(tokenizer.tokenId(t)));
            bos = fromTokenizer.map(OptionalInt::of).orElse(OptionalInt.empty());
        }
        OptionalInt pad = existing.map(GenerationConfig::padTokenId).orElse(OptionalInt.empty());
        return new GenerationConfig(bos, stops, pad);
    }

    static Optional<Integer> boxed(OptionalInt value) {
        return value.isPresent() ? Optional.of(value.getAsInt()) : Optional.empty();
    }

    static Path requireDirectory(Path dir, String what) {
        if (!java.nio.file.Files.isDirectory(dir)) {
            throw new KefuException(ErrorCode.NOT_FOUND, what + " folder '" + dir + "' does not exist");
        }
        return dir;
    }
}
