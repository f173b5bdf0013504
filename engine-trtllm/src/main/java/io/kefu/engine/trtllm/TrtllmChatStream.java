package io.kefu.engine.trtllm;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatChunk;
import io.kefu.chat.ChatResponse;
import io.kefu.chat.ChatStream;
import io.kefu.chat.FinishReason;
import io.kefu.chat.TokenLogprob;
import io.kefu.chat.Usage;
import io.kefu.runtime.generate.IncrementalDetokenizer;
import io.kefu.runtime.tokenize.HfTokenizer;
import io.kefu.engine.trtllm.internal.NativeResponse;
import io.kefu.engine.trtllm.internal.ResponseSink;
import io.kefu.engine.trtllm.internal.Status;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.LongConsumer;

/**
 * One request's answer. The poller thread only queues what arrives; the consumer's thread turns
 * tokens into text (UTF-8-safe, holding back text that may be the start of a stop string), so a
 * slow tokenizer never stalls other requests.
 */
final class TrtllmChatStream implements ChatStream, ResponseSink {
    private static final Object CANCEL = new Object();

    private final HfTokenizer tokenizer;
    private final int[] prompt;
    private final int[] endIds;
    private final List<String> stops;
    private final int holdBack;
    private final boolean logprobs;
    private final LongConsumer canceller;
    private final long startNanos = System.nanoTime();
    private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    private final Deque<ChatChunk> settled = new ArrayDeque<>();
    private final Runnable onFinished;
    private final IncrementalDetokenizer detokenizer;
    private final StringBuilder text = new StringBuilder();
    private final List<Integer> tokenIds = new ArrayList<>();
    private final List<TokenLogprob> tokenLogprobs = new ArrayList<>();
    private String pending = "";
    private volatile long requestId = -1;
    private volatile boolean nativeDone;
    private volatile boolean cancelled;
    private volatile ChatResponse response;
    private KefuException failure;
    private boolean iterated;

    TrtllmChatStream(HfTokenizer tokenizer, int[] prompt, int[] endIds, List<String> stops, boolean logprobs, LongConsumer canceller,
                     Runnable onFinished) {
        this.onFinished = onFinished;
        this.tokenizer = tokenizer;
        this.prompt = prompt;
        this.endIds = endIds;
        this.stops = stops;
        this.holdBack = stops.stream().mapToInt(String::length).max().orElse(1) - 1;
        this.logprobs = logprobs;
        this.canceller = canceller;
        this.detokenizer = new IncrementalDetokenizer(ids -> tokenizer.decode(ids, true));
    }

    void started(long id) {
        this.requestId = id;
    }

    KefuException failure() {
        return failure;
    }

    @Override
    public void onResponse(NativeResponse r) {
        if (r.isFinal()) {
            nativeDone = true;
        }
        events.add(r);
    }

    @Override
    public void onFailure(KefuException e) {
        nativeDone = true;
        events.add(e);
    }

    @Override
    public synchronized Iterator<ChatChunk> iterator() {
        if (iterated) {
            throw new IllegalStateException("a ChatStream may be iterated once");
        }
        iterated = true;
        return new Iterator<>() {
            private ChatChunk next;

            @Override
            public boolean hasNext() {
                while (next == null && (next = takeSettled()) == null && response == null) {
                    next = advance();
                }
                if (next == null && failure != null) {
                    throw failure;
                }
                return next != null;
            }

            @Override
            public ChatChunk next() {
                if (!hasNext()) {
                    throw new NoSuchElementException("the stream has ended");
                }
                ChatChunk out = next;
                next = null;
                return out;
            }
        };
    }

    private synchronized ChatChunk takeSettled() {
        return settled.poll();
    }

    /**
     * Turns every event into chunks now, while the tokenizer is still open; called by the model's
     * close once every request has its final event. Iteration then replays the chunks.
     */
    synchronized void settle() {
        while (response == null) {
            ChatChunk chunk = advance();
            if (chunk != null) {
                settled.add(chunk);
            }
        }
    }

