/*
 * A C implementation of kefu_trtllm.h with no GPU: the same ABI, threads and life cycle as the
 * TensorRT-LLM shim, with a deterministic "model" so that tests can predict every token.
 *
 * The model: generated token i is prompt[(offset + i) % prompt_length], where offset is 0 without a
 * LoRA adapter and is derived from the adapter's weights with one. Generation stops at an end id
 * (not returned), after a stop sequence (returned) or at max_new_tokens. Tokens are produced by two
 * worker threads that take turns over the active requests, at most max_batch_size of them; the rest
 * wait in a queue of max_queue_size.
 *
 * Test hooks, read from the engine directory when the executor is created:
 *   kefu-double-fail      exists: creation fails with KEFU_TRTLLM_INVALID_ENGINE
 *   kefu-double-step-us   holds the microseconds one token takes (default 200)
 * and KEFU_DOUBLE_FAIL_TOKEN in a prompt makes that request fail after two tokens.
 *
 * LoRA adapters live in a cache of lora_cache_max_adapters slots (least recently used evicted). As in
 * TensorRT-LLM's executor, a request naming a task that is not cached, without its weights, is
 * accepted by enqueue and then fails through await with error_status KEFU_TRTLLM_NOT_FOUND and the
 * executor's PeftTaskNotCachedException message.
 */
#define _GNU_SOURCE
#include "kefu_trtllm.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#ifndef KEFU_DOUBLE_ABI
#define KEFU_DOUBLE_ABI KEFU_TRTLLM_ABI_VERSION
#endif

#define KEFU_DOUBLE_FAIL_TOKEN 2000000000
#define NUM_WORKERS 2
#define DEFAULT_LORA_SLOTS 8

enum state { WAITING, ACTIVE };

typedef struct request {
    uint64_t id;
    int32_t *prompt;
    int32_t prompt_length;
    int32_t max_new_tokens;
    int32_t *end_ids;
    int32_t num_end_ids;
    int32_t *stop_tokens;
    int32_t *stop_lengths;
    int32_t num_stops;
    int streaming;
    int log_probs;
    int32_t offset;
    int fail;
    int64_t lora_not_cached;     /* >= 0: this LoRA task was not in the cache; the request fails at once */
    int32_t *out;
    int32_t generated;
    int32_t delivered;
    enum state state;
    int busy;
    int cancel_requested;
    struct request *next;
} request;

typedef struct response_node {
    kefu_trtllm_response r;
    int32_t *tokens;
    float *log_probs;
    char *message;
    struct response_node *next;
} response_node;

/* What one thread got from its last await / stats call on one executor. */
typedef struct thread_slot {
    pthread_t thread;
    response_node *nodes;
    kefu_trtllm_response *array;
    char *stats;
    struct thread_slot *next;
} thread_slot;

typedef struct lora_entry {
    int64_t task_id;
    int32_t offset;
    uint64_t last_used;
} lora_entry;

struct kefu_trtllm_executor {
    pthread_mutex_t lock;
    pthread_cond_t work;
    pthread_cond_t responses_ready;
    pthread_cond_t drained;
    pthread_t workers[NUM_WORKERS];
    int stopping;
    int accepting;
    int32_t max_batch_size;
    int32_t max_queue_size;
    long step_us;
    request *requests;           /* active and waiting, in arrival order */
    int32_t num_active;
    int32_t num_waiting;
    int32_t in_flight;           /* enqueued, final response not yet awaited */
    response_node *ready_head;
    response_node *ready_tail;
    thread_slot *slots;
    uint64_t next_id;
    uint64_t iterations;
    uint64_t completed;
    uint64_t tick;
    lora_entry *lora;
    int32_t lora_slots;
};

static __thread char last_error[1024];

static kefu_trtllm_status fail(kefu_trtllm_status status, const char *format, ...) {
    va_list args;
    va_start(args, format);
    vsnprintf(last_error, sizeof last_error, format, args);
    va_end(args);
    return status;
}

static kefu_trtllm_status ok(void) {
    last_error[0] = '\0';
    return KEFU_TRTLLM_OK;
}

uint32_t kefu_trtllm_abi_version(void) {
    return KEFU_DOUBLE_ABI;
}

const char *kefu_trtllm_backend(void) {
    return "kefu test double (deterministic, no GPU)";
}

const char *kefu_trtllm_last_error(void) {
    return last_error;
}

