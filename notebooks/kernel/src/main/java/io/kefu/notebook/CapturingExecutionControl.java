package io.kefu.notebook;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import jdk.jshell.execution.DirectExecutionControl;

/**
 * Runs snippets in the kernel's own JVM, on a cell thread of their own so that they can be stopped, and
 * keeps each result object so that the kernel can display it richly (JShell itself only hands
 * back a string). The string JShell sees is a key into {@link #takeResult(String)}.
 *
 * <p>Stopping is cooperative and works the same on every JDK: the classes of each snippet are
 * woven with stop checks ({@link CellStop}) and the cell thread is interrupted.
 */
final class CapturingExecutionControl extends DirectExecutionControl {
    private static final String KEY_PREFIX = "\u0000kefu-result-";

    private final Map<String, Object> results = new ConcurrentHashMap<>();
    private final AtomicLong nextKey = new AtomicLong();
    private volatile Thread running;
    private volatile boolean stopRequested;

    /**
     * Every cell runs on the same thread, as in a REPL's main thread, so that libraries keeping
     * per-thread state (PyTorch's gradient mode, thread-local sessions) see one thread throughout.
     */
    private final ExecutorService cells = Executors.newSingleThreadExecutor(task -> {
        Thread thread = new Thread(task, "notebook-cell");
        thread.setDaemon(true);
        thread.setContextClassLoader(CapturingExecutionControl.class.getClassLoader());
        return thread;
    });

    @Override
    public void load(ClassBytecodes[] classes)
            throws ClassInstallException, NotImplementedException, EngineTerminationException {
        ClassBytecodes[] woven = new ClassBytecodes[classes.length];
        for (int i = 0; i < classes.length; i++) {
            woven[i] = new ClassBytecodes(classes[i].name(), CellStop.weave(classes[i].bytecodes()));
        }
        super.load(woven);
    }

    @Override
    protected String invoke(Method doitMethod) throws Exception {
        stopRequested = false;
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        Future<Object> result = cells.submit(() -> {
            // a stop that came as the previous cell ended must not reach this one
            CellStop.clear(Thread.currentThread());
            Thread.interrupted();
            running = Thread.currentThread();
            Thread.currentThread().setContextClassLoader(loader);
            try {
                return doitMethod.invoke(null);
            } finally {
                running = null;
                CellStop.clear(Thread.currentThread());
                Thread.interrupted(); // an interrupt meant for this cell must not reach the next one
            }
        });
        Object value;
        try {
            value = result.get();
        } catch (ExecutionException e) {
            if (stopRequested) {
                throw new StoppedException();
            }
            Throwable thrown = e.getCause();
            if (thrown instanceof InvocationTargetException ite) {
                throw ite;
            }
            throw new InvocationTargetException(thrown);
        }
        if (stopRequested) {
            throw new StoppedException();
        }
        String key = KEY_PREFIX + nextKey.incrementAndGet();
        results.put(key, value == null ? NULL : value);
        return key;
    }

    /**
     * Asks the running cell to stop and returns at once: its woven code throws at the next method
     * call or loop iteration, and blocking calls end with an interrupt.
     */
    @Override
    public void stop() {
        Thread thread = running;
        if (thread == null) {
            return;
        }
        stopRequested = true;
        CellStop.request(thread);
    }

    /** True if the last run was stopped by {@link #stop()}. */
    boolean wasStopped() {
        return stopRequested;
    }

    /** The object behind a value string JShell reported, or {@code null} if the string is no key. */
    Object takeResult(String valueString) {
        if (valueString == null || !valueString.startsWith(KEY_PREFIX)) {
            return null;
        }
        Object value = results.remove(valueString);
        return value == NULL ? null : value;
    }

    /** Whether a value string JShell reported is one of our keys. */
    static boolean isResultKey(String valueString) {
        return valueString != null && valueString.startsWith(KEY_PREFIX);
    }

    void clearResults() {
        results.clear();
    }

    private static final Object NULL = new Object();
}
