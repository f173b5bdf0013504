package io.kefu.engine.djl;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.model.Device;
import io.kefu.model.EngineOptions;
import java.util.List;
import java.util.OptionalInt;

/**
 * How the {@code djl} engine runs, from the engine options first and the system property second.
 * {@code threads}: libtorch's intra-op threads (process-wide: libtorch has one pool), else
 * {@value #THREADS_PROPERTY}, else libtorch's choice (one per core). {@code device}: {@code cpu} or
 * {@code auto} (both the CPU); {@code cuda} is refused, as the engine ships the CPU build of libtorch.
 * It has no session options.
 *
 * @param threads libtorch's intra-op threads, or empty for libtorch's choice
 */
record DjlSettings(OptionalInt threads) {
    /** System property: libtorch's intra-op threads. */
    static final String THREADS_PROPERTY = "kefu.djl.threads";

    /**
     * @throws KefuException {@link ErrorCode#INVALID_CONFIG} for a session option, a CUDA device or a
     *     property that is not a positive whole number
     */
    static DjlSettings of(EngineOptions options) {
        options.requireKnownSessionNames(DjlEngineProvider.ID, List.of());
        options.device().filter(d -> d.kind() == Device.Kind.CUDA).ifPresent(d -> {
            throw new KefuException(ErrorCode.INVALID_CONFIG, "engine 'djl' runs on the CPU (it ships libtorch's CPU build); "
                    + "device " + d + " is not available to it");
        });
        if (options.threads().isPresent()) {
            return new DjlSettings(options.threads());
        }
        String property = System.getProperty(THREADS_PROPERTY);
        if (property == null || property.isBlank()) {
            return new DjlSettings(OptionalInt.empty());
        }
        try {
            int threads = Integer.parseInt(property.strip());
            if (threads >= 1) {
                return new DjlSettings(OptionalInt.of(threads));
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new KefuException(ErrorCode.INVALID_CONFIG, "system property " + THREADS_PROPERTY + "='" + property
                + "' is not a positive whole number");
    }
}
