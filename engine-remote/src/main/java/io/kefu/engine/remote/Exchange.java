package io.kefu.engine.remote;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One logical HTTP call: sends the request, retries 429, 5xx and connection failures with backoff
 * (or as long as {@code Retry-After} asks), and hands back the body of the successful answer as a
 * stream. {@link #abort} stops it from any thread, whether it is connecting, waiting to retry or
 * reading the body.
 */
final class Exchange {
    private static final Logger LOG = LoggerFactory.getLogger(Exchange.class);
    private static final int MAX_ERROR_BODY = 64 * 1024;

    private final HttpTransport transport;
    private final URI uri;
    private final byte[] body;
    private final CountDownLatch abortSignal = new CountDownLatch(1);
    private volatile KefuException abortReason;
    private volatile CompletableFuture<HttpResponse<InputStream>> inFlight;
    private volatile InputStream openBody;
    private volatile Instant attemptStart = Instant.now();

    /**
     * @param body the JSON to POST, or null for a GET
     */
    Exchange(HttpTransport transport, URI uri, byte[] body) {
        this.transport = transport;
        this.uri = uri;
        this.body = body;
    }

    URI uri() { return uri; }

    /** @return when the attempt that succeeded (or the current one) started */
    Instant attemptStart() { return attemptStart; }

    /**
     * Sends the request until it succeeds or retries run out.
     *
     * @return the body of a 2xx answer; the caller closes it
     * @throws KefuException mapped from the last status or failure, or the abort reason
     */
    InputStream open() {
        RemoteConfig config = transport.config();
        int maxAttempts = config.maxAttempts();
        for (int attempt = 1; ; attempt++) {
            throwIfAborted();
            attemptStart = Instant.now();
            LOG.debug("{} {} (attempt {} of {})", body == null ? "GET" : "POST", uri, attempt, maxAttempts);
            HttpResponse<InputStream> response;
            try {
                response = send();
            } catch (RetryableFailure failure) {
                if (attempt >= maxAttempts) {
                    throw failure.toKefu(uri, attempt);
                }
                waitBeforeRetry(attempt, transport.backoff().delay(attempt), failure.getMessage());
                continue;
            }
            int status = response.statusCode();
            if (status >= 200 && status < 300) {
                openBody = response.body();
                if (abortReason != null) {
                    closeQuietly(openBody);
                    throw abortCopy();
                }
                return response.body();
            }
            String serverMessage = readError(response);
            if (RemoteErrors.isRetryable(status) && attempt < maxAttempts) {
                Optional<Duration> retryAfter = RetryAfter.parse(
                        response.headers().firstValue("Retry-After").orElse(null), Instant.now());
                if (retryAfter.isPresent() && retryAfter.get().compareTo(config.maxRetryAfter()) > 0) {
                    throw new KefuException(RemoteErrors.code(status), "remote server " + uri + " answered HTTP "
                            + status + " and asks to retry after " + retryAfter.get().toSeconds()
                            + " s, longer than kefu.remote.maxRetryAfter=" + config.maxRetryAfter().toSeconds()
                            + " s: " + serverMessage);
                }
                Duration wait = retryAfter.isPresent() ? retryAfter.get() : transport.backoff().delay(attempt);
                waitBeforeRetry(attempt, wait, "HTTP " + status + ": " + serverMessage);
                continue;
            }
            throw RemoteErrors.forStatus(status, serverMessage, uri, attempt);
        }
    }

    /**
     * Stops the call from any thread: a pending send is cancelled, a retry wait ends, an open body
     * is closed (which closes the connection). The first reason given wins.
     */
    void abort(KefuException reason) {
        synchronized (this) {
            if (abortReason != null) {
                return;
            }
            abortReason = reason;
        }
        abortSignal.countDown();
        CompletableFuture<HttpResponse<InputStream>> pending = inFlight;
        if (pending != null) {
            pending.cancel(true);
        }
        InputStream in = openBody;
        if (in != null) {
            closeQuietly(in);
        }
    }

    /** @return the reason given to {@link #abort}, or null */
    KefuException abortReason() {
        return abortReason;
    }

    private HttpResponse<InputStream> send() {
        RemoteConfig config = transport.config();
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(config.requestTimeout())
                .header("Accept", body == null ? "application/json" : "application/json, text/event-stream");
        if (body == null) {
            request.GET();
        } else {
            request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body));
        }
        config.apiKey().ifPresent(key -> request.header("Authorization", key.authorizationHeader()));
        CompletableFuture<HttpResponse<InputStream>> future =
                transport.client().sendAsync(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        inFlight = future;
        if (abortReason != null) {
            future.cancel(true);
        }
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abort(new KefuException(ErrorCode.CANCELLED, "request to " + uri + " was interrupted"));
            throw abortCopy();
        } catch (CancellationException e) {
            throwIfAborted();
            throw new KefuException(ErrorCode.CANCELLED, "request to " + uri + " was cancelled", e);
        } catch (ExecutionException e) {
            throwIfAborted();
            Throwable cause = e.getCause();
            if (cause instanceof HttpConnectTimeoutException) {
                throw new RetryableFailure(ErrorCode.TIMEOUT, "could not connect within kefu.remote.connectTimeout="
                        + config.connectTimeout().toMillis() + " ms", cause);
            }
            if (cause instanceof HttpTimeoutException) {
                throw new KefuException(ErrorCode.TIMEOUT, "remote server " + uri + " did not answer within kefu.remote.requestTimeout="
                        + config.requestTimeout().toMillis() + " ms", cause);
            }
            if (cause instanceof ConnectException || cause instanceof IOException) {
                String why = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
                throw new RetryableFailure(ErrorCode.IO, why, cause);
            }
            throw new KefuException(ErrorCode.REMOTE, "request to " + uri + " failed: " + cause, cause);
        }
    }

    private String readError(HttpResponse<InputStream> response) {
        try (InputStream in = response.body()) {
            byte[] bytes = in.readNBytes(MAX_ERROR_BODY);
            String text = new String(bytes, StandardCharsets.UTF_8);
            String message = transport.codec().errorMessage(text);
            return transport.config().apiKey().map(key -> key.redact(message)).orElse(message);
        } catch (IOException e) {
            throwIfAborted();
            return "(error body unreadable: " + e.getClass().getSimpleName() + ")";
        }
    }

    private void waitBeforeRetry(int attempt, Duration wait, String why) {
        LOG.warn("{} failed ({}); attempt {} of {} in {} ms", uri, why, attempt + 1,
                transport.config().maxAttempts(), wait.toMillis());
        try {
            if (abortSignal.await(wait.toNanos(), TimeUnit.NANOSECONDS)) {
                throw abortCopy();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abort(new KefuException(ErrorCode.CANCELLED, "request to " + uri + " was interrupted while waiting to retry"));
            throw abortCopy();
        }
    }

    private void throwIfAborted() {
        if (abortReason != null) {
            throw abortCopy();
        }
    }

    /** A fresh exception per thrower, so each stack trace shows where the caller was. */
    private KefuException abortCopy() {
        KefuException reason = abortReason;
        return new KefuException(reason.code(), reason.getMessage(), reason.getCause());
    }

    static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // closing only releases the connection; nothing to report
        }
    }

    /** A failure before any answer (no connection, connection reset): retried, then reported. */
    private static final class RetryableFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final ErrorCode code;

        RetryableFailure(ErrorCode code, String message, Throwable cause) {
            super(message, cause);
            this.code = code;
        }

        KefuException toKefu(URI uri, int attempts) {
            return new KefuException(code, "cannot reach remote server " + uri
                    + (attempts > 1 ? " after " + attempts + " attempts" : "") + ": " + getMessage(), getCause());
        }
    }
}
