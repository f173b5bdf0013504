package io.kefu.engine.djl.generate;

import ai.djl.pytorch.jni.JniUtils;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.engine.djl.torch.Torch;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntConsumer;

/**
 * Threads that each run libtorch with one intra-op thread and grad mode off, for splitting a
 * forward pass into shards by hand. Thread 0 leads: {@link #onLead} runs a whole forward pass on
 * it, and from there {@link #forEachShard} runs shard {@code i} on thread {@code i}, shard 0 on the
 * lead itself.
 *
 * <p>Why not libtorch's own threads: its OpenMP team meets at a spinning barrier after every op,
 * which on a decoding step of hundreds of small ops costs more than the ops once the cores are busy
 * with anything else, and leaves the output head's matrix-vector product, the largest read of a
 * step, on fewer cores than there are. These threads wait by parking.
 *
 * <p>With one thread nothing is started: the work runs on the calling thread, whose libtorch
 * already uses one intra-op thread.
 */
final class ShardThreads implements AutoCloseable {
    private final ExecutorService[] threads;

    private ShardThreads(ExecutorService[] threads) {
        this.threads = threads;
    }

    /** @return {@code count} threads (at least one) */
    static ShardThreads start(int count) {
        if (count <= 1) {
            return new ShardThreads(new ExecutorService[0]);
        }
        // libtorch's thread count is per thread, and a thread takes the process-wide value when it first runs an op;
        // setting it to 1 on ours sets that value too, so the caller's own count is put back afterwards
        synchronized (ShardThreads.class) {
            int callers = Torch.threads();
            ExecutorService[] started = new ExecutorService[count];
            try {
                for (int i = 0; i < count; i++) {
                    String name = "kefu-djl-shard-" + i;
                    started[i] = Executors.newSingleThreadExecutor(r -> {
                        Thread t = new Thread(r, name);
                        t.setDaemon(true);
                        return t;
                    });
                    started[i].submit(() -> {
                        JniUtils.getNumThreads(); // takes the process-wide count first, so the next line is not undone later
                        JniUtils.setNumThreads(1);
                        JniUtils.setGradMode(false); // these threads only ever run inference
                    }).get();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                shutdown(started);
                throw new KefuException(ErrorCode.ENGINE_FAILURE, "interrupted while starting the decoding threads", e);
            } catch (ExecutionException e) {
                shutdown(started);
                throw new KefuException(ErrorCode.ENGINE_FAILURE, "cannot start the decoding threads: " + e.getCause().getMessage(), e.getCause());
            } finally {
                Torch.threads(callers);
            }
            return new ShardThreads(started);
        }
    }

    /** @return how many shards {@link #forEachShard} runs */
    int count() {
        return Math.max(1, threads.length);
    }

    /** Runs {@code work} on the lead thread and waits for it. */
    <T> T onLead(Callable<T> work) {
        if (threads.length == 0) {
            try {
                return work.call();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
        return await(threads[0].submit(work));
    }

    /** Called on the lead thread: runs {@code work(i)} for every shard at once, shard 0 here, and waits for all. */
    void forEachShard(IntConsumer work) {
        Future<?>[] others = new Future<?>[threads.length];
        for (int i = 1; i < threads.length; i++) {
            int shard = i;
            others[i] = threads[i].submit(() -> work.accept(shard));
        }
        RuntimeException failure = null;
        try {
            work.accept(0);
        } catch (RuntimeException e) {
            failure = e;
        }
        for (int i = 1; i < threads.length; i++) {
            try {
                await(others[i]);
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static <T> T await(Future<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KefuException(ErrorCode.ENGINE_FAILURE, "interrupted while decoding", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        }
    }

    private static void shutdown(ExecutorService[] threads) {
        for (ExecutorService t : threads) {
            if (t != null) {
                t.shutdownNow();
            }
        }
    }

    @Override
    public void close() {
        shutdown(threads);
    }
}
