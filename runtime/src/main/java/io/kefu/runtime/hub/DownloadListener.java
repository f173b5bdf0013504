package io.kefu.runtime.hub;

/** Hears how a hub download advances (for progress bars). Called from the downloading thread. */
@FunctionalInterface
public interface DownloadListener {
    /** A listener that ignores every event. */
    DownloadListener NONE = (file, done, total) -> { };

    /**
     * @param file the file in the repository, e.g. {@code model.safetensors}
     * @param bytesDone bytes of it on disk so far (resumed bytes included)
     * @param bytesTotal its size, or -1 when the hub did not say
     */
    void progress(String file, long bytesDone, long bytesTotal);
}
