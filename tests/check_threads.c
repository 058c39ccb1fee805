/*
 * Threads on one context under the contract in zcs.h: 64 threads allocating, mapping,
 * dispatching and freeing their own arrays, and several threads writing one shared
 * array through one mapping. Built with ThreadSanitizer by scripts/test.sh.
 */
#include <pthread.h>
#include <stdatomic.h>
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
        zcs_array *buffer = NULL;
        uint32_t *data = NULL;
        WORKER_CK(w, zcs_array_create(w->context, sizeof(uint32_t), count, 0, &buffer));
        WORKER_CK(w, zcs_array_map(buffer, ZCS_MAP_WRITE_DISCARD, (void **)&data));
        for (uint32_t i = 0; i < count; i++)
            data[i] = w->id << 20 | i;
        WORKER_CK(w, zcs_array_unmap(buffer));
        if (round % 2 == 0) {
            /* A fixed work-group size, so PoCL compiles one specialisation of the kernel,
               not one per array size (check_random.c says why). */
            size_t global = count;
            size_t local = 64;
            WORKER_CK(w, zcs_kernel_set_array(kernel, 0, buffer));
            WORKER_CK(w, zcs_kernel_set_value(kernel, 1, sizeof count, &count));
            WORKER_CK(w, zcs_kernel_set_value(kernel, 2, sizeof amount, &amount));
            WORKER_CK(w, zcs_dispatch(kernel, 1, &global, &local));
        }
        WORKER_CK(w, zcs_array_map(buffer, ZCS_MAP_READ, (void **)&data));
        for (uint32_t i = 0; i < count; i++) {
            uint32_t expected = (w->id << 20 | i) + (round % 2 == 0 ? amount : 0);
            if (data[i] != expected) {
                worker_fail(w, "data check", ZCS_SUCCESS);
                break;
            }
        }
        WORKER_CK(w, zcs_array_unmap(buffer));
        zcs_stats stats;
        WORKER_CK(w, zcs_stats_get(w->context, &stats));
        WORKER_CK(w, zcs_array_destroy(buffer));
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
    zcs_array *buffer = NULL;
    uint32_t *data = NULL;
    ZCS_CK(zcs_array_create(context, sizeof(uint32_t), SHARED_COUNT, 0, &buffer));
    ZCS_CK(zcs_array_map(buffer, ZCS_MAP_WRITE_DISCARD, (void **)&data));
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
    ZCS_CK(zcs_array_unmap(buffer));

    zcs_program *program = NULL;
    zcs_kernel *kernel = NULL;
    const uint32_t count = SHARED_COUNT;
    const uint32_t amount = 9;
    kernel = zcs_test_increment_kernel(context, buffer, count, amount, &program);
    size_t global = count;
    ZCS_CK(zcs_dispatch(kernel, 1, &global, NULL));
    zcs_test_expect_indexed(buffer, count, amount);
    zcs_kernel_destroy(kernel);
    zcs_program_destroy(program);
    ZCS_CK(zcs_array_destroy(buffer));
    zcs_test_context_destroy(context);
}
END_TEST

typedef struct contender {
    zcs_context *context;
    zcs_array *buffer;
    zcs_kernel *kernel;
    uint32_t count;
    int rounds;
    int dispatched;   /* dispatches that went through */
    int refused;      /* dispatches refused with ZCS_ERROR_MAPPED */
    int torn;         /* mappings during which a kernel changed the data */
    zcs_status error; /* anything else */
} contender;

/* Dispatch increment_u32 over the shared array as often as it lets us. */
static void *dispatch_loop(void *argument)
{
    contender *c = argument;
    size_t global = c->count;
    for (int i = 0; i < c->rounds; i++) {
        zcs_status status = zcs_dispatch(c->kernel, 1, &global, NULL);
        if (status == ZCS_SUCCESS)
            c->dispatched++;
        else if (status == ZCS_ERROR_MAPPED)
            c->refused++;
        else
            c->error = status;
    }
    return NULL;
}

