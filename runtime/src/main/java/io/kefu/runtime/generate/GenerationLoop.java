package io.kefu.runtime.generate;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatResponse;
import io.kefu.chat.ChatStream;
import io.kefu.chat.ChatTemplate;
import io.kefu.chat.FinishReason;
import io.kefu.chat.GenerationParameters;
import io.kefu.runtime.format.GenerationConfig;
import io.kefu.runtime.format.HfModelConfig;
import io.kefu.runtime.tokenize.HfTokenizer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.IntFunction;

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
 * <p>This decodes one fixed batch from start to end; {@link ContinuousBatcher} lets requests join
 * and leave a running batch, with the same per-row rules.
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
    private static final AtomicInteger THREADS = new AtomicInteger();

    private final Function<int[], String> decode;
    private final IntFunction<String> tokenText;
    private final Set<Integer> stopTokenIds;
    private final int spellableIds;

    private GenerationLoop(Builder b) {
        this.decode = b.decode;
        this.spellableIds = b.spellableIds;
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
                .spellableIds(tokenizer.vocabSize())
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
            List<SequenceState> states = states(decoder, prompts, params);
            long start = System.nanoTime();
            List<ResponseFuture> answers = new ArrayList<>(states.size());
            List<Row> rows = new ArrayList<>(states.size());
            for (SequenceState state : states) {
                ResponseFuture answer = new ResponseFuture();
                answers.add(answer);
                rows.add(new Row(state, answer, start));
            }
            run(decoder, rows);
            List<ChatResponse> out = new ArrayList<>(rows.size());
            for (ResponseFuture answer : answers) {
                out.add(answer.await());
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
     * be cancelled without stopping the others. The decoder is closed once every row has ended;
     * closing the last stream that was running waits for that.
     */
    public List<ChatStream> streamBatch(Decoder decoder, List<int[]> prompts, List<GenerationParameters> params) {
        List<SequenceState> states;
        try {
            states = states(decoder, prompts, params);
        } catch (RuntimeException e) {
            decoder.close();
            throw e;
        }
        long start = System.nanoTime();
        CompletableFuture<Void> decoderClosed = new CompletableFuture<>();
        List<GeneratedStream> streams = new ArrayList<>(states.size());
        Runnable waitForDecoder = () -> {
            if (streams.stream().allMatch(GeneratedStream::isDone)) {
                decoderClosed.join();
            }
        };
        List<Row> rows = new ArrayList<>(states.size());
        for (SequenceState state : states) {
            GeneratedStream stream = new GeneratedStream(waitForDecoder);
            streams.add(stream);
            rows.add(new Row(state, stream, start));
        }
        Thread thread = new Thread(() -> {
            try (decoder) {
                run(decoder, rows);
            } catch (Throwable t) {
                KefuException failure = t instanceof KefuException k ? k
                        : new KefuException(ErrorCode.ENGINE_FAILURE, "generation failed: " + t, t);
                rows.forEach(row -> row.fail(failure));
                if (t instanceof Error e) {
                    throw e;
                }
            } finally {
                decoderClosed.complete(null);
            }
        }, "kefu-generate-" + THREADS.incrementAndGet());
        thread.setDaemon(true);
        thread.start();
        return List.copyOf(streams);
    }

    private List<SequenceState> states(Decoder decoder, List<int[]> prompts, List<GenerationParameters> params) {
        if (prompts.isEmpty()) {
            throw new KefuException(ErrorCode.INVALID_REQUEST, "a generation batch needs at least one prompt");
        }
        if (params.size() != prompts.size() && params.size() != 1) {
            throw new KefuException(ErrorCode.INVALID_REQUEST, "got " + params.size() + " parameter sets for "
                    + prompts.size() + " prompts; give one per prompt or one for all");
        }
        List<SequenceState> states = new ArrayList<>(prompts.size());
        for (int i = 0; i < prompts.size(); i++) {
            states.add(SequenceState.checked("prompt " + i, prompts.get(i), params.get(params.size() == 1 ? 0 : i), this,
                    decoder.vocabSize(), decoder.maxSequenceLength()));
        }
        return states;
    }

    /**
     * Decodes a fixed batch until every row has ended; finished rows are fed their last token. A
     * decoder failure ends every row still running with it.
     */
    private static void run(Decoder decoder, List<Row> rows) {
        int n = rows.size();
        int vocab = decoder.vocabSize();
        int maxLength = decoder.maxSequenceLength();
        int[][] prompts = new int[n][];
        for (int i = 0; i < n; i++) {
            prompts[i] = rows.get(i).promptIds();
        }
        try {
            float[][] logits = DecoderCalls.logits(() -> decoder.prefill(prompts), n, vocab);
            int[] next = new int[n];
            while (true) {
                boolean anyRunning = false;
                for (int i = 0; i < n; i++) {
                    Row row = rows.get(i);
                    if (!row.isFinished()) {
                        row.advance(logits[i], maxLength);
                    }
                    anyRunning |= !row.isFinished();
                    next[i] = row.lastToken();
                }
                if (!anyRunning) {
                    return;
                }
                logits = DecoderCalls.logits(() -> decoder.step(next.clone()), n, vocab);
            }
        } catch (KefuException e) {
            rows.forEach(row -> row.fail(e));
        }
    }

    Function<int[], String> decodeFunction() {
        return decode;
    }

    int spellableIds() {
        return spellableIds;
    }

    IntFunction<String> tokenText() {
        return tokenText;
    }

    /** Builds a {@link GenerationLoop}. */
    public static final class Builder {
        private Function<int[], String> decode;
        private IntFunction<String> tokenText;
        private Collection<Integer> stopTokenIds;
        private int spellableIds = Integer.MAX_VALUE;

        private Builder() {
        }

        /**
         * @param value how many ids the tokenizer has (default: every id of the model's logits); a model's vocabulary
         *     is often padded past it, and the padding ids are never picked
         */
        public Builder spellableIds(int value) {
            this.spellableIds = value;
            return this;
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
