/*
 * The staged tier (device memory plus a host copy, for discrete GPUs) forced on the CI
 * devices: exact copy counts per map and unmap, data through kernels, what zcs_array_info
 * says, device addresses; and the automatic policy on unified-memory devices (nothing
 * changes there, ZCS_ARRAY_STREAMED included).
 */
#define _POSIX_C_SOURCE 200809L /* setenv */
#include <stdlib.h>
#include <string.h>

#include "support/zcs_test.h"

/* A context with the staged tier forced through the context option. */
static zcs_context *staged_context(void)
{
    zcs_context_desc desc = {0};
    desc.tier = ZCS_TIER_STAGED;
    zcs_context *context = NULL;
    ZCS_CK(zcs_context_create(&desc, &context));
    zcs_context_info info;
    ZCS_CK(zcs_context_info_get(context, &info));
    ck_assert_int_eq(info.tier, ZCS_TIER_STAGED);
    ck_assert_ptr_nonnull(strstr(info.tier_reason, "staged"));
    ck_assert_ptr_nonnull(strstr(info.tier_reason, "forced"));
    return context;
}

static uint64_t copied(zcs_context *context)
{
    zcs_stats stats;
    ZCS_CK(zcs_stats_get(context, &stats));
    return stats.bytes_copied;
}

START_TEST(staged_copies_exactly_the_mapped_ranges)
{
    enum { COUNT = 1000 };
    const uint64_t e = sizeof(uint32_t);
    zcs_context *context = staged_context();
    zcs_array *array = NULL;
    ZCS_CK(zcs_array_create(context, sizeof(uint32_t), COUNT, 0, &array));
    uint32_t *p = NULL;
    /* WRITE_DISCARD copies nothing at map; the unmap copies the range to the device. */
    ZCS_CK(zcs_array_map(array, ZCS_MAP_WRITE_DISCARD, (void **)&p));
    ck_assert_uint_eq(copied(context), 0);
    for (uint32_t i = 0; i < COUNT; i++)
        p[i] = i;
    ZCS_CK(zcs_array_unmap(array));
    ck_assert_uint_eq(copied(context), COUNT * e);
    /* A read map copies its range only, the unmap nothing. */
    ZCS_CK(zcs_array_map_range(array, ZCS_MAP_READ, 100, 100, (void **)&p));
    ck_assert_uint_eq(copied(context), (COUNT + 100) * e);
    for (uint32_t i = 0; i < 100; i++)
        ck_assert_uint_eq(p[i], 100 + i);
    ZCS_CK(zcs_array_unmap(array));
    ck_assert_uint_eq(copied(context), (COUNT + 100) * e);
    /* WRITE preserves the contents: it copies at map and at unmap; so does READ_WRITE. */
    ZCS_CK(zcs_array_map_range(array, ZCS_MAP_WRITE, 10, 10, (void **)&p));
    p[0] = 7777; /* the other nine keep their values */
    ZCS_CK(zcs_array_unmap(array));
    ck_assert_uint_eq(copied(context), (COUNT + 100 + 20) * e);
    ZCS_CK(zcs_array_map_range(array, ZCS_MAP_READ_WRITE, 0, 20, (void **)&p));
    ck_assert_uint_eq(p[10], 7777);
    ck_assert_uint_eq(p[11], 11);
    p[10] = 10;
    ZCS_CK(zcs_array_unmap(array));
    ck_assert_uint_eq(copied(context), (COUNT + 100 + 20 + 40) * e);
    /* Through a kernel: data[i] += 5 on the device, read back whole. */
    zcs_program *program = NULL;
    zcs_kernel *kernel = zcs_test_increment_kernel(context, array, COUNT, 5, &program);
    size_t global = COUNT;
    size_t local = 64;
    ZCS_CK(zcs_dispatch(kernel, 1, &global, &local));
    zcs_test_expect_indexed(array, COUNT, 5);
    ck_assert_uint_eq(copied(context), (COUNT + 100 + 20 + 40 + COUNT) * e);
    zcs_test_expect_copies(context, (COUNT + 100 + 20 + 40 + COUNT) * e);
    zcs_kernel_destroy(kernel);
    zcs_program_destroy(program);
    ZCS_CK(zcs_array_destroy(array));
    zcs_test_context_destroy(context);
}
END_TEST

static void dispatch_once(zcs_kernel *kernel, uint32_t count)
{
    size_t global = count;
    ZCS_CK(zcs_dispatch(kernel, 1, &global, NULL));
}

/* The read-ahead: once the host has read a range after a dispatch, the next dispatch
   copies that range back behind its kernel, in its own submission, and counts it then; a
   read map within it copies nothing more and blocks once. A range outside it is copied as
   usual, and a dispatch that finds the read-ahead unused stops it. */
