/* Running out: allocate until the device refuses, free, and get as far again; many arrays. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/zcs_test.h"

enum { CHUNK_ELEMENTS = 1 << 20, CHUNK_ELEMENT_SIZE = 64, MAX_CHUNKS = 8192 };

/* Allocate 64 MiB arrays until one is refused; return how many were live then. */
static size_t fill_until_refused(zcs_context *context, zcs_array **chunks)
{
    size_t count = 0;
    zcs_status status = ZCS_SUCCESS;
    while (count < MAX_CHUNKS) {
        status = zcs_array_create(context, CHUNK_ELEMENT_SIZE, CHUNK_ELEMENTS, 0, &chunks[count]);
        if (status != ZCS_SUCCESS)
            break;
        count++;
    }
    ck_assert_msg(count < MAX_CHUNKS, "the device took %d arrays of 64 MiB without refusing",
                  MAX_CHUNKS);
    ck_assert_msg(status == ZCS_ERROR_OUT_OF_MEMORY, "refused with %s, not out of memory: %s",
                  zcs_status_name(status), zcs_last_error());
    return count;
}

START_TEST(device_refuses_then_recovers_fully)
{
    zcs_context *context = zcs_test_context();
    zcs_context_info info;
    ZCS_CK(zcs_context_info_get(context, &info));
    zcs_array **chunks = calloc(MAX_CHUNKS, sizeof *chunks);
    ck_assert_ptr_nonnull(chunks);

    size_t first = fill_until_refused(context, chunks);
    ck_assert_uint_gt(first, 0);
    /* The refusal says why, with the figures. */
    if (info.memory_budget != 0) {
        char budget[32];
        snprintf(budget, sizeof budget, "%llu", (unsigned long long)info.memory_budget);
        ck_assert_ptr_nonnull(strstr(zcs_last_error(), budget));
    }
    /* Everything still works at the limit: the last array maps and holds data. */
    uint32_t *data = NULL;
    ZCS_CK(zcs_array_map(chunks[first - 1], ZCS_MAP_WRITE_DISCARD, (void **)&data));
    data[0] = 1;
    ZCS_CK(zcs_array_unmap(chunks[first - 1]));
    for (size_t i = 0; i < first; i++)
        ZCS_CK(zcs_array_destroy(chunks[i]));

    size_t second = fill_until_refused(context, chunks);
    ck_assert_uint_eq(second, first);
    for (size_t i = 0; i < second; i++)
        ZCS_CK(zcs_array_destroy(chunks[i]));
    printf("exhaustion: %zu arrays of 64 MiB, twice\n", first);
    free(chunks);
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(a_hundred_thousand_small_arrays)
{
    enum { N = 100000 };
    zcs_context *context = zcs_test_context();
    zcs_array **buffers = calloc(N, sizeof *buffers);
    ck_assert_ptr_nonnull(buffers);
    for (uint32_t i = 0; i < N; i++) {
        uint32_t *value = NULL;
        ZCS_CK(zcs_array_create(context, sizeof(uint32_t), 1 + i % 4, 0, &buffers[i]));
        ZCS_CK(zcs_array_map(buffers[i], ZCS_MAP_WRITE_DISCARD, (void **)&value));
        value[0] = i;
        ZCS_CK(zcs_array_unmap(buffers[i]));
    }
    zcs_stats stats;
    ZCS_CK(zcs_stats_get(context, &stats));
    ck_assert_uint_eq(stats.live_arrays, N);
    for (uint32_t i = 0; i < N; i++) {
        uint32_t *value = NULL;
        ZCS_CK(zcs_array_map_range(buffers[i], ZCS_MAP_READ, 0, 1, (void **)&value));
        ck_assert_uint_eq(value[0], i);
        ZCS_CK(zcs_array_unmap(buffers[i]));
        ZCS_CK(zcs_array_destroy(buffers[i]));
    }
    free(buffers);
    zcs_test_context_destroy(context);
}
END_TEST

static Suite *exhaustion_suite(void)
{
    Suite *suite = suite_create("exhaustion");
    TCase *tc = tcase_create("exhaustion");
    tcase_add_test(tc, device_refuses_then_recovers_fully);
    tcase_add_test(tc, a_hundred_thousand_small_arrays);
    suite_add_tcase(suite, tc);
    return suite;
}

int main(void)
{
    return zcs_test_run(exhaustion_suite());
}
