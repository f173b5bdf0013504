package io.kefu.notebook;

import io.github.spencerpark.jupyter.channels.JupyterConnection;
import io.github.spencerpark.jupyter.channels.Loop;
import io.github.spencerpark.jupyter.channels.ShellChannel;
import io.github.spencerpark.jupyter.channels.ShellHandler;
import io.github.spencerpark.jupyter.channels.ShellReplyEnvironment;
import io.github.spencerpark.jupyter.kernel.KernelConnectionProperties;
import io.github.spencerpark.jupyter.messages.HMACGenerator;
import io.github.spencerpark.jupyter.messages.Message;
import java.util.logging.Level;
import org.zeromq.ZMQ;

/**
 * The shell or control channel, reading every request through {@link MessageReader} so that its
 * signature is checked in constant time before the request is dispatched. A request that fails the
 * check is logged and dropped; the channel goes on serving.
 *
 * <p>Overriding {@code readMessage()} alone is not enough: the base channel's polling loop calls
 * {@code super.readMessage()}, a non-virtual call that an override never sees. So this channel runs
 * its own loop (bind, poll, read, dispatch to the connection's handlers, as the base does) and the
 * base loop is never started.
 */
final class VerifyingShellChannel extends ShellChannel {
    private static final long LOOP_SLEEP_MS = 50;

    private final boolean control;
    private final JupyterConnection connection;
    private final MessageReader reader;
    private volatile Loop loop;

    VerifyingShellChannel(ZMQ.Context context, HMACGenerator signer, boolean control, JupyterConnection connection,
            MessageReader reader) {
        super(context, signer, control, connection);
        this.control = control;
        this.connection = connection;
        this.reader = reader;
    }

    @Override
    public synchronized Message<?> readMessage() {
        return closed ? null : reader.read(this);
    }

    @Override
    public void bind(KernelConnectionProperties connectionProperties) {
        if (loop != null) {
            throw new IllegalStateException("channel already bound");
        }
        int port = control ? connectionProperties.getControlPort() : connectionProperties.getShellPort();
        bind(formatAddress(connectionProperties.getTransport(), connectionProperties.getIp(), port));
        ZMQ.Poller poller = ctx.poller(1);
        poller.register(this, ZMQ.Poller.POLLIN);
        loop = new Loop(control ? "Control" : "Shell", LOOP_SLEEP_MS, () -> {
            if (poller.poll(0) > 0) {
                serveOne();
            }
        });
        loop.start();
    }

    private void serveOne() {
        Message<?> message;
        try {
            message = readMessage();
        } catch (RuntimeException e) {
            // an unsigned, badly signed or malformed message: never dispatched
            logger.log(Level.WARNING, e.getMessage());
            return;
        }
        if (message != null) {
            dispatch(message);
        }
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private void dispatch(Message message) {
        ShellHandler handler = connection.getHandler(message.getHeader().getType());
        if (handler == null) {
            logger.log(Level.SEVERE, "Unhandled message: " + message.getHeader().getType().getName());
            return;
        }
        ShellReplyEnvironment env = connection.prepareReplyEnv(this, message);
        try {
            handler.handle(env, message);
        } catch (Exception e) {
            logger.log(Level.SEVERE, "Unhandled exception handling " + message.getHeader().getType().getName(), e);
        } finally {
            env.resolveDeferrals();
        }
        if (env.isMarkedForShutdown()) {
            connection.close();
        }
    }

    @Override
    public void close() {
        Loop running = loop;
        if (running != null) {
            running.shutdown();
        }
        super.close();
    }

    @Override
    public void waitUntilClose() {
        Loop running = loop;
        if (running != null) {
            try {
                running.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