/* Map the shared array again and again; while mapped, no kernel may change it. */
static void *map_loop(void *argument)
{
    contender *c = argument;
    for (int i = 0; i < c->rounds; i++) {
        volatile uint32_t *data = NULL;
        zcs_status status = zcs_array_map(c->buffer, ZCS_MAP_READ, (void **)&data);
        if (status != ZCS_SUCCESS) {
            c->error = status;
            continue;
        }
        uint32_t first = data[0];
        uint32_t last = data[c->count - 1];
        for (volatile int spin = 0; spin < 2000; spin++) {
        }
        if (data[0] != first || data[c->count - 1] != last || first != last)
            c->torn++;
        status = zcs_array_unmap(c->buffer);
        if (status != ZCS_SUCCESS)
            c->error = status;
    }
    return NULL;
}

START_TEST(map_and_dispatch_of_one_array_never_overlap)
{
    /* One thread maps an array while another dispatches kernels on it: each dispatch is
       either refused (the array is mapped) or finished before the next map shows the data. */
    zcs_context *context = zcs_test_context();
    contender c;
    memset(&c, 0, sizeof c);
    c.context = context;
    c.count = 4096;
    c.rounds = 300;
    const uint32_t amount = 1;
    zcs_program *program = NULL;
    uint32_t *data = NULL;
    ZCS_CK(zcs_array_create(context, sizeof(uint32_t), c.count, 0, &c.buffer));
    ZCS_CK(zcs_array_map(c.buffer, ZCS_MAP_WRITE_DISCARD, (void **)&data));
    memset(data, 0, c.count * sizeof(uint32_t));
    ZCS_CK(zcs_array_unmap(c.buffer));
    c.kernel = zcs_test_increment_kernel(context, c.buffer, c.count, amount, &program);
    contender mapper = c;
    pthread_t dispatcher_thread, mapper_thread;
    ck_assert_int_eq(pthread_create(&dispatcher_thread, NULL, dispatch_loop, &c), 0);
    ck_assert_int_eq(pthread_create(&mapper_thread, NULL, map_loop, &mapper), 0);
    ck_assert_int_eq(pthread_join(dispatcher_thread, NULL), 0);
    ck_assert_int_eq(pthread_join(mapper_thread, NULL), 0);
    ck_assert_msg(c.error == ZCS_SUCCESS, "dispatch: %s", zcs_status_name(c.error));
    ck_assert_msg(mapper.error == ZCS_SUCCESS, "map: %s", zcs_status_name(mapper.error));
    ck_assert_int_eq(mapper.torn, 0);
    ck_assert_int_eq(c.dispatched + c.refused, c.rounds);
    /* Every dispatch that went through ran exactly once on every element. */
    ZCS_CK(zcs_array_map(c.buffer, ZCS_MAP_READ, (void **)&data));
    for (uint32_t i = 0; i < c.count; i++)
        ck_assert_uint_eq(data[i], (uint32_t)c.dispatched * amount);
    ZCS_CK(zcs_array_unmap(c.buffer));
    printf("map/dispatch contention: %d dispatched, %d refused while mapped\n", c.dispatched,
           c.refused);
    zcs_kernel_destroy(c.kernel);
    zcs_program_destroy(program);
    ZCS_CK(zcs_array_destroy(c.buffer));
    zcs_test_context_destroy(context);
}
END_TEST

/* Issue 10, case 1: one thread allocates and frees an array over and over while another
   sets it as a kernel's argument and dispatches. */
typedef struct churn {
    zcs_context *context;
    zcs_kernel *kernel;
    _Atomic(zcs_array *) current;
    atomic_int done;
    atomic_int started;
    atomic_int attempts; /* set_buffer calls of the dispatching thread */
    int rounds;
    int freed;
    int dispatched;
    int refused_set;      /* set_buffer of an array freed meanwhile: ZCS_ERROR_INVALID_HANDLE */
    int refused_dispatch; /* dispatch of an argument freed meanwhile: ZCS_ERROR_KERNEL_ARGUMENT */
    zcs_status error;     /* anything else */
} churn;