static void *copy_of(const void *src, size_t bytes) {
    void *dst = malloc(bytes == 0 ? 1 : bytes);
    if (dst != NULL && bytes > 0) {
        memcpy(dst, src, bytes);
    }
    return dst;
}

static void free_request(request *r) {
    free(r->prompt);
    free(r->end_ids);
    free(r->stop_tokens);
    free(r->stop_lengths);
    free(r->out);
    free(r);
}

static void free_nodes(response_node *n) {
    while (n != NULL) {
        response_node *next = n->next;
        free(n->tokens);
        free(n->log_probs);
        free(n->message);
        free(n);
        n = next;
    }
}

/* Caller holds the lock. Queues a response with tokens [delivered, generated). */
static void push_response(kefu_trtllm_executor *e, request *r, int is_final, int reason,
                          kefu_trtllm_status error, const char *message) {
    response_node *n = calloc(1, sizeof *n);
    if (n == NULL) {
        abort();
    }
    int32_t count = r->generated - r->delivered;
    n->tokens = copy_of(r->out + r->delivered, (size_t) count * sizeof(int32_t));
    if (r->log_probs) {
        n->log_probs = malloc((size_t) (count == 0 ? 1 : count) * sizeof(float));
        for (int32_t i = 0; i < count; i++) {
            n->log_probs[i] = -0.125f * (float) ((r->delivered + i) % 4);
        }
    }
    if (message != NULL) {
        n->message = strdup(message);
    }
    n->r.struct_size = sizeof(kefu_trtllm_response);
    n->r.request_id = r->id;
    n->r.tokens = n->tokens;
    n->r.num_tokens = count;
    n->r.log_probs = n->log_probs;
    n->r.is_final = is_final;
    n->r.finish_reason = is_final ? reason : KEFU_TRTLLM_NOT_FINISHED;
    n->r.error_status = error;
    n->r.error_message = n->message;
    r->delivered = r->generated;
    if (e->ready_tail == NULL) {
        e->ready_head = n;
    } else {
        e->ready_tail->next = n;
    }
    e->ready_tail = n;
    pthread_cond_broadcast(&e->responses_ready);
}

/* Caller holds the lock. Removes a request from the list and frees it. */
static void retire(kefu_trtllm_executor *e, request *r) {
    request **p = &e->requests;
    while (*p != r) {
        p = &(*p)->next;
    }
    *p = r->next;
    if (r->state == ACTIVE) {
        e->num_active--;
    } else {
        e->num_waiting--;
    }
    e->completed++;
    free_request(r);
    pthread_cond_broadcast(&e->work);
}

/* Caller holds the lock. Promotes waiting requests while the batch has room, then picks the first
 * active request no worker is on, and moves it to the end of the list so that workers take turns. */
static request *pick(kefu_trtllm_executor *e) {
    for (request *r = e->requests; r != NULL && e->num_active < e->max_batch_size; r = r->next) {
        if (r->state == WAITING) {
            r->state = ACTIVE;
            e->num_active++;
            e->num_waiting--;
        }
    }
    request **p = &e->requests;
    while (*p != NULL && ((*p)->state != ACTIVE || (*p)->busy)) {
        p = &(*p)->next;
    }
    request *r = *p;
    if (r == NULL) {
        return NULL;
    }
    *p = r->next;
    r->next = NULL;
    request **tail = &e->requests;
    while (*tail != NULL) {
        tail = &(*tail)->next;
    }
    *tail = r;
    return r;
}

static int ends_with_stop(const request *r) {
    const int32_t *stop = r->stop_tokens;
    for (int32_t s = 0; s < r->num_stops; s++) {
        int32_t len = r->stop_lengths[s];
        if (len <= r->generated && memcmp(stop, r->out + r->generated - len, (size_t) len * sizeof(int32_t)) == 0) {
            return 1;
        }
        stop += len;
    }
    return 0;
}

