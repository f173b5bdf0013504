package io.kefu.engine.djl;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.engine.djl.torch.Torch;
import io.kefu.model.Device;
import io.kefu.model.EngineOptions;
import java.util.List;
import java.util.OptionalInt;

/**
 * How the {@code djl} engine runs, from the engine options first and the system property second.
 * {@code threads}: libtorch's intra-op threads (process-wide: libtorch has one pool), else
 * {@value #THREADS_PROPERTY}, else libtorch's choice (one per core). {@code device}: {@code cpu} (also
 * when not set); {@code cuda:N} when the libtorch loaded is a CUDA build that sees GPU N, refused
 * otherwise (the default build is libtorch's CPU build); {@code auto}: GPU 0 when libtorch sees one,
 * else the CPU. The base model's weights and every array of training and generation live on that
 * device. It has no session options.
 *
 * @param threads libtorch's intra-op threads, or empty for libtorch's choice
 * @param device where arrays live
 */
record DjlSettings(OptionalInt threads, ai.djl.Device device) {
    /** System property: libtorch's intra-op threads. */
    static final String THREADS_PROPERTY = "kefu.djl.threads";

    /**
     * @throws KefuException {@link ErrorCode#INVALID_CONFIG} for a session option, a CUDA device or a
     *     property that is not a positive whole number
     */
    static DjlSettings of(EngineOptions options) {
        options.requireKnownSessionNames(DjlEngineProvider.ID, List.of());
        ai.djl.Device device = device(options.device().orElse(Device.CPU));
        if (options.threads().isPresent()) {
            return new DjlSettings(options.threads(), device);
        }
        String property = System.getProperty(THREADS_PROPERTY);
        if (property == null || property.isBlank()) {
            return new DjlSettings(OptionalInt.empty(), device);
        }
        try {
            int threads = Integer.parseInt(property.strip());
            if (threads >= 1) {
                return new DjlSettings(OptionalInt.of(threads), device);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new KefuException(ErrorCode.INVALID_CONFIG, "system property " + THREADS_PROPERTY + "='" + property
                + "' is not a positive whole number");
    }

    /** @return DJL's device for {@code wanted}, asking libtorch for its GPUs only when a GPU may be meant */
    private static ai.djl.Device device(Device wanted) {
        if (wanted.kind() == Device.Kind.CPU) {
            return ai.djl.Device.cpu();
        }
        boolean cudaBuild = Torch.engine().hasCapability(ai.djl.engine.StandardCapabilities.CUDA);
        int gpus = cudaBuild ? Torch.engine().getGpuCount() : 0;
        if (wanted.kind() == Device.Kind.AUTO) {
            return gpus > 0 ? ai.djl.Device.gpu(0) : ai.djl.Device.cpu();
        }
        if (wanted.index() < gpus) {
            return ai.djl.Device.gpu(wanted.index());
        }
        throw new KefuException(ErrorCode.INVALID_CONFIG, "engine 'djl' cannot compute on device " + wanted + ": "
                + (cudaBuild ? "the CUDA build of libtorch sees " + gpus + " GPU" + (gpus == 1 ? "" : "s")
                        : "the libtorch loaded is its CPU build (ai.djl.pytorch:pytorch-native-cpu), so no CUDA GPU can be used")
                + "; docs/djl.md, \"GPU\", says how to get the CUDA build; or compute on the cpu device");
    }
}
