package io.kefu.notebook;

import io.github.spencerpark.jupyter.channels.StdinChannel;
import io.github.spencerpark.jupyter.messages.HMACGenerator;
import io.github.spencerpark.jupyter.messages.Message;
import org.zeromq.ZMQ;

/**
 * The stdin channel, reading input replies through {@link MessageReader}: a reply whose signature
 * does not match fails the input request with a {@link SecurityException} instead of reaching the
 * cell. The base channel reads through the (virtual) {@code readMessage()}, so overriding it is enough.
 */
final class VerifyingStdinChannel extends StdinChannel {
    private final MessageReader reader;

    VerifyingStdinChannel(ZMQ.Context context, HMACGenerator signer, MessageReader reader) {
        super(context, signer);
        this.reader = reader;
    }

    @Override
    public synchronized Message<?> readMessage() {
        return closed ? null : reader.read(this);
    }
}