/* Caller holds the lock. Generates one token of r and queues what the client should see. */
static void step(kefu_trtllm_executor *e, request *r) {
    if (r->cancel_requested) {
        push_response(e, r, 1, KEFU_TRTLLM_FINISH_CANCELLED, KEFU_TRTLLM_OK, NULL);
        retire(e, r);
        return;
    }
    if (r->lora_not_cached >= 0) {
        char message[200];
        snprintf(message, sizeof message, "PeftTaskNotCachedException: LoRA task %lld not found in cache. "
                 "Please send LoRA weights with request", (long long) r->lora_not_cached);
        push_response(e, r, 1, KEFU_TRTLLM_FINISH_ERROR, KEFU_TRTLLM_NOT_FOUND, message);
        retire(e, r);
        return;
    }
    if (r->fail && r->generated == 2) {
        char message[160];
        snprintf(message, sizeof message,
                 "request %llu: injected engine failure at step 2 (prompt holds KEFU_DOUBLE_FAIL_TOKEN)",
                 (unsigned long long) r->id);
        push_response(e, r, 1, KEFU_TRTLLM_FINISH_ERROR, KEFU_TRTLLM_ENGINE_FAILURE, message);
        retire(e, r);
        return;
    }
    int32_t token = r->prompt[(r->offset + r->generated) % r->prompt_length];
    for (int32_t i = 0; i < r->num_end_ids; i++) {
        if (token == r->end_ids[i]) {
            push_response(e, r, 1, KEFU_TRTLLM_FINISH_END_ID, KEFU_TRTLLM_OK, NULL);
            retire(e, r);
            return;
        }
    }
    r->out[r->generated++] = token;
    int reason = ends_with_stop(r) ? KEFU_TRTLLM_FINISH_STOP_WORDS
               : r->generated == r->max_new_tokens ? KEFU_TRTLLM_FINISH_LENGTH
               : KEFU_TRTLLM_NOT_FINISHED;
    if (reason != KEFU_TRTLLM_NOT_FINISHED) {
        push_response(e, r, 1, reason, KEFU_TRTLLM_OK, NULL);
        retire(e, r);
    } else if (r->streaming) {
        push_response(e, r, 0, KEFU_TRTLLM_NOT_FINISHED, KEFU_TRTLLM_OK, NULL);
    }
}

static void *worker(void *arg) {
    kefu_trtllm_executor *e = arg;
    pthread_mutex_lock(&e->lock);
    while (!e->stopping) {
        request *r = pick(e);
        if (r == NULL) {
            pthread_cond_wait(&e->work, &e->lock);
            continue;
        }
        r->busy = 1;
        e->iterations++;
        pthread_mutex_unlock(&e->lock);
        struct timespec pause = {e->step_us / 1000000, (e->step_us % 1000000) * 1000};
        nanosleep(&pause, NULL);
        pthread_mutex_lock(&e->lock);
        r->busy = 0;
        if (!e->stopping) {
            step(e, r);
        }
    }
    pthread_mutex_unlock(&e->lock);
    return NULL;
}

static long read_step_us(const char *engine_dir) {
    char path[4096];
    snprintf(path, sizeof path, "%s/kefu-double-step-us", engine_dir);
    FILE *f = fopen(path, "r");
    long value = 200;
    if (f != NULL) {
        if (fscanf(f, "%ld", &value) != 1 || value < 0) {
            value = 200;
        }
        fclose(f);
    }
    return value;
}

