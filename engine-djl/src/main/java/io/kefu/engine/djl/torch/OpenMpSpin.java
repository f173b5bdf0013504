package io.kefu.engine.djl.torch;

import com.sun.jna.Library;
import com.sun.jna.Native;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How long libtorch's OpenMP threads busy-wait for the next parallel region before they sleep.
 *
 * <p>libtorch's CPU build ships GNU OpenMP, whose idle threads spin for {@code GOMP_SPINCOUNT}
 * iterations (300,000 by default: milliseconds) after each parallel region. This engine does work
 * in Java between libtorch calls (widening 16-bit and NF4 weights, the training loop's
 * bookkeeping), and on a machine with as many libtorch threads as cores the spinning threads take
 * those cores from it: on two cores, training over a bf16 base ran 10-20% slower than with a short
 * spin. libgomp reads the variable once, when it loads, so it is set in the process environment
 * before DJL loads libtorch, unless the user has set {@code GOMP_SPINCOUNT} or
 * {@code OMP_WAIT_POLICY} (those are left as they are).
 */
final class OpenMpSpin {
    static final String VARIABLE = "GOMP_SPINCOUNT";
    /** Spins before sleeping: tens of microseconds, enough to catch the next libtorch call of a busy loop. */
    static final String DEFAULT_SPINS = "10000";

    private static final Logger LOG = LoggerFactory.getLogger(OpenMpSpin.class);

    private OpenMpSpin() {
    }

    /** The C library's environment, which libgomp reads (Java's {@link System#getenv} is a copy taken at start). */
    interface CLibrary extends Library {
        int setenv(String name, String value, int overwrite);

        String getenv(String name);
    }

    /** Sets {@code GOMP_SPINCOUNT} for libgomp unless the user chose a spin count or wait policy. */
    static void applyDefault() {
        if (System.getenv(VARIABLE) != null || System.getenv("OMP_WAIT_POLICY") != null) {
            return;
        }
        try {
            if (library().setenv(VARIABLE, DEFAULT_SPINS, 0) != 0) {
                LOG.debug("setenv({}) failed; libgomp keeps its default spin", VARIABLE);
            }
        } catch (LinkageError | RuntimeException e) {
            LOG.debug("no C library to set {} through ({}); libgomp keeps its default spin", VARIABLE, e.toString());
        }
    }

    /** @return the process environment's value of {@code name}, as native code sees it */
    static String nativeValue(String name) {
        return library().getenv(name);
    }

    private static CLibrary library() {
        return Native.load("c", CLibrary.class);
    }
}
