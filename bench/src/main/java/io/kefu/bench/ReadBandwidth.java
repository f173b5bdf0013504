package io.kefu.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * How fast this machine reads memory: the best of several parallel passes summing a 256 MiB array, far larger than
 * any cache. Measured again beside each benchmark row, since on a shared machine it moves by a quarter or more within
 * seconds; the array is kept for the probes of one run.
 */
final class ReadBandwidth implements AutoCloseable {
    private static final int PASSES = 8;

    private final long[] data = new long[32 << 20];
    private final int threads;
    private final ExecutorService pool;
    private long checksum;

    ReadBandwidth(int threads) {
        this.threads = threads;
        this.pool = Executors.newFixedThreadPool(threads);
        Arrays.setAll(data, i -> i);
    }

    /** @return bytes read per second, the best of {@value #PASSES} passes */
    double measure() throws Exception {
        double best = 0;
        int chunk = data.length / threads;
        for (int pass = 0; pass < PASSES; pass++) {
            long start = System.nanoTime();
            List<Future<Long>> parts = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int from = t * chunk;
                int to = t == threads - 1 ? data.length : from + chunk;
                parts.add(pool.submit(() -> sum(from, to)));
            }
            for (Future<Long> part : parts) {
                checksum += part.get();
            }
            best = Math.max(best, 8.0 * data.length / ((System.nanoTime() - start) / 1e9));
        }
        return best;
    }

    private long sum(int from, int to) {
        long sum = 0;
        for (int i = from; i < to; i++) {
            sum += data[i];
        }
        return sum;
    }

    @Override
    public void close() {
        pool.shutdownNow();
        if (checksum == 42) {
            System.out.print(""); // keeps the sums alive
        }
    }
}
