/*
 * Randomized integrity: a seeded sequence of allocate, map a range, write, dispatch a
 * kernel that changes the data, read back and free, checked element for element against
 * a reference model kept in separate host memory (never the memory the device wrote).
 *
 * A share of the operations misuse the API on purpose (stale handles, double free, wrong
 * value sizes, a dispatch whose argument was freed, double map and unmap, grids past the
 * limit) and check the documented status. Each run draws its seeds from the clock, the
 * process id and the configuration (backend, tier), prints them, and runs an even seed
 * with validation off and an odd one with validation on.
 *
 *   ZCS_RANDOM_SEED=<n>  replay one seed (odd: validation on; a failure prints the seed
 *                        and the step)
 *   ZCS_RANDOM_OPS=<n>   operations per seed (default 100000)
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "support/zcs_test.h"

enum { MAX_ARRAYS = 24, MAX_COUNT = 4096 };

/* One array under test and its model. */
typedef struct model_array {
    zcs_array *buffer;
    uint32_t count;
    uint32_t *expected; /* the reference model, separate host memory */
    void *host;         /* an imported array's memory (zcs_array_import_host), or NULL */
    int copying;        /* imported off the device's rule: zcs copies at map and unmap */
} model_array;

typedef struct run_state {
    uint64_t rng;
    uint64_t seed;
    uint64_t step;
    zcs_context *context;
    zcs_kernel *increment;
    model_array arrays[MAX_ARRAYS];
    zcs_array *stale[8]; /* handles of freed arrays */
    zcs_array *argument; /* what argument 0 of `increment` was last set to */
    int argument_freed;  /* ... and whether that array was freed since */
    uint64_t operations;
    uint64_t dispatches;
    uint64_t elements_checked;
    uint64_t misuses;
    uint64_t import_copies; /* bytes the copying imports must have copied */
} run_state;

static uint32_t next_random(run_state *state)
{
    /* xorshift64*: small, fast, and the same everywhere for a seed. */
    state->rng ^= state->rng >> 12;
    state->rng ^= state->rng << 25;
    state->rng ^= state->rng >> 27;
    return (uint32_t)((state->rng * 2685821657736338717ull) >> 32);
}

static uint32_t random_below(run_state *state, uint32_t bound)
{
    return next_random(state) % bound;
}

