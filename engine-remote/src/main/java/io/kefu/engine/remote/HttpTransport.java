package io.kefu.engine.remote;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The HTTP side shared by one model's requests: the JDK client, the retry policy and a timer for
 * deadlines. HTTP/1.1 is used on purpose: plain-text servers (vLLM, trtllm-serve) do not speak
 * HTTP/2 without TLS, and an aborted HTTP/1.1 exchange closes its connection, which tells the
 * server to stop generating.
 */
final class HttpTransport implements AutoCloseable {
    private final RemoteConfig config;
    private final HttpClient client;
    private final Backoff backoff;
    private final ChatCompletionsCodec codec;
    private final ScheduledExecutorService timer;

    HttpTransport(RemoteConfig config, ChatCompletionsCodec codec) {
        this.config = config;
        this.codec = codec;
        this.backoff = Backoff.of(config);
        this.timer = Executors.newSingleThreadScheduledExecutor(daemonThreads("kefu-remote-timer"));
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(config.connectTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    RemoteConfig config() { return config; }

    HttpClient client() { return client; }

    Backoff backoff() { return backoff; }

    ChatCompletionsCodec codec() { return codec; }

    /** @return the endpoint below the base URL, e.g. {@code chat/completions} */
    URI endpoint(String path) {
        return URI.create(config.baseUrl() + "/" + path);
    }

    /** Runs {@code action} after {@code delay} unless the returned handle is cancelled first. */
    ScheduledFuture<?> schedule(Runnable action, Duration delay) {
        try {
            return timer.schedule(action, Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            throw new KefuException(ErrorCode.CLOSED, "remote chat model for " + config.baseUrl() + " is closed", e);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    static ThreadFactory daemonThreads(String prefix) {
        AtomicInteger count = new AtomicInteger();
        return runnable -> {
            Thread t = new Thread(runnable, prefix + "-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
