/* Drives kefu_trtllm.h the way the Java poller does - several submitting threads, one awaiting
 * thread, cancels, a draining shutdown with requests in flight, then destroy - and checks every
 * response it reads. Built and run under AddressSanitizer by run-asan.sh, so any use of freed
 * response buffers, leak or overflow fails the run. Exit code 0 means every check held. */
#define _GNU_SOURCE
#include "kefu_trtllm.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define SUBMITTERS 4
#define PER_SUBMITTER 50
#define TOTAL (SUBMITTERS * PER_SUBMITTER)

static kefu_trtllm_executor *executor;
static atomic_int finals;
static atomic_int failures;
static _Atomic uint64_t ids[TOTAL];
static int32_t expected_first[TOTAL];

#define CHECK(cond, ...) do { if (!(cond)) { fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); atomic_fetch_add(&failures, 1); } } while (0)

static int index_of(uint64_t id) {
    for (int i = 0; i < TOTAL; i++) {
        if (ids[i] == id) {
            return i;
        }
    }
    return -1;
}

static void *submitter(void *arg) {
    int base = (int) (intptr_t) arg * PER_SUBMITTER;
    for (int i = base; i < base + PER_SUBMITTER; i++) {
        int32_t prompt[3] = {i + 10, i + 20, i + 30};
        int32_t end_id = 999999;
        int32_t stop[2] = {i + 20, i + 30};
        int32_t stop_length = 2;
        kefu_trtllm_request q;
        memset(&q, 0, sizeof q);
        q.struct_size = sizeof q;
        q.prompt_tokens = prompt;
        q.prompt_length = 3;
        q.max_new_tokens = 4 + i % 7;
        q.top_p = 1;
        q.repetition_penalty = 1;
        q.end_ids = &end_id;
        q.num_end_ids = 1;
        q.stop_tokens = stop;
        q.stop_lengths = &stop_length;
        q.num_stop_sequences = i % 3 == 0;
        q.streaming = i % 2;
        q.return_log_probs = i % 4 == 0;
        q.lora_task_id = -1;
        expected_first[i] = i + 10;
        uint64_t id = 0;
        kefu_trtllm_status s = kefu_trtllm_enqueue(executor, &q, &id);
        CHECK(s == KEFU_TRTLLM_OK, "enqueue %d: %s", i, kefu_trtllm_last_error());
        ids[i] = id;
        if (i % 5 == 0) {
            kefu_trtllm_cancel(executor, id);
        }
    }
    return NULL;
}

static void *awaiter(void *arg) {
    (void) arg;
    int32_t seen_first[TOTAL];
    memset(seen_first, 0, sizeof seen_first);
    /* ids of requests whose tokens came before their submitter stored the id: their first token was not seen */
    uint64_t early[TOTAL];
    int32_t early_count = 0;
    while (atomic_load(&finals) < TOTAL) {
        const kefu_trtllm_response *rs = NULL;
        int32_t n = 0;
        kefu_trtllm_status s = kefu_trtllm_await(executor, 20, &rs, &n);
        CHECK(s == KEFU_TRTLLM_OK, "await: %s", kefu_trtllm_last_error());
        for (int32_t k = 0; k < n; k++) {
            const kefu_trtllm_response *r = &rs[k];
            CHECK(r->struct_size == sizeof *r, "response struct_size %u", r->struct_size);
            if (r->is_final) {
                CHECK(r->error_status == KEFU_TRTLLM_OK, "request %llu failed: %s",
                      (unsigned long long) r->request_id, r->error_message);
                atomic_fetch_add(&finals, 1);
            }
            int i = index_of(r->request_id);
            if (i < 0) {
                /* its submitter has not stored the id yet */
                if (r->num_tokens > 0 && early_count < TOTAL) {
                    early[early_count++] = r->request_id;
                }
                continue;
            }
            for (int32_t e = 0; e < early_count && !seen_first[i]; e++) {
                if (early[e] == r->request_id) {
                    seen_first[i] = 1; /* a later chunk: its first token went by unchecked */
                }
            }
            long sum = 0;
            for (int32_t t = 0; t < r->num_tokens; t++) {
                sum += r->tokens[t];
                if (r->log_probs != NULL) {
                    sum += (long) r->log_probs[t];
                }
            }
            if (r->num_tokens > 0 && !seen_first[i]) {
                CHECK(r->tokens[0] == expected_first[i], "request %d: first token %d", i, r->tokens[0]);
                seen_first[i] = 1;
            }
            CHECK(sum >= 0, "request %d: negative token", i);
        }
    }
    return NULL;
}

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : "/tmp";
    kefu_trtllm_executor_config config;
    memset(&config, 0, sizeof config);
    config.struct_size = sizeof config;
    config.max_batch_size = 8;
    CHECK(kefu_trtllm_executor_create("/nonexistent/engine", &config, &executor) == KEFU_TRTLLM_NOT_FOUND,
          "a missing engine dir must be NOT_FOUND");
    CHECK(strstr(kefu_trtllm_last_error(), "/nonexistent/engine") != NULL, "last error names the folder");
    CHECK(kefu_trtllm_executor_create(dir, &config, &executor) == KEFU_TRTLLM_OK, "create: %s", kefu_trtllm_last_error());

    pthread_t await_thread;
    pthread_t submit_threads[SUBMITTERS];
    pthread_create(&await_thread, NULL, awaiter, NULL);
    for (intptr_t t = 0; t < SUBMITTERS; t++) {
        pthread_create(&submit_threads[t], NULL, submitter, (void *) t);
    }
    for (int t = 0; t < SUBMITTERS; t++) {
        pthread_join(submit_threads[t], NULL);
    }
    kefu_trtllm_status s = kefu_trtllm_shutdown(executor, 30000);
    CHECK(s == KEFU_TRTLLM_OK, "shutdown: %s", kefu_trtllm_last_error());
    pthread_join(await_thread, NULL);
    const char *json = NULL;
    CHECK(kefu_trtllm_stats_json(executor, &json) == KEFU_TRTLLM_OK && strstr(json, "numCompletedRequests") != NULL,
          "stats json");

    /* a second executor destroyed with requests still running: destroy must free them all */
    kefu_trtllm_executor *busy = NULL;
    CHECK(kefu_trtllm_executor_create(dir, &config, &busy) == KEFU_TRTLLM_OK, "create busy");
    for (int i = 0; i < 20; i++) {
        int32_t prompt[1] = {i};
        kefu_trtllm_request q;
        memset(&q, 0, sizeof q);
        q.struct_size = sizeof q;
        q.prompt_tokens = prompt;
        q.prompt_length = 1;
        q.max_new_tokens = 100000;
        q.streaming = 1;
        q.lora_task_id = -1;
        uint64_t id;
        kefu_trtllm_enqueue(busy, &q, &id);
    }
    const kefu_trtllm_response *rs;
    int32_t n;
    kefu_trtllm_await(busy, 5, &rs, &n);
    kefu_trtllm_executor_destroy(busy);
    kefu_trtllm_executor_destroy(executor);

    printf("%d requests, %d final responses, %d failed checks\n", TOTAL, atomic_load(&finals), atomic_load(&failures));
    return atomic_load(&failures) == 0 && atomic_load(&finals) == TOTAL ? 0 : 1;
}