#define RANDOM_CK(state, call)                                                                     \
    do {                                                                                           \
        zcs_status random_status_ = (call);                                                        \
        ck_assert_msg(random_status_ == ZCS_SUCCESS,                                               \
                      "seed %" PRIu64 " step %" PRIu64 ": %s -> %s: %s", (state)->seed,            \
                      (state)->step, #call, zcs_status_name(random_status_), zcs_last_error());    \
    } while (0)

static void check_range(run_state *state, const model_array *array, const uint32_t *actual,
                        uint32_t first, uint32_t count)
{
    for (uint32_t i = 0; i < count; i++) {
        if (actual[i] != array->expected[first + i])
            ck_abort_msg("seed %" PRIu64 " step %" PRIu64 ": element %u of %u is %u, the model "
                         "says %u (replay with ZCS_RANDOM_SEED=%" PRIu64 ")",
                         state->seed, state->step, first + i, array->count, actual[i],
                         array->expected[first + i], state->seed);
    }
    state->elements_checked += count;
}

static void op_alloc(run_state *state, model_array *array)
{
    array->count = 1 + random_below(state, MAX_COUNT);
    array->expected = malloc(array->count * sizeof(uint32_t));
    ck_assert_ptr_nonnull(array->expected);
    /* One array in four is the application's memory imported: aligned to the device's rule
       (zero-copy) or 4 bytes off it (zcs copies at map and unmap). */
    uint32_t kind = random_below(state, 8);
    if (kind < 2) {
        zcs_import_requirements rules;
        RANDOM_CK(state, zcs_import_requirements_get(state->context, &rules));
        size_t alignment = rules.alignment > 4096 ? rules.alignment : 4096;
        size_t size = (array->count * sizeof(uint32_t) + 4 + alignment - 1) / alignment * alignment;
        array->host = aligned_alloc(alignment, size);
        ck_assert_ptr_nonnull(array->host);
        RANDOM_CK(state, zcs_array_import_host(state->context, (char *)array->host + 4 * kind,
                                               sizeof(uint32_t), array->count, 0, &array->buffer));
        zcs_array_info info;
        RANDOM_CK(state, zcs_array_info_get(array->buffer, &info));
        array->copying = !info.zero_copy;
        state->import_copies += array->copying ? info.size : 0; /* the first fill */
    } else {
        RANDOM_CK(state, zcs_array_create(state->context, sizeof(uint32_t), array->count, 0,
                                          &array->buffer));
    }
    /* Contents are undefined until written: write them all at once. */
    uint32_t *data = NULL;
    RANDOM_CK(state, zcs_array_map(array->buffer, ZCS_MAP_WRITE_DISCARD, (void **)&data));
    for (uint32_t i = 0; i < array->count; i++)
        data[i] = array->expected[i] = next_random(state);
    RANDOM_CK(state, zcs_array_unmap(array->buffer));
    if (array->copying)
        state->import_copies += (uint64_t)array->count * sizeof(uint32_t);
    state->operations += 3;
}

#define RANDOM_CK_STATUS(state, call, expected)                                                    \
    do {                                                                                           \
        zcs_status random_status_ = (call);                                                        \
        ck_assert_msg(random_status_ == (expected),                                                \
                      "seed %" PRIu64 " step %" PRIu64 ": %s -> %s, expected %s: %s",              \
                      (state)->seed, (state)->step, #call, zcs_status_name(random_status_),        \
                      zcs_status_name(expected), zcs_last_error());                                \
    } while (0)

static void op_free(run_state *state, model_array *array)
{
    RANDOM_CK(state, zcs_array_destroy(array->buffer));
    state->stale[state->step % 8] = array->buffer;
    if (state->argument == array->buffer)
        state->argument_freed = 1;
    free(array->expected);
    free(array->host);
    memset(array, 0, sizeof *array);
    state->operations++;
}

/* Map a random range with a random access mode; check what may be read, write a pattern. */
static void op_map_range(run_state *state, model_array *array)
{
    uint32_t first = random_below(state, array->count);
    uint32_t count = 1 + random_below(state, array->count - first);
    zcs_access access = (zcs_access)(1 + random_below(state, 4));
    uint32_t *data = NULL;
    RANDOM_CK(state, zcs_array_map_range(array->buffer, access, first, count, (void **)&data));
    if (array->copying)
        state->import_copies += (uint64_t)count * sizeof(uint32_t) *
                                ((access != ZCS_MAP_WRITE_DISCARD) + (access != ZCS_MAP_READ));
    if (access == ZCS_MAP_READ || access == ZCS_MAP_READ_WRITE)
        check_range(state, array, data, first, count);
    if (access != ZCS_MAP_READ) {
        /* Discard must overwrite every element; the others write a random subset. */
        uint32_t stride = access == ZCS_MAP_WRITE_DISCARD ? 1 : 1 + random_below(state, 7);
        uint32_t value = next_random(state);
        for (uint32_t i = 0; i < count; i += stride)
            data[i] = array->expected[first + i] = value + i;
    }
    RANDOM_CK(state, zcs_array_unmap(array->buffer));
    state->operations += 2;
}

/* increment_u32 over a random prefix of the array. */
static void op_dispatch(run_state *state, model_array *array)
{
    uint32_t count = 1 + random_below(state, array->count);
    uint32_t amount = next_random(state);
    RANDOM_CK(state, zcs_kernel_set_array(state->increment, 0, array->buffer));
    state->argument = array->buffer;
    state->argument_freed = 0;
    RANDOM_CK(state, zcs_kernel_set_value(state->increment, 1, sizeof count, &count));
    RANDOM_CK(state, zcs_kernel_set_value(state->increment, 2, sizeof amount, &amount));
    /* A fixed work-group size: with none, PoCL picks one from each random global size and
       compiles a kernel specialised for it (tens of milliseconds, once per new size), which
       would make the run's length depend on its seed. zcs rounds the grid up; the kernel
       checks its index against count. */
    size_t global = count;
    size_t local = 64;
    RANDOM_CK(state, zcs_dispatch(state->increment, 1, &global, &local));
    for (uint32_t i = 0; i < count; i++)
        array->expected[i] += amount;
    state->operations += 4;
    state->dispatches++;
}

static void op_read_all(run_state *state, model_array *array)
{
    uint32_t *data = NULL;
    RANDOM_CK(state, zcs_array_map(array->buffer, ZCS_MAP_READ, (void **)&data));
    if (array->copying)
        state->import_copies += (uint64_t)array->count * sizeof(uint32_t);
    check_range(state, array, data, 0, array->count);
    RANDOM_CK(state, zcs_array_unmap(array->buffer));
    state->operations += 2;
}

/* Misuse the API on purpose; each must give its documented status and change nothing. */
static void op_misuse(run_state *state, model_array *array)
{
    zcs_array *stale = state->stale[random_below(state, 8)];
    void *ptr = NULL;
    switch (random_below(state, 6)) {
    case 0: /* a freed array's handle: refused wherever it is passed */
        if (stale == NULL)
            break;
        RANDOM_CK_STATUS(state, zcs_array_destroy(stale), ZCS_ERROR_INVALID_HANDLE);
        RANDOM_CK_STATUS(state, zcs_array_map(stale, ZCS_MAP_READ, &ptr), ZCS_ERROR_INVALID_HANDLE);
        RANDOM_CK_STATUS(state, zcs_kernel_set_array(state->increment, 0, stale),
                         ZCS_ERROR_INVALID_HANDLE);
        ck_assert_uint_eq(zcs_array_count(stale), 0);
        break;
    case 1: { /* a value of the wrong size */
        uint64_t value = 0;
        size_t size = 1 + random_below(state, 8);
        if (size == sizeof(uint32_t))
            size = 8;
        RANDOM_CK_STATUS(state, zcs_kernel_set_value(state->increment, 1, size, &value),
                         ZCS_ERROR_KERNEL_ARGUMENT);
        break;
    }
    case 2: /* a dispatch whose array argument was freed */
        if (state->argument == NULL || !state->argument_freed)
            break;
        RANDOM_CK_STATUS(state, zcs_dispatch(state->increment, 1, (size_t[]){1}, NULL),
                         ZCS_ERROR_KERNEL_ARGUMENT);
        break;
    case 3: /* double map and double unmap */
        RANDOM_CK(state, zcs_array_map(array->buffer, ZCS_MAP_READ, &ptr));
        if (array->copying)
            state->import_copies += (uint64_t)array->count * sizeof(uint32_t);
        RANDOM_CK_STATUS(state, zcs_array_map(array->buffer, ZCS_MAP_READ, &ptr),
                         ZCS_ERROR_ALREADY_MAPPED);
        RANDOM_CK(state, zcs_array_unmap(array->buffer));
        RANDOM_CK_STATUS(state, zcs_array_unmap(array->buffer), ZCS_ERROR_NOT_MAPPED);
        break;
    case 4: { /* a grid past the limit */
        size_t global = (size_t)ZCS_MAX_GLOBAL_SIZE + 1 + random_below(state, 1000);
        if (state->argument == NULL || state->argument_freed)
            break;
        RANDOM_CK_STATUS(state, zcs_dispatch(state->increment, 1, &global, NULL),
                         ZCS_ERROR_INVALID_ARGUMENT);
        break;
    }
    default: /* a range past the end */
        RANDOM_CK_STATUS(state,
                         zcs_array_map_range(array->buffer, ZCS_MAP_READ, array->count, 1, &ptr),
                         ZCS_ERROR_OUT_OF_RANGE);
        break;
    }
    state->operations++;
    state->misuses++;
}

static void run_seed(uint64_t seed, uint64_t operations, run_state *totals)
{
    uint32_t context_flags = seed % 2 == 1 ? ZCS_CONTEXT_VALIDATE : 0;
    run_state *state = calloc(1, sizeof *state);
    ck_assert_ptr_nonnull(state);
    state->seed = seed;
    state->rng = seed * 0x9e3779b97f4a7c15ull + 1;
    zcs_context_desc desc = {0};
    desc.flags = context_flags;
    RANDOM_CK(state, zcs_context_create(&desc, &state->context));
    zcs_program *program = NULL;
    RANDOM_CK(state, zcs_program_create_builtin(state->context, "increment_u32", &program));
    RANDOM_CK(state, zcs_kernel_create(program, "increment_u32", &state->increment));
    zcs_program_destroy(program);

    while (state->operations < operations) {
        state->step++;
        model_array *array = &state->arrays[random_below(state, MAX_ARRAYS)];
        if (array->buffer == NULL) {
            op_alloc(state, array);
            continue;
        }
        uint32_t choice = random_below(state, 100);
        if (choice < 4)
            op_free(state, array);
        else if (choice < 60)
            op_map_range(state, array);
        else if (choice < 64)
            op_dispatch(state, array);
        else if (choice < 68)
            op_misuse(state, array);
        else
            op_read_all(state, array);
    }
    /* Every array ends checked in full, then freed. */
    for (int i = 0; i < MAX_ARRAYS; i++) {
        if (state->arrays[i].buffer != NULL) {
            op_read_all(state, &state->arrays[i]);
            op_free(state, &state->arrays[i]);
        }
    }
    zcs_kernel_destroy(state->increment);
    zcs_stats stats;
    RANDOM_CK(state, zcs_stats_get(state->context, &stats));
    /* Copying imports copy exactly what the model counted; the rest copies nothing on a
       device that shares memory with the host. */
    zcs_context_info info;
    RANDOM_CK(state, zcs_context_info_get(state->context, &info));
    if (info.tier != ZCS_TIER_STAGED && (info.unified_memory || info.backend == ZCS_BACKEND_VULKAN))
        ck_assert_uint_eq(stats.bytes_copied, state->import_copies);
    else
        zcs_test_expect_copies(state->context, ZCS_TEST_SOME_COPIES);
    ck_assert_uint_eq(stats.dispatches, state->dispatches);
    zcs_test_context_destroy(state->context);
    totals->operations += state->operations;
    totals->dispatches += state->dispatches;
    totals->elements_checked += state->elements_checked;
    totals->misuses += state->misuses;
    free(state);
}

static uint64_t environment_number(const char *name, uint64_t fallback)
{
    const char *text = getenv(name);
    return text != NULL && text[0] != '\0' ? strtoull(text, NULL, 10) : fallback;
}

START_TEST(random_sequences_match_the_model)
{
    uint64_t operations = environment_number("ZCS_RANDOM_OPS", 100000);
    const char *replay = getenv("ZCS_RANDOM_SEED");
    run_state totals;
    memset(&totals, 0, sizeof totals);
    if (replay != NULL && replay[0] != '\0') {
        uint64_t seed = strtoull(replay, NULL, 10);
        printf("random integrity: replaying seed %" PRIu64 "\n", seed);
        run_seed(seed, operations, &totals);
    } else {
        /* New seeds each run and each configuration: the clock, the process, the tier. */
        uint64_t seed = (uint64_t)time(NULL) * 1000003u ^ (uint64_t)getpid() << 20;
        const char *tier = getenv("ZCS_TIER");
        for (const char *c = tier != NULL ? tier : ""; *c != '\0'; c++)
            seed = seed * 31 + (unsigned char)*c;
        seed = (seed * 2 + (uint64_t)zcs_test_backend()) % 1000000000000ull * 2;
        printf("random integrity: seeds %" PRIu64 " (validation off) and %" PRIu64
               " (on); replay one with ZCS_RANDOM_SEED=<seed>\n",
               seed, seed + 1);
        fflush(stdout);
        run_seed(seed, operations / 2, &totals);
        run_seed(seed + 1, operations / 2, &totals);
    }
    printf("random integrity: %" PRIu64 " operations (%" PRIu64 " of them misuse), %" PRIu64
           " dispatches, %" PRIu64 " elements checked, 0 mismatches\n",
           totals.operations, totals.misuses, totals.dispatches, totals.elements_checked);
    ck_assert_uint_gt(totals.misuses, 0);
    ck_assert_uint_ge(totals.operations, operations);
}
END_TEST

static Suite *random_suite(void)
{
    Suite *suite = suite_create("random");
    TCase *tc = tcase_create("random");
    tcase_add_test(tc, random_sequences_match_the_model);
    suite_add_tcase(suite, tc);
    return suite;
}

int main(void)
{
    return zcs_test_run(random_suite());
}
