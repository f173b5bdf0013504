package io.kefu.core.generate;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatChunk;
import io.kefu.chat.ChatResponse;
import io.kefu.chat.ChatStream;
import io.kefu.chat.FinishReason;
import io.kefu.chat.ChatTemplate;
import io.kefu.chat.GenerationParameters;
import io.kefu.core.format.GenerationConfig;
import io.kefu.core.format.HfModelConfig;
import io.kefu.core.tokenize.HfTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;

/**
 * Generates answers for a batch of prompts with any engine's {@link Decoder}: one prefill, then one
 * step per token, with sampling ({@link Sampler}), stopping ({@link StopCondition}) and
 * UTF-8-safe detokenisation ({@link IncrementalDetokenizer}) done here, the same for every engine.
 *
 * <p>Each row has its own parameters, seed and stop condition and finishes on its own; finished
 * rows are fed their last token until the whole batch is done. A row ends with
 * {@link FinishReason#STOP} on a stop token (not part of the answer) or a stop string (cut off with
 * what follows), {@link FinishReason#LENGTH} at {@code maxNewTokens} or when the decoder's
 * {@link Decoder#maxSequenceLength()} is full, {@link FinishReason#CANCELLED} when its stream is
 * cancelled. {@code usage.completionTokens} counts every token generated, the stop token included.
 *
 * <p>The loop takes ownership of the decoder it is given and closes it when generation ends.
 * A {@code GenerationLoop} holds no per-request state: one instance serves any number of requests,
 * from any number of threads.
 *
 * <pre>{@code
 * GenerationLoop loop = GenerationLoop.forModel(tokenizer, template, GenerationLoop.modelEosTokenIds(modelDir));
 * ChatResponse answer = loop.generate(engine.newDecoder(), promptIds, request.parameters());
 * }</pre>
 */
public final class GenerationLoop {
    private final Function<int[], String> decode;
    private final IntFunction<String> tokenText;
    private final Set<Integer> stopTokenIds;

    private GenerationLoop(Builder b) {
        this.decode = b.decode;
        this.tokenText = b.tokenText != null ? b.tokenText : id -> b.decode.apply(new int[] {id});
        this.stopTokenIds = Set.copyOf(b.stopTokenIds);
    }

    /**
     * The loop for a model and its tokenizer: answers decoded without special tokens, stopping on
     * the model's EOS ids and the chat template's end-of-turn token.
     *
     * @param eosTokenIds the model's EOS ids, e.g. {@link #modelEosTokenIds(Path)}
     * @throws KefuException with {@link ErrorCode#INVALID_CHECKPOINT} when the template's end of turn
     *     is not a single token of the tokenizer
     */
    public static GenerationLoop forModel(HfTokenizer tokenizer, ChatTemplate template,
                                          Collection<Integer> eosTokenIds) {
        String endOfTurn = template.endOfTurn();
        OptionalInt endOfTurnId = tokenizer.tokenId(endOfTurn);
        if (endOfTurnId.isEmpty()) {
            throw new KefuException(ErrorCode.INVALID_CHECKPOINT, tokenizer.dir() + ": the chat template ends a turn with '"
                    + endOfTurn + "', which is not a single token of this tokenizer, so generation could not stop there");
        }
        return builder()
                .decode(ids -> tokenizer.decode(ids, true))
                .tokenText(id -> tokenizer.decode(new int[] {id}, false))
                .stopTokenIds(StopCondition.stopTokenIds(eosTokenIds, endOfTurnId))
                .build();
    }

    /**
     * @return the EOS ids of a model folder: {@code generation_config.json}'s {@code eos_token_id}
     *     when present (transformers' generate uses it), else config.json's
     */
    public static List<Integer> modelEosTokenIds(Path modelDir) {
        Optional<GenerationConfig> generation = GenerationConfig.load(modelDir);
        if (generation.isPresent() && !generation.get().eosTokenIds().isEmpty()) {
            return generation.get().eosTokenIds();
        }
        return HfModelConfig.load(modelDir).eosTokenIds();
    }