static void *alloc_free_loop(void *argument)
{
    churn *c = argument;
    while (!atomic_load(&c->started))
        ;
    /* At least `rounds` frees, and on until the other thread has tried a quarter as many
       times (bounded, so a stalled thread fails the test rather than hangs it). */
    for (int i = 0;
         i < 50 * c->rounds && (i < c->rounds || atomic_load(&c->attempts) < c->rounds / 4); i++) {
        zcs_array *buffer = NULL;
        zcs_status status = zcs_array_create(c->context, sizeof(uint32_t), 256, 0, &buffer);
        if (status != ZCS_SUCCESS) {
            c->error = status;
            break;
        }
        int seen = atomic_load(&c->attempts);
        atomic_store(&c->current, buffer);
        /* Now and then give the other thread time to use the array before the free, so
           both orders happen. */
        for (int spin = 0; i % 2 == 0 && spin < 100000 && atomic_load(&c->attempts) == seen; spin++)
            ;
        status = zcs_array_destroy(buffer);
        if (status != ZCS_SUCCESS)
            c->error = status;
        else
            c->freed++;
    }
    atomic_store(&c->done, 1);
    return NULL;
}

static void *set_dispatch_loop(void *argument)
{
    churn *c = argument;
    size_t global = 256;
    atomic_store(&c->started, 1);
    while (!atomic_load(&c->done)) {
        zcs_array *buffer = atomic_load(&c->current);
        if (buffer == NULL)
            continue;
        atomic_fetch_add(&c->attempts, 1);
        zcs_status status = zcs_kernel_set_array(c->kernel, 0, buffer);
        if (status == ZCS_ERROR_INVALID_HANDLE) {
            c->refused_set++;
            continue;
        }
        if (status != ZCS_SUCCESS) {
            c->error = status;
            break;
        }
        status = zcs_dispatch(c->kernel, 1, &global, NULL);
        if (status == ZCS_SUCCESS)
            c->dispatched++;
        else if (status == ZCS_ERROR_KERNEL_ARGUMENT)
            c->refused_dispatch++;
        else {
            c->error = status;
            break;
        }
    }
    return NULL;
}

START_TEST(free_racing_a_dispatch_of_the_array_is_safe)
{
    zcs_context *context = zcs_test_context();
    zcs_array *first = NULL;
    ZCS_CK(zcs_array_create(context, sizeof(uint32_t), 256, 0, &first));
    zcs_program *program = NULL;
    churn c;
    memset(&c, 0, sizeof c);
    c.context = context;
    c.rounds = 2000;
    c.kernel = zcs_test_increment_kernel(context, first, 256, 1, &program);
    ZCS_CK(zcs_array_destroy(first));
    atomic_init(&c.current, NULL);
    atomic_init(&c.done, 0);
    atomic_init(&c.started, 0);
    atomic_init(&c.attempts, 0);
    pthread_t freer, dispatcher;
    ck_assert_int_eq(pthread_create(&freer, NULL, alloc_free_loop, &c), 0);
    ck_assert_int_eq(pthread_create(&dispatcher, NULL, set_dispatch_loop, &c), 0);
    ck_assert_int_eq(pthread_join(freer, NULL), 0);
    ck_assert_int_eq(pthread_join(dispatcher, NULL), 0);
    ck_assert_msg(c.error == ZCS_SUCCESS, "%s: %s", zcs_status_name(c.error), zcs_last_error());
    int attempts = atomic_load(&c.attempts);
    ck_assert_int_ge(c.freed, c.rounds);
    ck_assert_int_ge(attempts, c.rounds / 4);
    /* Every attempt ended one of three ways, each counted. */
    ck_assert_int_eq(c.dispatched + c.refused_set + c.refused_dispatch, attempts);
    ZCS_CK(zcs_finish(context));
    zcs_stats stats;
    ZCS_CK(zcs_stats_get(context, &stats));
    ck_assert_uint_eq(stats.dispatches, (uint64_t)c.dispatched);
    ck_assert_uint_eq(stats.frees, (uint64_t)c.freed + 1);
    printf("free/dispatch race: %d frees, %d dispatches, %d arguments and %d dispatches refused "
           "as freed\n",
           c.freed, c.dispatched, c.refused_set, c.refused_dispatch);
    zcs_kernel_destroy(c.kernel);
    zcs_program_destroy(program);
    zcs_test_context_destroy(context);
}
END_TEST

