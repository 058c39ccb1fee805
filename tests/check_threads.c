/*
 * Threads on one context under the contract in zcs.h: 64 threads allocating, mapping,
 * dispatching and freeing their own arrays, and several threads writing one shared
 * array through one mapping. Built with ThreadSanitizer by scripts/test.sh.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include "support/zcs_test.h"

enum { THREADS = 64, ROUNDS = 20, SHARED_WRITERS = 8, SHARED_COUNT = 1 << 16 };

typedef struct worker {
    zcs_context *context;
    zcs_program *program;
    uint32_t id;
    int failures;
    char message[256];
} worker;

static void worker_fail(worker *w, const char *what, zcs_status status)
{
    if (w->failures++ == 0)
        snprintf(w->message, sizeof w->message, "thread %u: %s: %s: %s", w->id, what,
                 zcs_status_name(status), zcs_last_error());
}

#define WORKER_CK(w, call)                                                                         \
    do {                                                                                           \
        zcs_status worker_status_ = (call);                                                        \
        if (worker_status_ != ZCS_SUCCESS) {                                                       \
            worker_fail((w), #call, worker_status_);                                               \
            return NULL;                                                                           \
        }                                                                                          \
    } while (0)

static void *own_arrays(void *argument)
{
    worker *w = argument;
    zcs_kernel *kernel = NULL;
    WORKER_CK(w, zcs_kernel_create(w->program, "increment_u32", &kernel));
    for (uint32_t round = 0; round < ROUNDS; round++) {
        uint32_t count = 64 + (w->id * 37 + round * 101) % 2000;
        uint32_t amount = w->id + round;
        zcs_buffer *buffer = NULL;
        uint32_t *data = NULL;
        WORKER_CK(w, zcs_alloc(w->context, sizeof(uint32_t), count, 0, &buffer));
        WORKER_CK(w, zcs_map(buffer, ZCS_MAP_WRITE_DISCARD, (void **)&data));
        for (uint32_t i = 0; i < count; i++)
            data[i] = w->id << 20 | i;
        WORKER_CK(w, zcs_unmap(buffer));
        if (round % 2 == 0) {
            size_t global = count;
            WORKER_CK(w, zcs_kernel_set_buffer(kernel, 0, buffer));
            WORKER_CK(w, zcs_kernel_set_value(kernel, 1, sizeof count, &count));
            WORKER_CK(w, zcs_kernel_set_value(kernel, 2, sizeof amount, &amount));
            WORKER_CK(w, zcs_dispatch(kernel, 1, &global, NULL));
        }
        WORKER_CK(w, zcs_map(buffer, ZCS_MAP_READ, (void **)&data));
        for (uint32_t i = 0; i < count; i++) {
            uint32_t expected = (w->id << 20 | i) + (round % 2 == 0 ? amount : 0);
            if (data[i] != expected) {
                worker_fail(w, "data check", ZCS_SUCCESS);
                break;
            }
        }
        WORKER_CK(w, zcs_unmap(buffer));
        zcs_stats stats;
        WORKER_CK(w, zcs_stats_get(w->context, &stats));
        WORKER_CK(w, zcs_free(buffer));
    }
    zcs_kernel_destroy(kernel);
    return NULL;
}

START_TEST(sixty_four_threads_with_their_own_arrays)
{
    zcs_context *context = zcs_test_context();
    zcs_program *program = NULL;
    ZCS_CK(zcs_program_create_builtin(context, "increment_u32", &program));
    static worker workers[THREADS];
    pthread_t threads[THREADS];
    for (uint32_t t = 0; t < THREADS; t++) {
        memset(&workers[t], 0, sizeof workers[t]);
        workers[t].context = context;
        workers[t].program = program;
        workers[t].id = t;
        ck_assert_int_eq(pthread_create(&threads[t], NULL, own_arrays, &workers[t]), 0);
    }
    for (uint32_t t = 0; t < THREADS; t++)
        ck_assert_int_eq(pthread_join(threads[t], NULL), 0);
    for (uint32_t t = 0; t < THREADS; t++)
        ck_assert_msg(workers[t].failures == 0, "%s", workers[t].message);
    zcs_stats stats;
    ZCS_CK(zcs_stats_get(context, &stats));
    ck_assert_uint_eq(stats.allocations, THREADS * ROUNDS);
    ck_assert_uint_eq(stats.frees, THREADS * ROUNDS);
    ck_assert_uint_eq(stats.dispatches, THREADS * ROUNDS / 2);
    ck_assert_uint_eq(stats.maps, 2 * THREADS * ROUNDS);
    zcs_program_destroy(program);
    zcs_test_context_destroy(context);
}
END_TEST

typedef struct slice_writer {
    uint32_t *data;
    uint32_t first;
    uint32_t count;
} slice_writer;

static void *write_slice(void *argument)
{
    slice_writer *s = argument;
    for (uint32_t i = 0; i < s->count; i++)
        s->data[s->first + i] = s->first + i;
    return NULL;
}

START_TEST(threads_share_one_mapping)
{
    /* One thread maps, several write disjoint slices through the pointer, one unmaps. */
    zcs_context *context = zcs_test_context();
    zcs_buffer *buffer = NULL;
    uint32_t *data = NULL;
    ZCS_CK(zcs_alloc(context, sizeof(uint32_t), SHARED_COUNT, 0, &buffer));
    ZCS_CK(zcs_map(buffer, ZCS_MAP_WRITE_DISCARD, (void **)&data));
    pthread_t threads[SHARED_WRITERS];
    slice_writer slices[SHARED_WRITERS];
    for (uint32_t t = 0; t < SHARED_WRITERS; t++) {
        slices[t].data = data;
        slices[t].first = t * (SHARED_COUNT / SHARED_WRITERS);
        slices[t].count = SHARED_COUNT / SHARED_WRITERS;
        ck_assert_int_eq(pthread_create(&threads[t], NULL, write_slice, &slices[t]), 0);
    }
    for (uint32_t t = 0; t < SHARED_WRITERS; t++)
        ck_assert_int_eq(pthread_join(threads[t], NULL), 0);
    ZCS_CK(zcs_unmap(buffer));

    zcs_program *program = NULL;
    zcs_kernel *kernel = NULL;
    const uint32_t count = SHARED_COUNT;
    const uint32_t amount = 9;
    ZCS_CK(zcs_program_create_builtin(context, "increment_u32", &program));
    ZCS_CK(zcs_kernel_create(program, "increment_u32", &kernel));
    ZCS_CK(zcs_kernel_set_buffer(kernel, 0, buffer));
    ZCS_CK(zcs_kernel_set_value(kernel, 1, sizeof count, &count));
    ZCS_CK(zcs_kernel_set_value(kernel, 2, sizeof amount, &amount));
    size_t global = count;
    ZCS_CK(zcs_dispatch(kernel, 1, &global, NULL));
    ZCS_CK(zcs_map(buffer, ZCS_MAP_READ, (void **)&data));
    for (uint32_t i = 0; i < count; i++)
        ck_assert_uint_eq(data[i], i + amount);
    ZCS_CK(zcs_unmap(buffer));
    zcs_kernel_destroy(kernel);
    zcs_program_destroy(program);
    ZCS_CK(zcs_free(buffer));
    zcs_test_context_destroy(context);
}
END_TEST

static Suite *threads_suite(void)
{
    Suite *suite = suite_create("threads");
    TCase *tc = tcase_create("threads");
    tcase_add_test(tc, sixty_four_threads_with_their_own_arrays);
    tcase_add_test(tc, threads_share_one_mapping);
    suite_add_tcase(suite, tc);
    return suite;
}

int main(void)
{
    return zcs_test_run(threads_suite());
}
