package io.kefu.shop.policy;

/**
 * Where hand-offs go: a queue that customer-service staff work through (the server's database table), a log,
 * or a list in tests. Implementations are thread-safe.
 */
@FunctionalInterface
public interface HandoffSink {
    /** A sink that drops hand-offs (the answer still says {@code handoff: true}). */
    HandoffSink NONE = handoff -> { };

    /**
     * Records one hand-off.
     *
     * @throws io.kefu.KefuException when it cannot be recorded (e.g. {@link io.kefu.ErrorCode#IO})
     */
    void handOff(Handoff handoff);
}
