package io.kefu.train;

/**
 * Hears training progress. Called on the training thread: keep it quick.
 */
@FunctionalInterface
public interface TrainingListener {
    /** Receives one event. */
    void onEvent(TrainingEvent event);

    /** @return a listener that ignores everything */
    static TrainingListener none() {
        return event -> { };
    }

    /** @return a listener that passes each event to both */
    default TrainingListener andThen(TrainingListener other) {
        return event -> {
            onEvent(event);
            other.onEvent(event);
        };
    }
}
