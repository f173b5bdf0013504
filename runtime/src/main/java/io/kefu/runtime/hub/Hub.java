package io.kefu.runtime.hub;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.model.ModelRef;
import java.nio.file.Path;

/**
 * Turns a {@link ModelRef} into a local checkpoint folder: an existing folder as is, a hub id
 * ({@code owner/name[@revision]}) through {@link HubClient} with the settings of the environment.
 * Engines call it first thing in {@code load(ModelRef)}.
 */
public final class Hub {
    private Hub() {
    }

    /**
     * @return the checkpoint folder: the reference's own folder, or the hub snapshot (downloaded if needed)
     * @throws KefuException with {@link ErrorCode#NOT_FOUND} when the reference is neither an existing
     *     folder nor a hub id, or as {@link HubClient#download(HubModelId)} documents
     */
    public static Path resolve(ModelRef ref) {
        return resolve(ref, HubClient.fromEnvironment());
    }

    /** As {@link #resolve(ModelRef)}, with a given client (for progress listeners or other settings). */
    public static Path resolve(ModelRef ref, HubClient client) {
        if (ref.localDirectory().isPresent()) {
            return ref.localDirectory().get();
        }
        if (!ref.isHubId()) {
            throw new KefuException(ErrorCode.NOT_FOUND, "model '" + ref.value()
                    + "' is neither an existing folder nor a hub id of the form owner/name[@revision]");
        }
        try {
            return client.download(HubModelId.parse(ref.value()));
        } catch (KefuException e) {
            if (e.code() == ErrorCode.NOT_FOUND || e.code() == ErrorCode.UNAUTHENTICATED) {
                // "models/qwen" with a typo looks like a hub id: say both readings failed
                throw new KefuException(e.code(), "model '" + ref.value() + "' is no local folder, so it was looked up "
                        + "as a hub id: " + e.getMessage(), e);
            }
            throw e;
        }
    }
}