/* Issue 10, case 8: two threads using one kernel object get ZCS_ERROR_BUSY, not a crash. */
typedef struct sharer {
    zcs_kernel *kernel;
    int rounds;
    int done;
    int busy;
    zcs_status error;
} sharer;

static void *share_kernel_loop(void *argument)
{
    sharer *s = argument;
    size_t global = 64;
    uint32_t amount = 1;
    for (int i = 0; i < s->rounds; i++) {
        zcs_status status = zcs_kernel_set_value(s->kernel, 2, sizeof amount, &amount);
        if (status == ZCS_SUCCESS)
            status = zcs_dispatch(s->kernel, 1, &global, NULL);
        if (status == ZCS_SUCCESS)
            s->done++;
        else if (status == ZCS_ERROR_BUSY)
            s->busy++;
        else
            s->error = status;
    }
    return NULL;
}

START_TEST(one_kernel_on_two_threads_is_refused_not_crashed)
{
    zcs_context *context = zcs_test_context();
    zcs_array *buffer = NULL;
    uint32_t *data = NULL;
    ZCS_CK(zcs_array_create(context, sizeof(uint32_t), 64, 0, &buffer));
    ZCS_CK(zcs_array_map(buffer, ZCS_MAP_WRITE_DISCARD, (void **)&data));
    memset(data, 0, 64 * sizeof(uint32_t));
    ZCS_CK(zcs_array_unmap(buffer));
    zcs_program *program = NULL;
    zcs_kernel *kernel = zcs_test_increment_kernel(context, buffer, 64, 1, &program);
    sharer a = {kernel, 500, 0, 0, ZCS_SUCCESS};
    sharer b = a;
    pthread_t ta, tb;
    ck_assert_int_eq(pthread_create(&ta, NULL, share_kernel_loop, &a), 0);
    ck_assert_int_eq(pthread_create(&tb, NULL, share_kernel_loop, &b), 0);
    ck_assert_int_eq(pthread_join(ta, NULL), 0);
    ck_assert_int_eq(pthread_join(tb, NULL), 0);
    ck_assert_msg(a.error == ZCS_SUCCESS && b.error == ZCS_SUCCESS, "%s / %s",
                  zcs_status_name(a.error), zcs_status_name(b.error));
    /* Every dispatch that went through added 1 to every element, exactly once. */
    ZCS_CK(zcs_array_map(buffer, ZCS_MAP_READ, (void **)&data));
    for (uint32_t i = 0; i < 64; i++)
        ck_assert_uint_eq(data[i], (uint32_t)(a.done + b.done));
    ZCS_CK(zcs_array_unmap(buffer));
    zcs_stats stats;
    ZCS_CK(zcs_stats_get(context, &stats));
    ck_assert_uint_eq(stats.dispatches, (uint64_t)(a.done + b.done));
    ck_assert_int_eq(a.done + a.busy, a.rounds);
    ck_assert_int_eq(b.done + b.busy, b.rounds);
    printf("one kernel, two threads: %d dispatched, %d refused as busy\n", a.done + b.done,
           a.busy + b.busy);
    zcs_kernel_destroy(kernel);
    zcs_program_destroy(program);
    ZCS_CK(zcs_array_destroy(buffer));
    zcs_test_context_destroy(context);
}
END_TEST

static Suite *threads_suite(void)
{
    Suite *suite = suite_create("threads");
    TCase *tc = tcase_create("threads");
    tcase_add_test(tc, sixty_four_threads_with_their_own_arrays);
    tcase_add_test(tc, threads_share_one_mapping);
    tcase_add_test(tc, map_and_dispatch_of_one_array_never_overlap);
    tcase_add_test(tc, free_racing_a_dispatch_of_the_array_is_safe);
    tcase_add_test(tc, one_kernel_on_two_threads_is_refused_not_crashed);
    suite_add_tcase(suite, tc);
    return suite;
}

int main(void)
{
    return zcs_test_run(threads_suite());
}
