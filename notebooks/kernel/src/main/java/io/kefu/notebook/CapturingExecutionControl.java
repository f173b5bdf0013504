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
    protected String invoke(Method doitMethod) throws Exception {
        stopRequested = false;
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        Future<Object> result = cells.submit(() -> {
            running = Thread.currentThread();
            Thread.currentThread().setContextClassLoader(loader);
            try {
                return doitMethod.invoke(null);
            } finally {
                running = null;
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

    /** Interrupts the running cell; a cell that ignores interrupts is stopped outright. */
    @Override
    @SuppressWarnings({"deprecation", "removal"})
    public void stop() {
        Thread thread = running;
        if (thread == null) {
            return;
        }
        stopRequested = true;
        thread.interrupt();
        try {
            long deadline = System.nanoTime() + 300_000_000L;
            while (running == thread && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            if (running == thread) {
                thread.stop(); // works up to JDK 19; later JDKs only stop code that checks interrupts
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (UnsupportedOperationException e) {
            // newer JDKs: the interrupt above is all we can do
        }
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
