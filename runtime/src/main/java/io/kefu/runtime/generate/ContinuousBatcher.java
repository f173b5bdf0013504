package io.kefu.runtime.generate;

import io.kefu.ErrorCode;
import io.kefu.KefuException;
import io.kefu.chat.BatchingOptions;
import io.kefu.chat.ChatResponse;
import io.kefu.chat.ChatStream;
import io.kefu.chat.GenerationParameters;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes concurrent requests together, continuously: one worker thread owns the running batches
 * of {@link JoinableDecoder} rows; a request joins a running batch at the next token boundary and
 * leaves it as soon as it ends, so no request waits for a whole batch to finish.
 *
 * <p>Each round the worker
 * <ol>
 *   <li>admits waiting requests in arrival order while fewer than
 *       {@link BatchingOptions#maxBatchSize()} requests run (all lanes together), and
 *   <li>gives every lane with work one turn: ends the rows whose caller cancelled, runs one decoding
 *       step for the others, prefills the admitted requests into the batch
 *       ({@link JoinableDecoder#join}), and drops the rows that ended ({@link JoinableDecoder#retain}).
 * </ol>
 * Every row is sampled and stopped with its own {@link GenerationParameters}, exactly as
 * {@link GenerationLoop} does it. Requests of different {@link Lane}s (for example different
 * adapters) cannot share a forward pass: each lane has its own running batch and the lanes take
 * turns, one step each per round. With {@code maxBatchSize} 1 requests are decoded strictly one at
 * a time.
 *
 * <p>Failures: when a decoding step fails, the rows of that batch end with
 * {@link ErrorCode#ENGINE_FAILURE}; when a join fails, only the joining rows do; when sampling fails
 * (NaN logits), only that row does. The worker goes on with the next requests.
 *
 * <p>{@link #close()} refuses new requests ({@link ErrorCode#CLOSED}), lets every request already
 * accepted finish, then stops the worker. Thread-safe.
 *
 * <p>Why one long class: admission, the per-lane turn, cancellation and the failure rules share the
 * worker's state (waiting queue, lanes, running rows) and must change together; split apart they
 * would need that state passed around or made visible.
 */
public final class ContinuousBatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ContinuousBatcher.class);
    private static final AtomicInteger WORKERS = new AtomicInteger();

    /**
     * Makes decoders for requests that may share forward passes, for example those of one adapter.
     * Requests share a running batch when they name the same lane object.
     */
    @FunctionalInterface
    public interface Lane {
        /** @return an empty decoder; called on the worker thread, which alone uses it */
        JoinableDecoder newDecoder();
    }

    /**
     * One request to generate.
     *
     * @param lane the running batch it may join
     * @param promptIds its prompt, not empty
     * @param parameters how to sample and when to stop
     */
    public record Job(Lane lane, int[] promptIds, GenerationParameters parameters) {
        public Job {
            Objects.requireNonNull(lane, "lane");
            Objects.requireNonNull(promptIds, "promptIds");
            Objects.requireNonNull(parameters, "parameters");
        }
    }

    private record Waiting(Lane lane, Row row) {
    }

    private final GenerationLoop loop;
    private final int maxBatchSize;
    private final int vocabSize;
    private final int maxSequenceLength;
    private final String name;
    private final Thread worker;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>(); // guarded by lock
    private boolean closing;                                        // guarded by lock
    private KefuException stopped;                                  // guarded by lock: why the worker died

    private final Map<Lane, RunningBatch> batches = new LinkedHashMap<>(); // worker thread only

    // written by the worker thread only
    private volatile long requests;
    private volatile long decodeSteps;
    private volatile long rowSteps;
    private volatile int peakBatchSize;
    private volatile long joins;

    /**
     * Starts the worker thread.
     *
     * @param loop the model's detokenisation and stop tokens
     * @param options how many requests may run together
     * @param vocabSize the logits per row of the lanes' decoders (prompts are checked against it)
     * @param maxSequenceLength the most positions a row may hold in the lanes' decoders
     * @param name names the worker thread and appears in error messages, e.g. the model id
     */
    public ContinuousBatcher(GenerationLoop loop, BatchingOptions options, int vocabSize, int maxSequenceLength, String name) {
        this.loop = Objects.requireNonNull(loop, "loop");
        this.maxBatchSize = options.maxBatchSize();
        this.vocabSize = vocabSize;
        this.maxSequenceLength = maxSequenceLength;
        this.name = name;
        this.worker = new Thread(this::work, "kefu-batch-" + WORKERS.incrementAndGet());
        worker.setDaemon(true);
        worker.start();
    }

    /**
     * Generates one answer, waiting for it.
     *
     * @throws KefuException {@link ErrorCode#INVALID_REQUEST} on an empty or overlong prompt,
     *     {@link ErrorCode#ENGINE_FAILURE} when the engine fails, {@link ErrorCode#CLOSED} after
     *     {@link #close()}, {@link ErrorCode#CANCELLED} when the waiting thread is interrupted
     */
    public ChatResponse generate(Job job) {
        return generateAll(List.of(job)).get(0);
    }

    /**
     * Generates several answers, submitted together (they join at the same token boundary as far as
     * {@code maxBatchSize} allows), and waits for all of them.
     *
     * @return one answer per job, in job order
     * @throws KefuException as {@link #generate}; when some jobs fail, the first failure, after all have ended
     */
    public List<ChatResponse> generateAll(List<Job> jobs) {
        List<ResponseFuture> answers = new ArrayList<>(jobs.size());
        for (int i = 0; i < jobs.size(); i++) {
            answers.add(new ResponseFuture());
        }
        submit(jobs, answers);
        List<ChatResponse> out = new ArrayList<>(jobs.size());
        KefuException firstFailure = null;
        for (ResponseFuture answer : answers) {
            try {
                out.add(answer.await());
            } catch (KefuException e) {
                if (Thread.currentThread().isInterrupted()) {
                    answers.forEach(ResponseFuture::cancel);
                    throw e;
                }
                firstFailure = firstFailure == null ? e : firstFailure;
            }
        }
        if (firstFailure != null) {
            throw firstFailure;
        }
        return out;
    }

    /**
     * Starts generating an answer and returns at once; chunks arrive as the running batch produces
     * them. Cancelling or closing the stream frees its row at the next token boundary.
     *
     * @throws KefuException {@link ErrorCode#INVALID_REQUEST} on an empty or overlong prompt,
     *     {@link ErrorCode#CLOSED} after {@link #close()}; engine failures surface while iterating
     */
    public ChatStream stream(Job job) {
        GeneratedStream stream = new GeneratedStream();
        submit(List.of(job), List.of(stream));
        return stream;
    }

    /** @return what the worker has done so far */
    public BatchingStats stats() {
        return new BatchingStats(requests, decodeSteps, rowSteps, peakBatchSize, joins);
    }

    private void submit(List<Job> jobs, List<? extends RowSink> sinks) {
        long start = System.nanoTime();
        List<Waiting> checked = new ArrayList<>(jobs.size());
        for (int i = 0; i < jobs.size(); i++) {
            Job job = jobs.get(i);
            String label = jobs.size() == 1 ? "the prompt" : "prompt " + i;
            SequenceState state = SequenceState.checked(label, job.promptIds(), job.parameters(), loop, vocabSize, maxSequenceLength);
            checked.add(new Waiting(job.lane(), new Row(state, sinks.get(i), start)));
        }
        lock.lock();
        try {
            if (closing) {
                throw new KefuException(ErrorCode.CLOSED, name + " is closed and takes no new requests");
            }
            if (stopped != null) {
                throw new KefuException(ErrorCode.ENGINE_FAILURE, name + " cannot generate: " + stopped.getMessage(), stopped);
            }
            waiting.addAll(checked);
            wake.signal();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops taking requests, lets the accepted ones finish, then stops the worker; returns once it
     * has stopped. Idempotent.
     */
    @Override
    public void close() {
        lock.lock();
        try {
            closing = true;
            wake.signalAll();
        } finally {
            lock.unlock();
        }
        if (Thread.currentThread() == worker) {
            return;
        }
        boolean interrupted = false;
        while (worker.isAlive()) {
            try {
                worker.join();
            } catch (InterruptedException e) {
                interrupted = true; // the requests in flight still finish; keep waiting for them
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void work() {
        try {
            while (admit()) {
                for (Iterator<RunningBatch> it = batches.values().iterator(); it.hasNext(); ) {
                    RunningBatch batch = it.next();
                    try {
                        batch.round();
                    } catch (RuntimeException e) {
                        LOG.warn("{}: a running batch failed unexpectedly", name, e);
                        batch.failAll(DecoderCalls.failure(e));
                    }
                    if (batch.isEmpty()) {
                        it.remove();
                    }
                }
            }
        } catch (Throwable t) {
            KefuException failure = new KefuException(ErrorCode.ENGINE_FAILURE, "the batching worker stopped: " + t, t);
            List<Waiting> left;
            lock.lock();
            try {
                stopped = failure;
                left = new ArrayList<>(waiting);
                waiting.clear();
            } finally {
                lock.unlock();
            }
            left.forEach(w -> w.row().fail(failure));
            batches.values().forEach(b -> b.failAll(failure));
            batches.clear();
            LOG.error("{}: the batching worker stopped", name, t);
        }
    }

    /**
     * Moves waiting requests into running batches while fewer than {@code maxBatchSize} run; waits
     * while there is nothing to do.
     *
     * @return false once closed with nothing left to do
     */
    private boolean admit() throws InterruptedException {
        List<Row> cancelledWhileWaiting = new ArrayList<>();
        try {
            lock.lock();
            try {
                int running = 0;
                for (RunningBatch batch : batches.values()) {
                    running += batch.size();
                }
                while (true) {
                    // a request cancelled while it waits ends now, not when a row frees up
                    waiting.removeIf(w -> w.row().isCancelled() && cancelledWhileWaiting.add(w.row()));
                    while (running < maxBatchSize && !waiting.isEmpty()) {
                        Waiting next = waiting.poll();
                        batches.computeIfAbsent(next.lane(), RunningBatch::new).admitted.add(next.row());
                        requests++;
                        running++;
                    }
                    if (running > 0) {
                        return true;
                    }
                    if (closing) {
                        return false;
                    }
                    if (!cancelledWhileWaiting.isEmpty()) {
                        return true; // end them before sleeping
                    }
                    wake.await();
                }
            } finally {
                lock.unlock();
            }
        } finally {
            cancelledWhileWaiting.forEach(Row::cancel);
        }
    }

    /** The rows of one lane decoded together, and the requests admitted to join them. Worker thread only. */
    private final class RunningBatch {
        private final Lane lane;
        private final List<Row> rows = new ArrayList<>();     // the decoder's rows, in its order
        private final List<Row> admitted = new ArrayList<>(); // join at this lane's next turn
        private JoinableDecoder decoder;

        RunningBatch(Lane lane) {
            this.lane = lane;
        }

        int size() {
            return rows.size() + admitted.size();
        }

        boolean isEmpty() {
            return size() == 0;
        }

        /** One turn: end cancelled rows, step the others, let the admitted ones join, drop what ended. */
        void round() {
            for (Row row : rows) {
                if (row.isCancelled()) {
                    row.cancel();
                }
            }
            dropEnded();
            if (!rows.isEmpty()) {
                step();
                dropEnded();
            }
            if (!admitted.isEmpty()) {
                join();
                dropEnded();
            }
        }

        private void step() {
            int[] next = new int[rows.size()];
            for (int i = 0; i < next.length; i++) {
                next[i] = rows.get(i).lastToken();
            }
            float[][] logits;
            try {
                logits = DecoderCalls.logits(() -> decoder.step(next), next.length, vocabSize);
            } catch (KefuException e) {
                failRunning(e);
                return;
            }
            decodeSteps++;
            rowSteps += next.length;
            peakBatchSize = Math.max(peakBatchSize, next.length);
            for (int i = 0; i < next.length; i++) {
                rows.get(i).advance(logits[i], maxSequenceLength);
            }
        }

        private void join() {
            List<Row> joining = new ArrayList<>(admitted.size());
            for (Row row : admitted) {
                if (row.isCancelled()) {
                    row.cancel();
                } else {
                    joining.add(row);
                }
            }
            admitted.clear();
            if (joining.isEmpty()) {
                return;
            }
            int[][] prompts = new int[joining.size()][];
            for (int i = 0; i < prompts.length; i++) {
                prompts[i] = joining.get(i).promptIds();
            }
            float[][] logits;
            try {
                if (decoder == null) {
                    decoder = lane.newDecoder();
                }
                joins++;
                logits = DecoderCalls.logits(() -> decoder.join(prompts), prompts.length, vocabSize);
            } catch (RuntimeException e) {
                KefuException failure = DecoderCalls.failure(e);
                joining.forEach(row -> row.fail(failure));
                if (decoder != null && !holdsExactly(rows.size())) {
                    failRunning(failure); // the decoder did not keep its rows as they were
                }
                return;
            }
            rows.addAll(joining);
            peakBatchSize = Math.max(peakBatchSize, rows.size());
            for (int i = 0; i < prompts.length; i++) {
                joining.get(i).advance(logits[i], maxSequenceLength);
            }
        }

        private boolean holdsExactly(int n) {
            try {
                return decoder.rows() == n;
            } catch (RuntimeException e) {
                return false;
            }
        }

        /** Frees the rows that ended; closes the decoder when none are left. */
        private void dropEnded() {
            int ended = 0;
            for (Row row : rows) {
                ended += row.isFinished() ? 1 : 0;
            }
            if (ended == 0) {
                return;
            }
            int[] keep = new int[rows.size() - ended];
            for (int i = 0, k = 0; i < rows.size(); i++) {
                if (!rows.get(i).isFinished()) {
                    keep[k++] = i;
                }
            }
            rows.removeIf(Row::isFinished);
            if (keep.length == 0) {
                closeDecoder();
                return;
            }
            try {
                decoder.retain(keep);
            } catch (RuntimeException e) {
                failRunning(DecoderCalls.failure(e));
            }
        }

        private void failRunning(KefuException failure) {
            rows.forEach(row -> row.fail(failure));
            rows.clear();
            closeDecoder();
        }

        void failAll(KefuException failure) {
            failRunning(failure);
            admitted.forEach(row -> row.fail(failure));
            admitted.clear();
        }

        private void closeDecoder() {
            if (decoder != null) {
                try {
                    decoder.close();
                } catch (RuntimeException e) {
                    LOG.warn("{}: closing a decoder failed", name, e);
                }
                decoder = null;
            }
        }
    }
}
