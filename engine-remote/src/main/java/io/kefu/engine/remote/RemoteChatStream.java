package io.kefu.engine.remote;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.ChatChunk;
import io.kefu.chat.ChatResponse;
import io.kefu.chat.ChatStream;
import io.kefu.chat.FinishReason;
import io.kefu.chat.TokenLogprob;
import io.kefu.chat.Usage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A streamed answer read from server-sent events on a worker thread. Pieces go through a queue to
 * the iterating thread; {@link #cancel()} aborts the HTTP exchange (closing the connection, so the
 * server stops generating) and ends the stream at once with {@link FinishReason#CANCELLED}.
 */
final class RemoteChatStream implements ChatStream {
    private sealed interface Event permits Piece, End, Failure {
    }

    private record Piece(ChatChunk chunk) implements Event {
    }

    private record End(ChatResponse response) implements Event {
    }

    private record Failure(KefuException error) implements Event {
    }

    private final HttpTransport transport;
    private final Exchange exchange;
    private final Runnable onFinish;
    private final long startNanos = System.nanoTime();
    private final BlockingQueue<Event> queue = new LinkedBlockingQueue<>();
    private final CountDownLatch ended = new CountDownLatch(1);
    private final AtomicBoolean iterated = new AtomicBoolean();
    private final Object lock = new Object();
    private final StringBuilder text = new StringBuilder();
    private final List<TokenLogprob> logprobs = new ArrayList<>();
    private Usage usage;
    private Event terminal;

    RemoteChatStream(HttpTransport transport, Exchange exchange, Runnable onFinish) {
        this.transport = transport;
        this.exchange = exchange;
        this.onFinish = onFinish;
    }

    /** Reads the stream to its end; runs on a worker thread. */
    void run() {
        ScheduledFuture<?> idle = null;
        try (InputStream in = exchange.open()) {
            idle = armIdleTimer(null);
            SseReader events = new SseReader(in);
            FinishReason reason = null;
            boolean done = false;
            int count = 0;
            String data;
            while ((data = events.next()) != null) {
                idle = armIdleTimer(idle);
                if (data.equals(ChatCompletionsCodec.DONE)) {
                    done = true;
                    break;
                }
                count++;
                ChatCompletionsCodec.Delta delta = transport.codec().delta(
                        transport.codec().parse(data, "stream event " + count + " from " + exchange.uri()));
                if (delta.error() != null) {
                    throw new KefuException(ErrorCode.REMOTE, "remote server " + exchange.uri()
                            + " reported an error mid-stream: " + redact(delta.error()));
                }
                if (delta.finishReason() != null) {
                    reason = delta.finishReason();
                }
                synchronized (lock) {
                    if (delta.usage() != null) {
                        usage = delta.usage();
                    }
                }
                if (!delta.text().isEmpty() || !delta.logprobs().isEmpty()) {
                    emit(new ChatChunk(delta.text(), List.of(), delta.logprobs()));
                }
            }
            if (!done) {
                throw new KefuException(ErrorCode.REMOTE, "remote server " + exchange.uri()
                        + ": stream ended before [DONE] after " + count + " events");
            }
            finish(new End(response(reason == null ? FinishReason.STOP : reason)));
        } catch (KefuException e) {
            fail(e);
        } catch (IOException | UncheckedIOException e) {
            fail(new KefuException(ErrorCode.REMOTE, "remote server " + exchange.uri() + ": stream broke off: "
                    + e.getMessage(), e));
        } catch (RuntimeException e) {
            fail(new KefuException(ErrorCode.INTERNAL, "reading the stream from " + exchange.uri() + " failed: " + e, e));
        } finally {
            if (idle != null) {
                idle.cancel(false);
            }
            onFinish.run();
        }
    }

    @Override
    public Iterator<ChatChunk> iterator() {
        if (!iterated.compareAndSet(false, true)) {
            throw new KefuException(ErrorCode.INVALID_ARGUMENT, "a ChatStream can be iterated only once");
        }
        return new Iterator<>() {
            private ChatChunk next;
            private boolean over;

            @Override
            public boolean hasNext() {
                if (next != null) {
                    return true;
                }
                if (over) {
                    return false;
                }
                Event event;
                try {
                    event = queue.take();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    cancel();
                    throw new KefuException(ErrorCode.CANCELLED, "interrupted while waiting for the stream from " + exchange.uri());
                }
                if (event instanceof Piece piece) {
                    next = piece.chunk();
                    return true;
                }
                over = true;
                if (event instanceof Failure failure) {
                    throw copy(failure.error());
                }
                return false;
            }

            @Override
            public ChatChunk next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                ChatChunk chunk = next;
                next = null;
                return chunk;
            }
        };
    }

    @Override
    public void cancel() {
        exchange.abort(new KefuException(ErrorCode.CANCELLED, "stream from " + exchange.uri() + " was cancelled"));
        finish(new End(response(FinishReason.CANCELLED)));
    }

    @Override
    public boolean isDone() {
        return ended.getCount() == 0;
    }

    @Override
    public ChatResponse response() {
        try {
            ended.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            cancel();
            throw new KefuException(ErrorCode.CANCELLED, "interrupted while waiting for the stream from " + exchange.uri());
        }
        Event last;
        synchronized (lock) {
            last = terminal;
        }
        if (last instanceof Failure failure) {
            throw copy(failure.error());
        }
        return ((End) last).response();
    }

    @Override
    public void close() {
        cancel();
    }

    /** Ends the stream with an error from the server side; a cancel or timeout that caused it wins. */
    void fail(KefuException error) {
        KefuException aborted = exchange.abortReason();
        if (aborted != null && aborted.code() == ErrorCode.CANCELLED) {
            finish(new End(response(FinishReason.CANCELLED)));
        } else {
            finish(new Failure(aborted != null ? aborted : error));
        }
    }

    private ScheduledFuture<?> armIdleTimer(ScheduledFuture<?> previous) {
        if (previous != null) {
            previous.cancel(false);
        }
        Duration idle = transport.config().streamIdleTimeout();
        return transport.schedule(() -> exchange.abort(new KefuException(ErrorCode.TIMEOUT, "remote server "
                + exchange.uri() + " sent nothing for kefu.remote.streamIdleTimeout=" + idle.toMillis()
                + " ms in the middle of a stream")), idle);
    }

    private void emit(ChatChunk chunk) {
        synchronized (lock) {
            if (terminal != null) {
                return;
            }
            text.append(chunk.text());
            logprobs.addAll(chunk.logprobs());
            queue.add(new Piece(chunk));
        }
    }

    private void finish(Event event) {
        synchronized (lock) {
            if (terminal != null) {
                return;
            }
            terminal = event;
            // counted down before the event is queued, so a reader that sees the end also sees isDone()
            ended.countDown();
            queue.add(event);
        }
    }

    private ChatResponse response(FinishReason reason) {
        synchronized (lock) {
            return new ChatResponse(text.toString(), reason, usage == null ? new Usage(0, 0) : usage,
                    List.of(), List.of(), logprobs, Duration.ofNanos(System.nanoTime() - startNanos));
        }
    }

    private String redact(String message) {
        return transport.config().apiKey().map(key -> key.redact(message)).orElse(message);
    }

    private static KefuException copy(KefuException e) {
        return new KefuException(e.code(), e.getMessage(), e);
    }
}
