package io.kefu.engine.djl.torch;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import io.kefu.ErrorCode;
import io.kefu.KefuException;

/**
 * The one place that starts DJL's PyTorch engine. Before any DJL class initialises it switches off
 * DJL's usage tracking and puts DJL in offline mode, so that nothing is downloaded (the native
 * libraries come from the {@code pytorch-native-cpu} jar on the class path) and no address outside
 * this machine is contacted.
 *
 * <p>libtorch's intra-op threads are set by each {@code djl} engine as {@link DjlSettings} says; how
 * long they spin between calls is set before libtorch loads ({@link OpenMpSpin}).
 */
public final class Torch {
    static {
        offline();
    }

    private static volatile Engine engine;

    private Torch() {
    }

    /** Sets the properties that keep DJL offline and silent; called before DJL loads. */
    public static void offline() {
        System.setProperty("OPT_OUT_TRACKING", "true");
        System.setProperty("ai.djl.offline", "true");
    }

    /**
     * @return DJL's PyTorch engine, loaded on first use
     * @throws KefuException with {@link ErrorCode#ENGINE_UNAVAILABLE} when libtorch cannot load
     */
    public static Engine engine() {
        Engine e = engine;
        if (e == null) {
            synchronized (Torch.class) {
                e = engine;
                if (e == null) {
                    OpenMpSpin.applyDefault();
                    try {
                        e = Engine.getEngine("PyTorch");
                    } catch (RuntimeException | LinkageError ex) {
                        throw new KefuException(ErrorCode.ENGINE_UNAVAILABLE,
                                "DJL's PyTorch engine cannot load: " + ex.getMessage()
                                        + " (is ai.djl.pytorch:pytorch-native-cpu on the class path?)", ex);
                    }
                    engine = e;
                }
            }
        }
        return e;
    }

    /** Sets libtorch's intra-op thread count, for the whole process. */
    public static void threads(int threads) {
        engine();
        ai.djl.pytorch.jni.JniUtils.setNumThreads(threads);
    }

    /** @return libtorch's intra-op thread count */
    public static int threads() {
        engine();
        return ai.djl.pytorch.jni.JniUtils.getNumThreads();
    }

    /** @return a new root manager on the CPU; the caller closes it */
    public static NDManager newManager() {
        return newManager(ai.djl.Device.cpu());
    }

    /** @return a new root manager whose arrays live on {@code device}; the caller closes it */
    public static NDManager newManager(ai.djl.Device device) {
        return engine().newBaseManager(device);
    }
}