    /** Takes one event and returns the chunk it makes, if any; sets {@link #response} at the end. */
    private synchronized ChatChunk advance() {
        if (response != null) {
            return null;
        }
        Object event;
        try {
            event = events.take();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cancel();
            finish(FinishReason.CANCELLED);
            return null;
        }
        if (cancelled || event == CANCEL) {
            finish(FinishReason.CANCELLED);
            return null;
        }
        if (event instanceof KefuException e) {
            failure = e;
            finish(FinishReason.ERROR);
            return null;
        }
        NativeResponse r = (NativeResponse) event;
        if (r.error() != Status.OK) {
            failure = new KefuException(r.error().errorCode(), "TensorRT-LLM request " + r.requestId() + " failed after "
                    + tokenIds.size() + " tokens: " + r.errorMessage());
            finish(FinishReason.ERROR);
            return null;
        }
        List<Integer> chunkIds = new ArrayList<>();
        List<TokenLogprob> chunkLogprobs = new ArrayList<>();
        StringBuilder delta = new StringBuilder();
        for (int i = 0; i < r.tokens().length; i++) {
            int token = r.tokens()[i];
            if (isEndId(token)) {
                continue;
            }
            chunkIds.add(token);
            tokenIds.add(token);
            if (logprobs && r.logprobs() != null) {
                TokenLogprob lp = new TokenLogprob(token, tokenizer.decode(new int[] {token}, false), r.logprobs()[i]);
                chunkLogprobs.add(lp);
                tokenLogprobs.add(lp);
            }
            delta.append(detokenizer.add(token));
        }
        if (r.isFinal()) {
            delta.append(detokenizer.flush());
        }
        String emitted = emit(delta.toString(), r.isFinal());
        if (response == null && r.isFinal()) {
            finish(switch (r.finish()) {
                case LENGTH -> FinishReason.LENGTH;
                case CANCELLED -> FinishReason.CANCELLED;
                case ERROR, NOT_FINISHED -> FinishReason.ERROR;
                default -> FinishReason.STOP;
            });
        }
        if (chunkIds.isEmpty() && emitted.isEmpty()) {
            return null;
        }
        return new ChatChunk(emitted, chunkIds, chunkLogprobs);
    }

    /** Appends new text, cutting at a stop string; returns what the caller may see now. */
    private String emit(String delta, boolean last) {
        String combined = pending + delta;
        int cut = -1;
        for (String stop : stops) {
            int at = combined.indexOf(stop);
            if (at >= 0 && (cut < 0 || at < cut)) {
                cut = at;
            }
        }
        String out;
        if (cut >= 0) {
            out = combined.substring(0, cut);
            pending = "";
            text.append(out);
            finish(FinishReason.STOP);
            canceller.accept(requestId);
            return out;
        }
        int keep = last ? 0 : Math.min(holdBack, combined.length());
        int split = combined.length() - keep;
        if (split > 0 && split < combined.length() && Character.isLowSurrogate(combined.charAt(split))) {
            split--;
        }
        out = combined.substring(0, split);
        pending = combined.substring(split);
        text.append(out);
        return out;
    }

    private boolean isEndId(int token) {
        for (int id : endIds) {
            if (id == token) {
                return true;
            }
        }
        return false;
    }

    private void finish(FinishReason reason) {
        if (response != null) {
            return;
        }
        text.append(pending);
        pending = "";
        response = new ChatResponse(text.toString(), reason, new Usage(prompt.length, tokenIds.size()),
                Arrays.stream(prompt).boxed().toList(), tokenIds, tokenLogprobs, Duration.ofNanos(System.nanoTime() - startNanos));
        onFinished.run();
    }

    @Override
    public void cancel() {
        if (response != null || cancelled) {
            return;
        }
        cancelled = true;
        events.add(CANCEL);
        if (requestId >= 0 && !nativeDone) {
            try {
                canceller.accept(requestId);
            } catch (KefuException e) {
                if (e.code() != ErrorCode.CLOSED) {
                    throw e;
                }
            }
        }
    }

    /** @return whether the caller cancelled this stream */
    boolean isCancelled() {
        return cancelled;
    }

    @Override
    public boolean isDone() {
        return response != null || nativeDone || cancelled;
    }

    @Override
    public ChatResponse response() {
        while (response == null) {
            advance();
        }
        return response;
    }

    @Override
    public void close() {
        if (!isDone()) {
            cancel();
        }
    }
}
