package io.kefu.runtime.tokenize;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import ai.djl.huggingface.tokenizers.jni.CharSpan;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.runtime.format.Json;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.HashSet;

/**
 * A model's Hugging Face fast tokenizer ({@code tokenizer.json}), run by the Rust
 * {@code tokenizers} library through DJL.
 *
 * <p>{@link #encode(String)} behaves like transformers'
 * {@code tokenizer(text, add_special_tokens=False)}: no BOS/EOS is added (chat templates write
 * them), no truncation, no padding, and special-token text such as {@code <|im_start|>} maps to
 * its id. Decoding does not apply {@code clean_up_tokenization_spaces}, so decoded text is the
 * text that was encoded. Thread-safe; {@link #close()} frees the native tokenizer.
 */
public final class HfTokenizer implements AutoCloseable {
    private final Path dir;
    private final HuggingFaceTokenizer tokenizer;
    private final TokenizerConfig config;
    private final Path file;
    /** Read on first use: encoding and decoding do not need it, and it costs a second parse of tokenizer.json. */
    private volatile Vocabulary vocabulary;
    private volatile boolean closed;

    private HfTokenizer(Path dir, HuggingFaceTokenizer tokenizer, TokenizerConfig config) {
        this.dir = dir;
        this.file = dir.resolve("tokenizer.json");
        this.tokenizer = tokenizer;
        this.config = config;
    }

    private Vocabulary vocabulary() {
        Vocabulary v = vocabulary;
        if (v == null) {
            synchronized (this) {
                v = vocabulary;
                if (v == null) {
                    v = Vocabulary.read(file);
                    vocabulary = v;
                }
            }
        }
        return v;
    }

    /**
     * Loads {@code tokenizer.json} and {@code tokenizer_config.json} from a model folder.
     *
     * @throws KefuException {@link ErrorCode#NOT_FOUND} when a file is missing,
     *     {@link ErrorCode#INVALID_CHECKPOINT} when the tokenizer cannot be read
     */
    public static HfTokenizer load(Path modelDir) {
        Path file = modelDir.resolve("tokenizer.json");
        if (!Files.isRegularFile(file)) {
            throw new KefuException(ErrorCode.NOT_FOUND, file + ": not found; a model folder needs tokenizer.json"
                    + " (the fast tokenizer); slow tokenizers (tokenizer.model, vocab.json) are not supported");
        }
        TokenizerConfig config = TokenizerConfig.read(modelDir);
        try {
            HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(file, Map.of(
                    "addSpecialTokens", "false",
                    "truncation", "false",
                    "padding", "false"));
            return new HfTokenizer(modelDir, tokenizer, config);
        } catch (IOException | RuntimeException e) {
            throw new KefuException(ErrorCode.INVALID_CHECKPOINT, file + ": cannot load the tokenizer: " + e.getMessage(), e);
        }
    }

    /** @return the token ids of {@code text}, without added special tokens */
    public int[] encode(String text) {
        return encodeWithOffsets(text).ids();
    }