    /** @return a builder; {@code decode} and {@code stopTokenIds} are required */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the ids every row stops on */
    public Set<Integer> stopTokenIds() {
        return stopTokenIds;
    }

    /** Generates one answer; closes the decoder. */
    public ChatResponse generate(Decoder decoder, int[] prompt, GenerationParameters params) {
        return generate(decoder, List.of(prompt), List.of(params)).get(0);
    }

    /**
     * Generates answers for a batch, decoded together; closes the decoder.
     *
     * @param prompts one non-empty prompt per row
     * @param params one set of parameters per row (or a single one for all rows)
     * @return one response per row, in row order
     * @throws KefuException {@link ErrorCode#INVALID_REQUEST} on empty or overlong prompts,
     *     {@link ErrorCode#ENGINE_FAILURE} when the decoder fails
     */
    public List<ChatResponse> generate(Decoder decoder, List<int[]> prompts, List<GenerationParameters> params) {
        try (decoder) {
            List<SequenceState> rows = rows(decoder, prompts, params);
            long start = System.nanoTime();
            run(decoder, rows, row -> false, (row, chunk) -> { });
            List<ChatResponse> out = new ArrayList<>(rows.size());
            for (SequenceState row : rows) {
                out.add(row.response(start));
            }
            return out;
        }
    }

    /**
     * Starts generating one answer on a background thread and returns at once; the decoder is
     * used only from that thread and closed when generation ends.
     *
     * @throws KefuException {@link ErrorCode#INVALID_REQUEST} on an empty or overlong prompt
     */
    public ChatStream stream(Decoder decoder, int[] prompt, GenerationParameters params) {
        return streamBatch(decoder, List.of(prompt), List.of(params)).get(0);
    }

    /**
     * Starts generating a batch on one background thread; each row gets its own stream, which can
     * be cancelled without stopping the others. The decoder is closed once every row has ended.
     */
    public List<ChatStream> streamBatch(Decoder decoder, List<int[]> prompts, List<GenerationParameters> params) {
        List<SequenceState> rows;
        try {
            rows = rows(decoder, prompts, params);
        } catch (RuntimeException e) {
            decoder.close();
            throw e;
        }
        return GeneratedStream.start(rows, (cancelled, sink) -> {
            try (decoder) {
                run(decoder, rows, cancelled, sink);
            }
        });
    }

    private List<SequenceState> rows(Decoder decoder, List<int[]> prompts, List<GenerationParameters> params) {
        if (prompts.isEmpty()) {
            throw new KefuException(ErrorCode.INVALID_REQUEST, "a generation batch needs at least one prompt");
        }
        if (params.size() != prompts.size() && params.size() != 1) {
            throw new KefuException(ErrorCode.INVALID_REQUEST, "got " + params.size() + " parameter sets for "
                    + prompts.size() + " prompts; give one per prompt or one for all");
        }
        List<SequenceState> rows = new ArrayList<>(prompts.size());
        for (int i = 0; i < prompts.size(); i++) {
            int[] prompt = prompts.get(i);
            if (prompt == null || prompt.length == 0) {
                throw new KefuException(ErrorCode.INVALID_REQUEST, "prompt " + i + " has no tokens");
            }
            if (prompt.length >= decoder.maxSequenceLength()) {
                throw new KefuException(ErrorCode.INVALID_REQUEST, "prompt " + i + " has " + prompt.length
                        + " tokens; the model holds at most " + decoder.maxSequenceLength()
                        + " positions, leaving no room for an answer");
            }
            for (int id : prompt) {
                if (id < 0 || id >= decoder.vocabSize()) {
                    throw new KefuException(ErrorCode.INVALID_REQUEST, "prompt " + i + " holds token id " + id
                            + ", outside the vocabulary of " + decoder.vocabSize());
                }
            }
            rows.add(new SequenceState(prompt, params.get(params.size() == 1 ? 0 : i), stopTokenIds, decode, tokenText));
        }
        return rows;
    }

