package io.kefu.engine.trtllm.internal;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import io.kefu.ErrorCode;
import io.kefu.KefuException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * An executor of the shim. Thread-safe except {@link #close()}, which the owner calls once nothing
 * else uses the handle; close is idempotent and calls after it fail with {@link ErrorCode#CLOSED}.
 */
public final class ExecutorHandle implements AutoCloseable {
    private final TrtllmNative lib;
    private final Pointer executor;
    private final AtomicBoolean closed = new AtomicBoolean();

    private ExecutorHandle(TrtllmNative lib, Pointer executor) {
        this.lib = lib;
        this.executor = executor;
    }

    /**
     * Loads an engine directory.
     *
     * @throws KefuException NOT_FOUND, INVALID_CHECKPOINT, INVALID_ARGUMENT with the library's message
     */
    public static ExecutorHandle create(TrtllmNative lib, Path engineDir, ExecutorSettings settings) {
        Structs.ExecutorConfig config = new Structs.ExecutorConfig();
        config.max_batch_size = settings.maxBatchSize();
        config.max_num_tokens = settings.maxNumTokens();
        config.max_queue_size = settings.maxQueueSize();
        config.kv_cache_free_gpu_memory_fraction = settings.kvCacheFreeGpuMemoryFraction();
        config.kv_cache_max_tokens = settings.kvCacheMaxTokens();
        config.kv_cache_enable_block_reuse = settings.kvCacheBlockReuse() ? 1 : 0;
        config.lora_cache_max_adapters = settings.loraCacheMaxAdapters();
        PointerByReference out = new PointerByReference();
        Status.check(lib, lib.kefu_trtllm_executor_create(engineDir.toString(), config, out), "executor_create(" + engineDir + ")");
        return new ExecutorHandle(lib, out.getValue());
    }

    /**
     * Queues a request.
     *
     * @return its id
     * @throws KefuException RESOURCE_EXHAUSTED when the queue is full, CLOSED after shutdown, INVALID_ARGUMENT
     */
    public long enqueue(RequestSpec spec) {
        ensureOpen();
        Structs.Request request = new Structs.Request();
        List<Memory> buffers = new ArrayList<>();
        try {
            request.prompt_tokens = ints(spec.prompt(), buffers);
            request.prompt_length = spec.prompt().length;
            request.max_new_tokens = spec.maxNewTokens();
            request.temperature = spec.temperature();
            request.top_k = spec.topK();
            request.top_p = spec.topP();
            request.repetition_penalty = spec.repetitionPenalty();
            request.seed = spec.seed();
            request.end_ids = ints(spec.endIds(), buffers);
            request.num_end_ids = spec.endIds().length;
            int total = spec.stopSequences().stream().mapToInt(s -> s.length).sum();
            int[] flat = new int[total];
            int[] lengths = new int[spec.stopSequences().size()];
            int at = 0;
            for (int i = 0; i < lengths.length; i++) {
                int[] stop = spec.stopSequences().get(i);
                System.arraycopy(stop, 0, flat, at, stop.length);
                at += stop.length;
                lengths[i] = stop.length;
            }
            request.stop_tokens = ints(flat, buffers);
            request.stop_lengths = ints(lengths, buffers);
            request.num_stop_sequences = lengths.length;
            request.streaming = spec.streaming() ? 1 : 0;
            request.return_log_probs = spec.logprobs() ? 1 : 0;
            request.lora_task_id = spec.loraTaskId();
            if (spec.lora() != null) {
                LoraTensors lora = spec.lora();
                Memory weights = new Memory((long) lora.weights().length * Float.BYTES);
                weights.write(0, lora.weights(), 0, lora.weights().length);
                buffers.add(weights);
                request.lora_weights = weights;
                request.lora_rows = lora.rows();
                request.lora_row_width = lora.rowWidth();
                request.lora_config = ints(lora.config(), buffers);
            }
            LongByReference id = new LongByReference();
            Status.check(lib, lib.kefu_trtllm_enqueue(executor, request, id), "enqueue");
            return id.getValue();
        } finally {
            buffers.forEach(Memory::close);
        }
    }

    private static Pointer ints(int[] values, List<Memory> buffers) {
        if (values.length == 0) {
            return null;
        }
        Memory memory = new Memory((long) values.length * Integer.BYTES);
        memory.write(0, values, 0, values.length);
        buffers.add(memory);
        return memory;
    }

    /**
     * Waits up to {@code timeoutMs} for responses of any request and copies them out.
     *
     * @return the responses, possibly none
     */
    public List<NativeResponse> await(int timeoutMs) {
        ensureOpen();
        PointerByReference array = new PointerByReference();
        IntByReference count = new IntByReference();
        Status.check(lib, lib.kefu_trtllm_await(executor, timeoutMs, array, count), "await");
        int n = count.getValue();
        List<NativeResponse> out = new ArrayList<>(n);
        if (n == 0) {
            return out;
        }
        Pointer base = array.getValue();
        int size = new Structs.Response().size();
        for (int i = 0; i < n; i++) {
            Structs.Response r = new Structs.Response(base.share((long) i * size));
            int[] tokens = r.num_tokens == 0 || r.tokens == null ? new int[0] : r.tokens.getIntArray(0, r.num_tokens);
            float[] logprobs = r.log_probs == null ? null : r.log_probs.getFloatArray(0, r.num_tokens);
            String message = r.error_message == null ? null : r.error_message.getString(0, "UTF-8");
            out.add(new NativeResponse(r.request_id, tokens, logprobs, r.is_final != 0, FinishKind.of(r.finish_reason),
                    Status.of(r.error_status), message));
        }
        return out;
    }

    /** Asks a request to stop; unknown or finished ids are ignored. */
    public void cancel(long requestId) {
        ensureOpen();
        Status.check(lib, lib.kefu_trtllm_cancel(executor, requestId), "cancel(" + requestId + ")");
    }

    /**
     * Stops taking requests and waits until those in flight have delivered their final responses
     * (someone must keep calling {@link #await(int)}).
     *
     * @throws KefuException TIMEOUT when they have not within the time given
     */
    public void shutdown(int timeoutMs) {
        ensureOpen();
        Status.check(lib, lib.kefu_trtllm_shutdown(executor, timeoutMs), "shutdown");
    }

    /** @return the latest iteration statistics as JSON */
    public String statsJson() {
        ensureOpen();
        PointerByReference json = new PointerByReference();
        Status.check(lib, lib.kefu_trtllm_stats_json(executor, json), "stats_json");
        return json.getValue().getString(0, "UTF-8");
    }

    /** @return whether {@link #close()} was called */
    public boolean isClosed() {
        return closed.get();
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new KefuException(ErrorCode.CLOSED, "the TensorRT-LLM executor was closed");
        }
    }

    /** Cancels what is left, stops the executor's threads and frees it. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            lib.kefu_trtllm_executor_destroy(executor);
        }
    }
}
