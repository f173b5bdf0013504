package io.kefu.server;

import io.javalin.http.Context;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.AbstractEndPoint;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.BufferUtil;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Invocable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;

/**
 * Notices that the client of a request being answered closed its connection, so that a whole answer nobody waits
 * for any more stops being generated instead of running to the request timeout.
 *
 * <p>Jetty reads a connection only while a handler asks for request content: once the body is read, a client that
 * hangs up goes unnoticed until the answer is written. The watch asks the connection to report when it becomes
 * readable and then reads: end of stream (or a reset) means the client is gone. An HTTP/1.1 client sends nothing
 * while it waits for its answer; bytes that do arrive (a pipelined next request) are dropped and the connection is
 * closed after this answer, so the client sends that request again on a new one.
 *
 * <p>A route opens the watch on its handler thread around the call it waits for ({@code try (ClientWatch w =
 * ClientWatch.start(ctx))}), and closes it before it writes the answer; code below it on the same thread finds it
 * with {@link #current()}.
 */
final class ClientWatch implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClientWatch.class);
    private static final ThreadLocal<ClientWatch> CURRENT = new ThreadLocal<>();
    private static final CancellationException STOPPED = new CancellationException("the answer is being written");

    private final Context ctx;
    private final EndPoint endPoint;
    private final Readable readable = new Readable();
    private final List<Runnable> whenGone = new ArrayList<>();
    /** All guarded by this. */
    private boolean registered;
    private boolean gone;
    private boolean closed;
    private boolean pipelinedBytesDropped;

    private ClientWatch(Context ctx, EndPoint endPoint) {
        this.ctx = ctx;
        this.endPoint = endPoint;
    }

    /**
     * Starts watching the connection of {@code ctx}'s request; call it after the request body was read.
     *
     * @return the watch, also {@link #current()} on this thread until it is closed; one that never fires where the
     *     connection cannot be watched (not an HTTP/1.1 socket, or already read by someone else)
     */
    static ClientWatch start(Context ctx) {
        ClientWatch watch = new ClientWatch(ctx, endPointOf(ctx));
        CURRENT.set(watch);
        watch.listen();
        return watch;
    }

    /** @return the watch a route opened on this thread, if any */
    static Optional<ClientWatch> current() {
        return Optional.ofNullable(CURRENT.get());
    }

    /**
     * Runs {@code action} once the client is gone: at once (on this thread) if it already is, else on the thread
     * that notices it, so the action must be quick and must not block.
     *
     * @return what removes the action again
     */
    Runnable whenGone(Runnable action) {
        synchronized (this) {
            if (!gone) {
                whenGone.add(action);
                return () -> {
                    synchronized (this) {
                        whenGone.remove(action);
                    }
                };
            }
        }
        action.run();
        return () -> { };
    }

    /** @return whether the client closed its connection while it was watched */
    synchronized boolean clientGone() {
        return gone;
    }

    /** Stops watching; the connection is Jetty's again, to write the answer and read the next request. */
    @Override
    public void close() {
        boolean dropped;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            dropped = pipelinedBytesDropped;
            if (registered && endPoint instanceof AbstractEndPoint jettyEndPoint) {
                // the interest is ours: Jetty registers its own only when it reads, which it does not while handling
                jettyEndPoint.getFillInterest().onFail(STOPPED);
                registered = false;
            }
        }
        CURRENT.remove();
        if (dropped) {
            ctx.header("Connection", "close");
        }
    }

    private void listen() {
        synchronized (this) {
            if (endPoint == null || closed || gone) {
                return;
            }
            registered = endPoint.tryFillInterested(readable);
            if (!registered) {
                LOG.debug("connection {} is already being read; not watched", endPoint);
            }
        }
    }

    private void clientLeft() {
        List<Runnable> actions;
        synchronized (this) {
            if (gone || closed) {
                return;
            }
            gone = true;
            actions = List.copyOf(whenGone);
            whenGone.clear();
        }
        LOG.debug("client of {} {} closed its connection", ctx.method(), ctx.path());
        actions.forEach(Runnable::run);
    }

    private static EndPoint endPointOf(Context ctx) {
        try {
            ServletContextRequest request = ServletContextRequest.getServletContextRequest(ctx.req());
            return request == null ? null : request.getConnectionMetaData().getConnection().getEndPoint();
        } catch (RuntimeException e) {
            LOG.debug("no connection to watch for {}", ctx.path(), e);
            return null;
        }
    }

    /** Called by Jetty's selector when the connection has something to read: bytes, or its end. */
    private final class Readable implements Callback, Invocable {
        @Override
        public void succeeded() {
            int read;
            synchronized (ClientWatch.this) {
                registered = false;
                if (closed) {
                    return;
                }
                ByteBuffer probe = BufferUtil.allocate(1);
                try {
                    read = endPoint.fill(probe);
                } catch (IOException e) {
                    read = -1;
                }
                if (read > 0) {
                    pipelinedBytesDropped = true;
                    return;
                }
            }
            if (read < 0) {
                clientLeft();
            } else {
                listen();
            }
        }

        @Override
        public void failed(Throwable cause) {
            synchronized (ClientWatch.this) {
                registered = false;
                if (closed || endPoint.isOpen()) {
                    return;
                }
            }
            clientLeft();
        }

        @Override
        public InvocationType getInvocationType() {
            return InvocationType.NON_BLOCKING;
        }
    }
}