    /**
     * Encodes and reports where each token comes from.
     *
     * @return ids and, per token, the [start, end) range of {@code text} (UTF-16 indices) it covers
     */
    public Tokens encodeWithOffsets(String text) {
        checkOpen();
        Encoding encoding = tokenizer.encode(text, false, false);
        long[] ids = encoding.getIds();
        int[] out = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            out[i] = Math.toIntExact(ids[i]);
        }
        // the native library reports offsets in code points; callers index Java strings in UTF-16 units
        int[] utf16At = new int[text.codePointCount(0, text.length()) + 1];
        for (int cp = 0, at = 0; cp < utf16At.length; cp++) {
            utf16At[cp] = at;
            if (at < text.length()) {
                at += Character.charCount(text.codePointAt(at));
            }
        }
        CharSpan[] spans = encoding.getCharTokenSpans();
        int[] starts = new int[spans.length];
        int[] ends = new int[spans.length];
        for (int i = 0; i < spans.length; i++) {
            int start = spans[i] == null ? 0 : Math.min(spans[i].getStart(), utf16At.length - 1);
            int end = spans[i] == null ? 0 : Math.min(spans[i].getEnd(), utf16At.length - 1);
            starts[i] = utf16At[start];
            ends[i] = utf16At[Math.max(start, end)];
        }
        return new Tokens(out, starts, ends);
    }

    /** @return the text of {@code ids}, special tokens included */
    public String decode(int[] ids) {
        return decode(ids, false);
    }

    /** @return the text of {@code ids}; with {@code skipSpecialTokens}, special tokens are left out */
    public String decode(int[] ids, boolean skipSpecialTokens) {
        checkOpen();
        long[] longs = new long[ids.length];
        for (int i = 0; i < ids.length; i++) {
            if (ids[i] < 0 || ids[i] >= vocabSize()) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT,
                        "token id " + ids[i] + " at position " + i + " is outside the vocabulary [0, " + vocabSize() + ")");
            }
            longs[i] = ids[i];
        }
        return tokenizer.decode(longs, skipSpecialTokens);
    }

    /** @return the id of a token given as it appears in the vocabulary (e.g. {@code <|im_end|>}), if it has one */
    public OptionalInt tokenId(String token) {
        Integer id = vocabulary().added().get(token);
        if (id == null) {
            id = vocabulary().vocab().get(token);
        }
        return id == null ? OptionalInt.empty() : OptionalInt.of(id);
    }

    /** @return whether {@code id} is a special token (an added token marked special) */
    public boolean isSpecial(int id) {
        return vocabulary().specialIds().contains(id);
    }

    /** @return the text of every added token marked special (e.g. {@code <|im_start|>}, {@code <|eot_id|>}) */
    public Set<String> specialTokens() {
        Vocabulary v = vocabulary();
        Set<String> out = new HashSet<>();
        v.added().forEach((content, id) -> {
            if (v.specialIds().contains(id)) {
                out.add(content);
            }
        });
        return Set.copyOf(out);
    }

    /** @return the number of ids: the model vocabulary plus added tokens (transformers' {@code len(tokenizer)}) */
    public int vocabSize() {
        return vocabulary().size();
    }

    /** @return {@code bos_token} of tokenizer_config.json, if set */
    public Optional<String> bosToken() {
        return config.bosToken();
    }

    /** @return {@code eos_token} of tokenizer_config.json, if set */
    public Optional<String> eosToken() {
        return config.eosToken();
    }

    /** @return what tokenizer_config.json says (chat template, special tokens) */
    public TokenizerConfig config() {
        return config;
    }

    /** @return the model folder this tokenizer was loaded from */
    public Path dir() {
        return dir;
    }

    private void checkOpen() {
        if (closed) {
            throw new KefuException(ErrorCode.CLOSED, "tokenizer of " + dir + " is closed");
        }
    }

    /** Frees the native tokenizer; idempotent. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            tokenizer.close();
        }
    }

    /**
     * Token ids of a text with the character range each token covers.
     *
     * @param ids the token ids
     * @param starts per token, the first UTF-16 index of the text it covers
     * @param ends per token, the UTF-16 index after the text it covers
     */
    public record Tokens(int[] ids, int[] starts, int[] ends) {
        /** @return the number of tokens */
        public int size() {
            return ids.length;
        }
    }

    /** The vocabulary of tokenizer.json: {@code model.vocab} and {@code added_tokens}, read as a stream. */
    private record Vocabulary(Map<String, Integer> vocab, Map<String, Integer> added, Set<Integer> specialIds, int size) {
        static Vocabulary read(Path file) {
            Map<String, Integer> vocab = new HashMap<>();
            Map<String, Integer> added = new HashMap<>();
            Set<Integer> special = new HashSet<>();
            try (InputStream in = Files.newInputStream(file);
                 JsonParser parser = Json.mapper().getFactory().createParser(in)) {
                if (parser.nextToken() != JsonToken.START_OBJECT) {
                    throw new IOException("expected a JSON object");
                }
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String field = parser.currentName();
                    JsonToken value = parser.nextToken();
                    if (field.equals("added_tokens") && value == JsonToken.START_ARRAY) {
                        readAdded(parser, added, special);
                    } else if (field.equals("model") && value == JsonToken.START_OBJECT) {
                        readModel(parser, vocab);
                    } else {
                        parser.skipChildren();
                    }
                }
            } catch (IOException e) {
                throw new KefuException(ErrorCode.INVALID_CHECKPOINT, file + ": not a valid tokenizer.json: " + e.getMessage(), e);
            }
            int max = -1;
            for (int id : vocab.values()) {
                max = Math.max(max, id);
            }
            for (int id : added.values()) {
                max = Math.max(max, id);
            }
            return new Vocabulary(vocab, added, special, max + 1);
        }

        private static void readAdded(JsonParser parser, Map<String, Integer> added, Set<Integer> special) throws IOException {
            while (parser.nextToken() == JsonToken.START_OBJECT) {
                Integer id = null;
                String content = null;
                boolean isSpecial = false;
                while (parser.nextToken() == JsonToken.FIELD_NAME) {
                    String name = parser.currentName();
                    parser.nextToken();
                    switch (name) {
                        case "id" -> id = parser.getIntValue();
                        case "content" -> content = parser.getText();
                        case "special" -> isSpecial = parser.getBooleanValue();
                        default -> parser.skipChildren();
                    }
                }
                if (id != null && content != null) {
                    added.put(content, id);
                    if (isSpecial) {
                        special.add(id);
                    }
                }
            }
        }

        private static void readModel(JsonParser parser, Map<String, Integer> vocab) throws IOException {
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if (name.equals("vocab") && value == JsonToken.START_OBJECT) {
                    while (parser.nextToken() == JsonToken.FIELD_NAME) {
                        String token = parser.currentName();
                        parser.nextToken();
                        vocab.put(token, parser.getIntValue());
                    }
                } else if (name.equals("vocab") && value == JsonToken.START_ARRAY) {
                    // Unigram: [[piece, score], ...], the id is the position
                    int id = 0;
                    while (parser.nextToken() == JsonToken.START_ARRAY) {
                        parser.nextToken();
                        vocab.put(parser.getText(), id++);
                        while (parser.nextToken() != JsonToken.END_ARRAY) {
                            parser.skipChildren();
                        }
                    }
                } else {
                    parser.skipChildren();
                }
            }
        }
    }
}