kefu_trtllm_status kefu_trtllm_executor_create(const char *engine_dir, const kefu_trtllm_executor_config *config,
                                               kefu_trtllm_executor **out) {
    if (engine_dir == NULL || config == NULL || out == NULL) {
        return fail(KEFU_TRTLLM_INVALID_ARGUMENT, "executor_create: engine_dir, config and out must not be null");
    }
    *out = NULL;
    if (config->struct_size < sizeof(kefu_trtllm_executor_config)) {
        return fail(KEFU_TRTLLM_INVALID_ARGUMENT, "executor_create: config.struct_size %u is smaller than version 1 (%zu)",
                    config->struct_size, sizeof(kefu_trtllm_executor_config));
    }
    if (config->max_batch_size < 0 || config->max_queue_size < 0 || config->max_num_tokens < 0
        || config->kv_cache_max_tokens < 0 || config->lora_cache_max_adapters < 0) {
        return fail(KEFU_TRTLLM_INVALID_ARGUMENT,
                    "executor_create: config sizes must not be negative (max_batch_size=%d, max_queue_size=%d)",
                    config->max_batch_size, config->max_queue_size);
    }
    if (config->kv_cache_free_gpu_memory_fraction < 0 || config->kv_cache_free_gpu_memory_fraction > 1) {
        return fail(KEFU_TRTLLM_INVALID_ARGUMENT,
                    "executor_create: config.kv_cache_free_gpu_memory_fraction=%g must be in [0, 1]",
                    (double) config->kv_cache_free_gpu_memory_fraction);
    }
    struct stat st;
    if (stat(engine_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
        return fail(KEFU_TRTLLM_NOT_FOUND, "engine directory '%s' does not exist or is not a directory", engine_dir);
    }
    char marker[4096];
    snprintf(marker, sizeof marker, "%s/kefu-double-fail", engine_dir);
    if (stat(marker, &st) == 0) {
        return fail(KEFU_TRTLLM_INVALID_ENGINE, "engine directory '%s': cannot deserialize rank0.engine "
                    "(the test double was asked to fail by kefu-double-fail)", engine_dir);
    }
    kefu_trtllm_executor *e = calloc(1, sizeof *e);
    if (e == NULL) {
        return fail(KEFU_TRTLLM_INTERNAL, "executor_create: out of memory");
    }
    e->max_batch_size = config->max_batch_size == 0 ? 8 : config->max_batch_size;
    e->max_queue_size = config->max_queue_size;
    e->step_us = read_step_us(engine_dir);
    e->lora_slots = config->lora_cache_max_adapters == 0 ? DEFAULT_LORA_SLOTS : config->lora_cache_max_adapters;
    e->lora = calloc((size_t) e->lora_slots, sizeof(lora_entry));
    for (int32_t i = 0; i < e->lora_slots; i++) {
        e->lora[i].task_id = -1;
    }
    e->accepting = 1;
    e->next_id = 1;
    pthread_mutex_init(&e->lock, NULL);
    pthread_cond_init(&e->work, NULL);
    pthread_cond_init(&e->responses_ready, NULL);
    pthread_cond_init(&e->drained, NULL);
    for (int i = 0; i < NUM_WORKERS; i++) {
        pthread_create(&e->workers[i], NULL, worker, e);
    }
    *out = e;
    return ok();
}

/* Caller holds the lock. Finds or stores the adapter of a request and returns its token offset. */
static kefu_trtllm_status lora_offset(kefu_trtllm_executor *e, const kefu_trtllm_request *q, int32_t *offset) {
    int has_weights = q->lora_weights != NULL || q->lora_config != NULL || q->lora_rows != 0;
    lora_entry *found = NULL;
    for (int32_t i = 0; i < e->lora_slots; i++) {
        if (e->lora[i].task_id == q->lora_task_id) {
            found = &e->lora[i];
        }
    }
    if (!has_weights) {
        if (found == NULL) {
            /* as TensorRT-LLM's executor: accepted here, reported through the responses */
            *offset = -1;
            return KEFU_TRTLLM_OK;
        }
        found->last_used = ++e->tick;
        *offset = found->offset;
        return KEFU_TRTLLM_OK;
    }
    if (q->lora_weights == NULL || q->lora_config == NULL || q->lora_rows <= 0 || q->lora_row_width <= 0) {
        return fail(KEFU_TRTLLM_INVALID_ARGUMENT, "enqueue: LoRA task %lld needs lora_weights, lora_config, "
                    "lora_rows > 0 and lora_row_width > 0 together", (long long) q->lora_task_id);
    }
    uint64_t sum = 0;
    for (int64_t row = 0; row < q->lora_rows; row++) {
        const int32_t *c = q->lora_config + row * 3;
        if (c[0] < 0 || c[0] > 16 || c[1] < 0 || c[2] <= 0) {
            return fail(KEFU_TRTLLM_INVALID_ARGUMENT, "enqueue: lora_config row %lld = [%d, %d, %d]: module id must be "
                        "0..16, layer >= 0 and adapter size > 0", (long long) row, c[0], c[1], c[2]);
        }
        if ((int64_t) c[2] * 2 > q->lora_row_width) {
            return fail(KEFU_TRTLLM_INVALID_ARGUMENT, "enqueue: lora_config row %lld has adapter size %d but rows are "
                        "only %lld wide", (long long) row, c[2], (long long) q->lora_row_width);
        }
        sum += (uint64_t) c[0] * 7u + (uint64_t) c[1] * 13u + (uint64_t) c[2];
    }
    for (int64_t i = 0; i < q->lora_rows * q->lora_row_width; i++) {
        if (q->lora_weights[i] != q->lora_weights[i]) {
            return fail(KEFU_TRTLLM_INVALID_ARGUMENT, "enqueue: lora_weights[%lld] is NaN", (long long) i);
        }
    }
    if (found == NULL) {
        found = &e->lora[0];
        for (int32_t i = 1; i < e->lora_slots; i++) {
            if (e->lora[i].last_used < found->last_used) {
                found = &e->lora[i];
            }
        }
    }
    found->task_id = q->lora_task_id;
    found->offset = (int32_t) (1 + sum % 97);
    found->last_used = ++e->tick;
    *offset = found->offset;
    return KEFU_TRTLLM_OK;
}

static kefu_trtllm_status check_request(const kefu_trtllm_request *q) {
    if (q->struct_size < sizeof(kefu_trtllm_request)) {
        return fail(KEFU_TRTLLM_INVALID_ARGUMENT, "enqueue: request.struct_size %u is smaller than version 1 (%zu)",
                    q->struct_size, sizeof(kefu_trtllm_request));
    }
    if (q->prompt_length <= 0 || q->prompt_tokens == NULL) {
        return fail(KEFU_TRTLLM_INVALID_ARGUMENT, "enqueue: request.prompt_length=%d: the prompt must not be empty",
                    q->prompt_length);
    }
    for (int32_t i = 0; i < q->prompt_length; i++) {
        if (q->prompt_tokens[i] < 0) {
            return fail(KEFU_TRTLLM_INVALID_ARGUMENT, "enqueue: request.prompt_tokens[%d]=%d is negative",
                        i, q->prompt_tokens[i]);
        }
    }
    if (q->max_new_tokens < 1) {
        return fail(KEFU_TRTLLM_INVALID_ARGUMENT, "enqueue: request.max_new_tokens=%d must be at least 1",
                    q->max_new_tokens);
    }
    if (!(q->temperature >= 0) || q->top_k < 0 || !(q->top_p >= 0 && q->top_p <= 1) || !(q->repetition_penalty >= 0)) {
        return fail(KEFU_TRTLLM_INVALID_ARGUMENT, "enqueue: sampling parameters out of range (temperature=%g, "
                    "top_k=%d, top_p=%g, repetition_penalty=%g)", (double) q->temperature, q->top_k,
                    (double) q->top_p, (double) q->repetition_penalty);
    }
    if (q->num_end_ids < 0 || (q->num_end_ids > 0 && q->end_ids == NULL)
        || q->num_stop_sequences < 0 || (q->num_stop_sequences > 0 && (q->stop_tokens == NULL || q->stop_lengths == NULL))) {
        return fail(KEFU_TRTLLM_INVALID_ARGUMENT, "enqueue: end_ids/stop sequences: counts must match the pointers");
    }
    for (int32_t s = 0; s < q->num_stop_sequences; s++) {
        if (q->stop_lengths[s] <= 0) {
            return fail(KEFU_TRTLLM_INVALID_ARGUMENT, "enqueue: request.stop_lengths[%d]=%d must be positive",
                        s, q->stop_lengths[s]);
        }
    }
    return KEFU_TRTLLM_OK;
}

kefu_trtllm_status kefu_trtllm_enqueue(kefu_trtllm_executor *e, const kefu_trtllm_request *q, uint64_t *out_id) {
    if (e == NULL || q == NULL || out_id == NULL) {
        return fail(KEFU_TRTLLM_INVALID_ARGUMENT, "enqueue: executor, request and out_request_id must not be null");
    }
    kefu_trtllm_status status = check_request(q);
    if (status != KEFU_TRTLLM_OK) {
        return status;
    }
    pthread_mutex_lock(&e->lock);
    if (!e->accepting) {
        pthread_mutex_unlock(&e->lock);
        return fail(KEFU_TRTLLM_SHUT_DOWN, "enqueue: the executor is shutting down and takes no new requests");
    }
    if (e->max_queue_size > 0 && e->num_active + e->num_waiting >= e->max_batch_size + e->max_queue_size) {
        int32_t held = e->num_active + e->num_waiting;
        pthread_mutex_unlock(&e->lock);
        return fail(KEFU_TRTLLM_QUEUE_FULL, "enqueue: %d requests are running or waiting (max_batch_size=%d, "
                    "max_queue_size=%d); retry later", held, e->max_batch_size, e->max_queue_size);
    }
    int32_t offset = 0;
    if (q->lora_task_id >= 0) {
        status = lora_offset(e, q, &offset);
        if (status != KEFU_TRTLLM_OK) {
            pthread_mutex_unlock(&e->lock);
            return status;
        }
    }
    request *r = calloc(1, sizeof *r);
    int32_t total_stop = 0;
    for (int32_t s = 0; s < q->num_stop_sequences; s++) {
        total_stop += q->stop_lengths[s];
    }
    r->id = e->next_id++;
    r->prompt = copy_of(q->prompt_tokens, (size_t) q->prompt_length * sizeof(int32_t));
    r->prompt_length = q->prompt_length;
    r->max_new_tokens = q->max_new_tokens;
    r->end_ids = copy_of(q->end_ids, (size_t) q->num_end_ids * sizeof(int32_t));
    r->num_end_ids = q->num_end_ids;
    r->stop_tokens = copy_of(q->stop_tokens, (size_t) total_stop * sizeof(int32_t));
    r->stop_lengths = copy_of(q->stop_lengths, (size_t) q->num_stop_sequences * sizeof(int32_t));
    r->num_stops = q->num_stop_sequences;
    r->streaming = q->streaming != 0;
    r->log_probs = q->return_log_probs != 0;
    r->lora_not_cached = offset < 0 ? q->lora_task_id : -1;
    r->offset = offset < 0 ? 0 : offset % q->prompt_length;
    r->out = malloc((size_t) q->max_new_tokens * sizeof(int32_t));
    r->state = WAITING;
    for (int32_t i = 0; i < q->prompt_length; i++) {
        if (q->prompt_tokens[i] == KEFU_DOUBLE_FAIL_TOKEN) {
            r->fail = 1;
        }
    }
    request **tail = &e->requests;
    while (*tail != NULL) {
        tail = &(*tail)->next;
    }
    *tail = r;
    e->num_waiting++;
    e->in_flight++;
    *out_id = r->id;
    pthread_cond_broadcast(&e->work);
    pthread_mutex_unlock(&e->lock);
    return ok();
}

/* Caller holds the lock. */
static thread_slot *slot_of_this_thread(kefu_trtllm_executor *e) {
    pthread_t self = pthread_self();
    for (thread_slot *s = e->slots; s != NULL; s = s->next) {
        if (pthread_equal(s->thread, self)) {
            return s;
        }
    }
    thread_slot *s = calloc(1, sizeof *s);
    s->thread = self;
    s->next = e->slots;
    e->slots = s;
    return s;
}

static struct timespec deadline_after(int32_t timeout_ms) {
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    t.tv_sec += timeout_ms / 1000;
    t.tv_nsec += (long) (timeout_ms % 1000) * 1000000L;
    if (t.tv_nsec >= 1000000000L) {
        t.tv_sec++;
        t.tv_nsec -= 1000000000L;
    }
    return t;
}

kefu_trtllm_status kefu_trtllm_await(kefu_trtllm_executor *e, int32_t timeout_ms,
                                     const kefu_trtllm_response **out_responses, int32_t *out_count) {
    if (e == NULL || out_responses == NULL || out_count == NULL) {
        return fail(KEFU_TRTLLM_INVALID_ARGUMENT, "await: executor, out_responses and out_count must not be null");
    }
    if (timeout_ms < 0) {
        return fail(KEFU_TRTLLM_INVALID_ARGUMENT, "await: timeout_ms=%d must not be negative", timeout_ms);
    }
    struct timespec deadline = deadline_after(timeout_ms);
    pthread_mutex_lock(&e->lock);
    thread_slot *slot = slot_of_this_thread(e);
    free_nodes(slot->nodes);
    free(slot->array);
    slot->nodes = NULL;
    slot->array = NULL;
    while (e->ready_head == NULL && !e->stopping) {
        if (pthread_cond_timedwait(&e->responses_ready, &e->lock, &deadline) == ETIMEDOUT) {
            break;
        }
    }
    int32_t count = 0;
    for (response_node *n = e->ready_head; n != NULL; n = n->next) {
        count++;
    }
    slot->nodes = e->ready_head;
    e->ready_head = e->ready_tail = NULL;
    slot->array = malloc((size_t) (count == 0 ? 1 : count) * sizeof(kefu_trtllm_response));
    int32_t i = 0;
    for (response_node *n = slot->nodes; n != NULL; n = n->next) {
        slot->array[i++] = n->r;
        if (n->r.is_final) {
            e->in_flight--;
        }
    }
    if (e->in_flight == 0) {
        pthread_cond_broadcast(&e->drained);
    }
    *out_responses = slot->array;
    *out_count = count;
    pthread_mutex_unlock(&e->lock);
    return ok();
}

kefu_trtllm_status kefu_trtllm_cancel(kefu_trtllm_executor *e, uint64_t request_id) {
    if (e == NULL) {
        return fail(KEFU_TRTLLM_INVALID_ARGUMENT, "cancel: executor must not be null");
    }
    pthread_mutex_lock(&e->lock);
    for (request *r = e->requests; r != NULL; r = r->next) {
        if (r->id == request_id) {
            if (r->state == WAITING) {
                push_response(e, r, 1, KEFU_TRTLLM_FINISH_CANCELLED, KEFU_TRTLLM_OK, NULL);
                retire(e, r);
            } else {
                r->cancel_requested = 1;
            }
            break;
        }
    }
    pthread_mutex_unlock(&e->lock);
    return ok();
}

kefu_trtllm_status kefu_trtllm_shutdown(kefu_trtllm_executor *e, int32_t timeout_ms) {
    if (e == NULL) {
        return fail(KEFU_TRTLLM_INVALID_ARGUMENT, "shutdown: executor must not be null");
    }
    if (timeout_ms < 0) {
        return fail(KEFU_TRTLLM_INVALID_ARGUMENT, "shutdown: timeout_ms=%d must not be negative", timeout_ms);
    }
    struct timespec deadline = deadline_after(timeout_ms);
    pthread_mutex_lock(&e->lock);
    e->accepting = 0;
    while (e->in_flight > 0) {
        if (pthread_cond_timedwait(&e->drained, &e->lock, &deadline) == ETIMEDOUT) {
            break;
        }
    }
    int32_t left = e->in_flight;
    pthread_mutex_unlock(&e->lock);
    if (left > 0) {
        return fail(KEFU_TRTLLM_TIMEOUT, "shutdown: %d requests still in flight after %d ms", left, timeout_ms);
    }
    return ok();
}

kefu_trtllm_status kefu_trtllm_stats_json(kefu_trtllm_executor *e, const char **out_json) {
    if (e == NULL || out_json == NULL) {
        return fail(KEFU_TRTLLM_INVALID_ARGUMENT, "stats_json: executor and out_json must not be null");
    }
    pthread_mutex_lock(&e->lock);
    thread_slot *slot = slot_of_this_thread(e);
    free(slot->stats);
    slot->stats = malloc(512);
    snprintf(slot->stats, 512,
             "{\"iter\":%llu,\"numActiveRequests\":%d,\"numQueuedRequests\":%d,\"maxNumActiveRequests\":%d,"
             "\"numCompletedRequests\":%llu,\"maxQueueSize\":%d,\"backend\":\"test-double\"}",
             (unsigned long long) e->iterations, e->num_active, e->num_waiting, e->max_batch_size,
             (unsigned long long) e->completed, e->max_queue_size);
    *out_json = slot->stats;
    pthread_mutex_unlock(&e->lock);
    return ok();
}

void kefu_trtllm_executor_destroy(kefu_trtllm_executor *e) {
    if (e == NULL) {
        return;
    }
    pthread_mutex_lock(&e->lock);
    e->stopping = 1;
    e->accepting = 0;
    pthread_cond_broadcast(&e->work);
    pthread_cond_broadcast(&e->responses_ready);
    pthread_mutex_unlock(&e->lock);
    for (int i = 0; i < NUM_WORKERS; i++) {
        pthread_join(e->workers[i], NULL);
    }
    while (e->requests != NULL) {
        request *next = e->requests->next;
        free_request(e->requests);
        e->requests = next;
    }
    free_nodes(e->ready_head);
    while (e->slots != NULL) {
        thread_slot *next = e->slots->next;
        free_nodes(e->slots->nodes);
        free(e->slots->array);
        free(e->slots->stats);
        free(e->slots);
        e->slots = next;
    }
    free(e->lora);
    pthread_cond_destroy(&e->work);
    pthread_cond_destroy(&e->responses_ready);
    pthread_cond_destroy(&e->drained);
    pthread_mutex_destroy(&e->lock);
    free(e);
}
