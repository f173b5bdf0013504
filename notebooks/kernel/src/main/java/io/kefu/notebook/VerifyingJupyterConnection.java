package io.kefu.notebook;

import io.github.spencerpark.jupyter.channels.JupyterConnection;
import io.github.spencerpark.jupyter.channels.JupyterSocket;
import io.github.spencerpark.jupyter.kernel.KernelConnectionProperties;
import io.github.spencerpark.jupyter.messages.HMACGenerator;
import java.lang.reflect.Field;
import java.security.GeneralSecurityException;
import org.zeromq.ZMQ;

/**
 * The base library's connection with the channels that receive requests (shell, control, stdin)
 * replaced by ones that verify every message's signature in constant time before it is used
 * ({@link MessageReader}). The base library compares signatures with {@code String.equals} and skips
 * the check when it has no key; its check never runs on these channels. Heartbeat and iopub receive
 * no requests and stay as they are.
 */
final class VerifyingJupyterConnection extends JupyterConnection {

    VerifyingJupyterConnection(KernelConnectionProperties properties) throws GeneralSecurityException {
        super(properties);
        MessageReader reader = new MessageReader(SignatureVerifier.of(properties));
        HMACGenerator signer = properties.createHMACGenerator();
        ZMQ.Context context = (ZMQ.Context) read("ctx");
        replace("shell", new VerifyingShellChannel(context, signer, false, this, reader));
        replace("control", new VerifyingShellChannel(context, signer, true, this, reader));
        replace("stdin", new VerifyingStdinChannel(context, signer, reader));
    }

    /*
     * The one place that reaches into the base class. Its constructor creates the channels straight
     * into final fields and has no factory to override, and its connect, close and reply wiring use
     * those fields; so the fields are set once here, before the connection is used, and everything
     * else in the base class works unchanged. The base channels are unbound; they are closed.
     */
    private void replace(String channel, JupyterSocket replacement) {
        try {
            Field field = JupyterConnection.class.getDeclaredField(channel);
            field.setAccessible(true);
            ((JupyterSocket) field.get(this)).close();
            field.set(this, replacement);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot install the verifying " + channel + " channel", e);
        }
    }

    private Object read(String name) {
        try {
            Field field = JupyterConnection.class.getDeclaredField(name);
            field.setAccessible(true);
            return field.get(this);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read the connection's " + name, e);
        }
    }
}