START_TEST(staged_reads_ahead_the_range_the_host_read)
{
    enum { COUNT = 1000 };
    const uint64_t e = sizeof(uint32_t);
    zcs_context *context = staged_context();
    zcs_array *array = zcs_test_indexed_u32(context, COUNT);
    ck_assert_uint_eq(copied(context), COUNT * e);
    zcs_program *program = NULL;
    zcs_kernel *kernel = zcs_test_increment_kernel(context, array, COUNT, 1, &program);

    /* The first read after a dispatch copies and arms the read-ahead. */
    dispatch_once(kernel, COUNT);
    zcs_test_expect_indexed_range(array, 0, COUNT, 1);
    ck_assert_uint_eq(copied(context), 2 * COUNT * e);
    /* The next dispatch reads ahead, counted at once; the map waits for it only. */
    dispatch_once(kernel, COUNT);
    ck_assert_uint_eq(copied(context), 3 * COUNT * e);
    uint64_t waits = zcs_test_device_waits(context);
    zcs_test_expect_indexed_range(array, 0, COUNT, 2);
    ck_assert_uint_eq(zcs_test_device_waits(context) - waits, 1);
    ck_assert_uint_eq(copied(context), 3 * COUNT * e);
    /* A range within it: nothing more; it arms that range alone. */
    dispatch_once(kernel, COUNT);
    zcs_test_expect_indexed_range(array, 100, 100, 3);
    ck_assert_uint_eq(copied(context), 4 * COUNT * e);
    dispatch_once(kernel, COUNT);
    ck_assert_uint_eq(copied(context), (4 * COUNT + 100) * e);
    /* A range outside the read-ahead is copied as usual. */
    zcs_test_expect_indexed_range(array, 0, 10, 4);
    ck_assert_uint_eq(copied(context), (4 * COUNT + 110) * e);
    /* Two dispatches without a read between: the second stops the read-ahead. */
    dispatch_once(kernel, COUNT);
    dispatch_once(kernel, COUNT);
    ck_assert_uint_eq(copied(context), (4 * COUNT + 120) * e);
    zcs_test_expect_indexed_range(array, 0, COUNT, 6);
    ck_assert_uint_eq(copied(context), (5 * COUNT + 120) * e);
    /* A read-ahead the host overwrites (WRITE_DISCARD) is not used, and not armed again. */
    dispatch_once(kernel, COUNT);
    ck_assert_uint_eq(copied(context), (6 * COUNT + 120) * e);
    uint32_t *p = NULL;
    ZCS_CK(zcs_array_map(array, ZCS_MAP_WRITE_DISCARD, (void **)&p));
    for (uint32_t i = 0; i < COUNT; i++)
        p[i] = 2 * i;
    ZCS_CK(zcs_array_unmap(array));
    ck_assert_uint_eq(copied(context), (7 * COUNT + 120) * e);
    dispatch_once(kernel, COUNT);
    ck_assert_uint_eq(copied(context), (7 * COUNT + 120) * e);
    ZCS_CK(zcs_array_map(array, ZCS_MAP_READ, (void **)&p));
    for (uint32_t i = 0; i < COUNT; i++)
        ck_assert_uint_eq(p[i], 2 * i + 1);
    ZCS_CK(zcs_array_unmap(array));
    ck_assert_uint_eq(copied(context), (8 * COUNT + 120) * e);
    zcs_kernel_destroy(kernel);
    zcs_program_destroy(program);
    ZCS_CK(zcs_array_destroy(array));
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(staged_arrays_say_what_they_are)
{
    zcs_context *context = staged_context();
    zcs_array *array = NULL;
    zcs_array *streamed = NULL;
    ZCS_CK(zcs_array_create(context, 16, 64, 0, &array));
    /* A forced tier applies to streamed arrays too. */
    ZCS_CK(zcs_array_create(context, 16, 64, ZCS_ARRAY_STREAMED, &streamed));
    zcs_array_info info;
    ZCS_CK(zcs_array_info_get(array, &info));
    ck_assert_int_eq(info.tier, ZCS_TIER_STAGED);
    ck_assert_int_eq(info.zero_copy, 0);
    ck_assert_int_eq(info.imported, 0);
    ck_assert_ptr_nonnull(strstr(info.reason, "staged"));
    ZCS_CK(zcs_array_info_get(streamed, &info));
    ck_assert_int_eq(info.tier, ZCS_TIER_STAGED);
    ck_assert_int_eq(zcs_array_tier(array), ZCS_TIER_STAGED);
    zcs_stats stats;
    ZCS_CK(zcs_stats_get(context, &stats));
    ck_assert_uint_eq(stats.bytes_allocated[ZCS_TIER_STAGED], 2 * 16 * 64);
    ZCS_CK(zcs_array_destroy(array));
    ZCS_CK(zcs_array_destroy(streamed));
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(staged_device_addresses)
{
    zcs_context *context = staged_context();
    zcs_array *array = NULL;
    ZCS_CK(zcs_array_create(context, 16, 64, 0, &array));
    uint64_t address = 0;
    zcs_status status = zcs_array_device_address(array, &address);
    if (zcs_test_backend() == ZCS_BACKEND_OPENCL) {
        /* A cl_mem has no SVM pointer: refused, and the message says why. */
        ck_assert_int_eq(status, ZCS_ERROR_UNSUPPORTED);
        ck_assert_ptr_nonnull(strstr(zcs_context_last_error(context), "staged"));
    } else if (status == ZCS_SUCCESS) {
        /* Device-local buffers have device addresses too. */
        ck_assert_uint_ne(address, 0);
    } else {
        ck_assert_int_eq(status, ZCS_ERROR_UNSUPPORTED);
    }
    ZCS_CK(zcs_array_destroy(array));
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(unified_devices_keep_zero_copy_for_every_array)
{
    zcs_context_desc desc = {0};
    desc.flags = ZCS_CONTEXT_IGNORE_ENVIRONMENT;
    zcs_context *context = NULL;
    ZCS_CK(zcs_context_create(&desc, &context));
    zcs_context_info info;
    ZCS_CK(zcs_context_info_get(context, &info));
    /* PoCL's CPU device and lavapipe share the host's memory, as their APIs say; on a
       discrete GPU the automatic tier is staged and streamed arrays keep zero-copy. */
    if (!info.unified_memory) {
        ck_assert_int_eq(info.tier, ZCS_TIER_STAGED);
        zcs_array *streamed = NULL;
        ZCS_CK(zcs_array_create(context, 4, 256, ZCS_ARRAY_STREAMED, &streamed));
        zcs_array_info array_info;
        ZCS_CK(zcs_array_info_get(streamed, &array_info));
        ck_assert_int_ne(array_info.tier, ZCS_TIER_STAGED);
        ck_assert_ptr_nonnull(strstr(array_info.reason, "ZCS_ARRAY_STREAMED"));
        ZCS_CK(zcs_array_destroy(streamed));
        zcs_test_context_destroy(context);
        return;
    }
    ck_assert_int_ne(info.tier, ZCS_TIER_STAGED);
    zcs_array *plain = NULL;
    zcs_array *streamed = NULL;
    ZCS_CK(zcs_array_create(context, 4, 256, 0, &plain));
    ZCS_CK(zcs_array_create(context, 4, 256, ZCS_ARRAY_STREAMED, &streamed));
    zcs_array *arrays[2] = {plain, streamed};
    for (int a = 0; a < 2; a++) {
        zcs_array_info array_info;
        ZCS_CK(zcs_array_info_get(arrays[a], &array_info));
        ck_assert_int_eq(array_info.tier, info.tier);
        ck_assert_int_eq(array_info.zero_copy, 1);
        uint32_t *p = NULL;
        ZCS_CK(zcs_array_map(arrays[a], ZCS_MAP_READ_WRITE, (void **)&p));
        p[0] = 1;
        ZCS_CK(zcs_array_unmap(arrays[a]));
    }
    ck_assert_uint_eq(copied(context), 0);
    ZCS_CK(zcs_array_destroy(plain));
    ZCS_CK(zcs_array_destroy(streamed));
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(staged_tier_by_environment_and_unknown_flags)
{
    zcs_test_save_environment();
    setenv("ZCS_TIER", "staged", 1);
    zcs_context *context = NULL;
    ZCS_CK(zcs_context_create(NULL, &context));
    zcs_context_info info;
    ZCS_CK(zcs_context_info_get(context, &info));
    ck_assert_int_eq(info.tier, ZCS_TIER_STAGED);
    ck_assert_ptr_nonnull(strstr(info.tier_reason, "forced"));
    zcs_array *array = NULL;
    ZCS_CK_STATUS(zcs_array_create(context, 4, 4, 0x20, &array), ZCS_ERROR_INVALID_ARGUMENT);
    ck_assert_ptr_null(array);
    zcs_test_context_destroy(context);
    zcs_test_restore_environment();
}
END_TEST

static Suite *staged_suite(void)
{
    Suite *suite = suite_create("staged");
    TCase *tc = tcase_create("staged");
    tcase_add_test(tc, staged_copies_exactly_the_mapped_ranges);
    tcase_add_test(tc, staged_reads_ahead_the_range_the_host_read);
    tcase_add_test(tc, staged_arrays_say_what_they_are);
    tcase_add_test(tc, staged_device_addresses);
    tcase_add_test(tc, unified_devices_keep_zero_copy_for_every_array);
    tcase_add_test(tc, staged_tier_by_environment_and_unknown_flags);
    suite_add_tcase(suite, tc);
    return suite;
}

int main(void)
{
    return zcs_test_run(staged_suite());
}