    /** Receives the chunks of each row as they are produced, and each row's end. */
    interface Sink {
        void chunk(int row, ChatChunk chunk);

        default void finished(int row) {
        }
    }

    private static void run(Decoder decoder, List<SequenceState> rows, IntPredicate cancelled, Sink sink) {
        int n = rows.size();
        int[][] prompts = new int[n][];
        for (int i = 0; i < n; i++) {
            prompts[i] = rows.get(i).promptIds();
        }
        float[][] logits = checked(callDecoder(() -> decoder.prefill(prompts)), n, decoder.vocabSize());
        int[] next = new int[n];
        while (true) {
            boolean anyRunning = false;
            for (int i = 0; i < n; i++) {
                SequenceState row = rows.get(i);
                if (row.isFinished()) {
                    next[i] = row.lastToken();
                    continue;
                }
                ChatChunk chunk = cancelled.test(i) ? row.end(FinishReason.CANCELLED)
                        : row.advance(logits[i], decoder.maxSequenceLength());
                if (chunk != null) {
                    sink.chunk(i, chunk);
                }
                if (row.isFinished()) {
                    sink.finished(i);
                } else {
                    anyRunning = true;
                }
                next[i] = row.lastToken();
            }
            if (!anyRunning) {
                return;
            }
            logits = checked(callDecoder(() -> decoder.step(next.clone())), n, decoder.vocabSize());
        }
    }

    private static float[][] callDecoder(java.util.function.Supplier<float[][]> call) {
        try {
            return call.get();
        } catch (KefuException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new KefuException(ErrorCode.ENGINE_FAILURE, "the engine failed while decoding: " + e, e);
        }
    }

    private static float[][] checked(float[][] logits, int rows, int vocab) {
        if (logits == null || logits.length != rows) {
            throw new KefuException(ErrorCode.ENGINE_FAILURE, "the decoder returned logits for "
                    + (logits == null ? 0 : logits.length) + " rows, expected " + rows);
        }
        for (float[] row : logits) {
            if (row == null || row.length != vocab) {
                throw new KefuException(ErrorCode.ENGINE_FAILURE, "the decoder returned " + (row == null ? 0 : row.length)
                        + " logits for a row, expected vocabSize() = " + vocab);
            }
        }
        return logits;
    }

    /** Builds a {@link GenerationLoop}. */
    public static final class Builder {
        private Function<int[], String> decode;
        private IntFunction<String> tokenText;
        private Collection<Integer> stopTokenIds;

        private Builder() {
        }

        /** @param value decodes generated ids to answer text, e.g. skipping special tokens (required) */
        public Builder decode(Function<int[], String> value) {
            this.decode = Objects.requireNonNull(value, "decode");
            return this;
        }

        /** @param value spells one token for {@link io.kefu.chat.TokenLogprob} (default: decode of the single id) */
        public Builder tokenText(IntFunction<String> value) {
            this.tokenText = Objects.requireNonNull(value, "tokenText");
            return this;
        }

        /** @param value the ids generation stops on: EOS ids plus the template's end-of-turn id (required) */
        public Builder stopTokenIds(Collection<Integer> value) {
            this.stopTokenIds = List.copyOf(Objects.requireNonNull(value, "stopTokenIds"));
            return this;
        }

        /**
         * @return the loop
         * @throws KefuException with {@link ErrorCode#INVALID_ARGUMENT} when decode or stop ids are missing
         */
        public GenerationLoop build() {
            if (decode == null) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "GenerationLoop needs a decode function");
            }
            if (stopTokenIds == null || stopTokenIds.isEmpty()) {
                throw new KefuException(ErrorCode.INVALID_ARGUMENT, "GenerationLoop needs at least one stop token id"
                        + " (the model's EOS or the template's end-of-turn), or answers never end before maxNewTokens");
            }
            return new GenerationLoop(this);
        }
    }
}
