/* Arrays of structs: allocation, map and unmap, ranges, flags, statistics and misuse. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "support/zcs_test.h"

typedef struct record {
    uint32_t id;
    float weight;
    uint64_t tag;
} record;

START_TEST(alloc_reports_its_shape)
{
    zcs_context *context = zcs_test_context();
    zcs_context_info info;
    ZCS_CK(zcs_context_info_get(context, &info));
    zcs_array *buffer = NULL;
    ZCS_CK(ZCS_ARRAY_CREATE(context, record, 1000, 0, &buffer));
    ck_assert_uint_eq(zcs_array_elem_size(buffer), sizeof(record));
    ck_assert_uint_eq(zcs_array_count(buffer), 1000);
    ck_assert_uint_eq(zcs_array_size(buffer), 1000 * sizeof(record));
    ck_assert_int_eq(zcs_array_tier(buffer), info.tier);
    void *ptr = NULL;
    ZCS_CK(zcs_array_map(buffer, ZCS_MAP_WRITE, &ptr));
    ck_assert_uint_eq((uintptr_t)ptr % info.alignment, 0);
    ZCS_CK(zcs_array_unmap(buffer));

    zcs_stats stats;
    ZCS_CK(zcs_stats_get(context, &stats));
    ck_assert_uint_eq(stats.bytes_allocated[info.tier], 1000 * sizeof(record));
    ck_assert_uint_eq(stats.allocations, 1);
    ck_assert_uint_eq(stats.live_arrays, 1);
    ZCS_CK(zcs_array_destroy(buffer));
    ZCS_CK(zcs_stats_get(context, &stats));
    ck_assert_uint_eq(stats.bytes_allocated[info.tier], 0);
    ck_assert_uint_eq(stats.bytes_allocated_total, 1000 * sizeof(record));
    ck_assert_uint_eq(stats.frees, 1);
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(bad_sizes_have_their_own_statuses)
{
    zcs_context *context = zcs_test_context();
    zcs_context_info info;
    ZCS_CK(zcs_context_info_get(context, &info));
    zcs_array *buffer = NULL;
    ZCS_CK_STATUS(zcs_array_create(context, 0, 10, 0, &buffer), ZCS_ERROR_ZERO_SIZE);
    ZCS_CK_STATUS(zcs_array_create(context, 10, 0, 0, &buffer), ZCS_ERROR_ZERO_SIZE);
    ZCS_CK_STATUS(zcs_array_create(context, SIZE_MAX / 2 + 1, 2, 0, &buffer),
                  ZCS_ERROR_SIZE_OVERFLOW);
    ZCS_CK_STATUS(zcs_array_create(context, 48, SIZE_MAX / 47, 0, &buffer),
                  ZCS_ERROR_SIZE_OVERFLOW);
    ZCS_CK_STATUS(zcs_array_create(context, 1, (size_t)info.max_alloc_size + 1, 0, &buffer),
                  ZCS_ERROR_TOO_LARGE);
    /* The message gives the limit. */
    char limit[32];
    snprintf(limit, sizeof limit, "%llu", (unsigned long long)info.max_alloc_size);
    ck_assert_ptr_nonnull(strstr(zcs_last_error(), limit));
    ZCS_CK_STATUS(zcs_array_create(context, 4, 4, 0, NULL), ZCS_ERROR_NULL_HANDLE);
    ck_assert_ptr_null(buffer);
    zcs_stats stats;
    ZCS_CK(zcs_stats_get(context, &stats));
    ck_assert_uint_eq(stats.allocations, 0);
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(bad_flags_are_refused)
{
    zcs_context *context = zcs_test_context();
    zcs_array *buffer = NULL;
    ZCS_CK_STATUS(zcs_array_create(context, 4, 4, 0x100, &buffer), ZCS_ERROR_INVALID_ARGUMENT);
    ZCS_CK_STATUS(zcs_array_create(context, 4, 4,
                                   ZCS_ARRAY_HOST_WRITE_ONLY | ZCS_ARRAY_HOST_READ_ONLY, &buffer),
                  ZCS_ERROR_INVALID_ARGUMENT);
    ZCS_CK_STATUS(zcs_array_create(context, 4, 4,
                                   ZCS_ARRAY_DEVICE_READ_ONLY | ZCS_ARRAY_DEVICE_WRITE_ONLY,
                                   &buffer),
                  ZCS_ERROR_INVALID_ARGUMENT);
    ck_assert_ptr_null(buffer);
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(host_access_flags_restrict_maps)
{
    zcs_context *context = zcs_test_context();
    zcs_array *write_only = NULL;
    zcs_array *read_only = NULL;
    void *ptr = NULL;
    ZCS_CK(zcs_array_create(context, 4, 64, ZCS_ARRAY_HOST_WRITE_ONLY | ZCS_ARRAY_DEVICE_READ_ONLY,
                            &write_only));
    ZCS_CK(zcs_array_create(context, 4, 64, ZCS_ARRAY_HOST_READ_ONLY | ZCS_ARRAY_DEVICE_WRITE_ONLY,
                            &read_only));
    ZCS_CK_STATUS(zcs_array_map(write_only, ZCS_MAP_READ, &ptr), ZCS_ERROR_ACCESS_DENIED);
    ZCS_CK_STATUS(zcs_array_map(write_only, ZCS_MAP_READ_WRITE, &ptr), ZCS_ERROR_ACCESS_DENIED);
    ZCS_CK_STATUS(zcs_array_map(read_only, ZCS_MAP_WRITE, &ptr), ZCS_ERROR_ACCESS_DENIED);
    ZCS_CK_STATUS(zcs_array_map(read_only, ZCS_MAP_WRITE_DISCARD, &ptr), ZCS_ERROR_ACCESS_DENIED);
    ck_assert_ptr_null(ptr);
    ZCS_CK(zcs_array_map(write_only, ZCS_MAP_WRITE_DISCARD, &ptr));
    memset(ptr, 0xab, 256);
    ZCS_CK(zcs_array_unmap(write_only));
    ZCS_CK(zcs_array_map(write_only, ZCS_MAP_WRITE, &ptr));
    ZCS_CK(zcs_array_unmap(write_only));
    ZCS_CK(zcs_array_map(read_only, ZCS_MAP_READ, &ptr));
    ZCS_CK(zcs_array_unmap(read_only));
    ZCS_CK(zcs_array_destroy(write_only));
    ZCS_CK(zcs_array_destroy(read_only));
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(written_structs_read_back_in_every_access_mode)
{
    zcs_context *context = zcs_test_context();
    const size_t count = 4096;
    zcs_array *buffer = NULL;
    record *r = NULL;
    ZCS_CK(ZCS_ARRAY_CREATE(context, record, count, 0, &buffer));
    ZCS_CK(zcs_array_map(buffer, ZCS_MAP_WRITE_DISCARD, (void **)&r));
    for (size_t i = 0; i < count; i++) {
        r[i].id = (uint32_t)i;
        r[i].weight = (float)i * 0.5f;
        r[i].tag = (uint64_t)i << 33 | 7;
    }
    ZCS_CK(zcs_array_unmap(buffer));

    ZCS_CK(zcs_array_map(buffer, ZCS_MAP_READ_WRITE, (void **)&r));
    for (size_t i = 0; i < count; i++) {
        ck_assert_uint_eq(r[i].id, i);
        r[i].tag += 1;
    }
    ZCS_CK(zcs_array_unmap(buffer));

    /* ZCS_MAP_WRITE keeps what it does not overwrite. */
    ZCS_CK(zcs_array_map(buffer, ZCS_MAP_WRITE, (void **)&r));
    r[0].weight = -1.0f;
    ZCS_CK(zcs_array_unmap(buffer));

    ZCS_CK(zcs_array_map(buffer, ZCS_MAP_READ, (void **)&r));
    ck_assert_float_eq(r[0].weight, -1.0f);
    for (size_t i = 1; i < count; i++) {
        ck_assert_uint_eq(r[i].id, i);
        ck_assert_float_eq(r[i].weight, (float)i * 0.5f);
        ck_assert_uint_eq(r[i].tag, ((uint64_t)i << 33 | 7) + 1);
    }
    ZCS_CK(zcs_array_unmap(buffer));

    zcs_stats stats;
    ZCS_CK(zcs_stats_get(context, &stats));
    ck_assert_uint_eq(stats.maps, 4);
    ck_assert_uint_eq(stats.unmaps, 4);
    ck_assert_uint_eq(stats.bytes_mapped, 4 * count * sizeof(record));
    /* With separate memory: in for every map but the discard, out for every unmap but the
       read's. */
    zcs_test_expect_copies(context, 6 * count * sizeof(record));
    ZCS_CK(zcs_array_destroy(buffer));
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(ranges_map_the_right_elements)
{
    zcs_context *context = zcs_test_context();
    const size_t count = 1000;
    zcs_array *buffer = NULL;
    uint32_t *all = NULL;
    ZCS_CK(zcs_array_create(context, sizeof(uint32_t), count, 0, &buffer));
    ZCS_CK(zcs_array_map(buffer, ZCS_MAP_WRITE_DISCARD, (void **)&all));
    for (size_t i = 0; i < count; i++)
        all[i] = (uint32_t)i;
    ZCS_CK(zcs_array_unmap(buffer));

    uint32_t *part = NULL;
    ZCS_CK(zcs_array_map_range(buffer, ZCS_MAP_READ_WRITE, 100, 50, (void **)&part));
    for (size_t i = 0; i < 50; i++) {
        ck_assert_uint_eq(part[i], 100 + i);
        part[i] = 0xffffffffu;
    }
    ZCS_CK(zcs_array_unmap(buffer));
    ZCS_CK(zcs_array_map_range(buffer, ZCS_MAP_READ, count - 1, 1, (void **)&part));
    ck_assert_uint_eq(part[0], count - 1);
    ZCS_CK(zcs_array_unmap(buffer));

    ZCS_CK(zcs_array_map(buffer, ZCS_MAP_READ, (void **)&all));
    for (size_t i = 0; i < count; i++)
        ck_assert_uint_eq(all[i], i >= 100 && i < 150 ? 0xffffffffu : i);
    ZCS_CK(zcs_array_unmap(buffer));

    zcs_stats stats;
    ZCS_CK(zcs_stats_get(context, &stats));
    ck_assert_uint_eq(stats.bytes_mapped, (2 * count + 50 + 1) * sizeof(uint32_t));
    /* With separate memory: the discard's unmap, the range both ways, the element and the
       whole array in. */
    zcs_test_expect_copies(context, (count + 2 * 50 + 1 + count) * sizeof(uint32_t));
    ZCS_CK(zcs_array_destroy(buffer));
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(bad_ranges_are_refused)
{
    zcs_context *context = zcs_test_context();
    zcs_array *buffer = NULL;
    void *ptr = NULL;
    ZCS_CK(zcs_array_create(context, 8, 100, 0, &buffer));
    ZCS_CK_STATUS(zcs_array_map_range(buffer, ZCS_MAP_READ, 100, 1, &ptr), ZCS_ERROR_OUT_OF_RANGE);
    ZCS_CK_STATUS(zcs_array_map_range(buffer, ZCS_MAP_READ, 50, 51, &ptr), ZCS_ERROR_OUT_OF_RANGE);
    ZCS_CK_STATUS(zcs_array_map_range(buffer, ZCS_MAP_READ, 1, SIZE_MAX, &ptr),
                  ZCS_ERROR_OUT_OF_RANGE);
    ZCS_CK_STATUS(zcs_array_map_range(buffer, ZCS_MAP_READ, SIZE_MAX, 2, &ptr),
                  ZCS_ERROR_OUT_OF_RANGE);
    ZCS_CK_STATUS(zcs_array_map_range(buffer, ZCS_MAP_READ, 0, 0, &ptr), ZCS_ERROR_ZERO_SIZE);
    ZCS_CK_STATUS(zcs_array_map(buffer, (zcs_access)0, &ptr), ZCS_ERROR_INVALID_ARGUMENT);
    ZCS_CK_STATUS(zcs_array_map(buffer, (zcs_access)9, &ptr), ZCS_ERROR_INVALID_ARGUMENT);
    ZCS_CK_STATUS(zcs_array_map(buffer, ZCS_MAP_READ, NULL), ZCS_ERROR_NULL_HANDLE);
    ck_assert_ptr_null(ptr);
    /* Nothing above left the array mapped. */
    ZCS_CK_STATUS(zcs_array_unmap(buffer), ZCS_ERROR_NOT_MAPPED);
    ZCS_CK(zcs_array_destroy(buffer));
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(double_map_and_stray_unmap_are_refused)
{
    zcs_context *context = zcs_test_context();
    zcs_array *buffer = NULL;
    void *ptr = NULL;
    void *second = NULL;
    ZCS_CK(zcs_array_create(context, 8, 100, 0, &buffer));
    ZCS_CK_STATUS(zcs_array_unmap(buffer), ZCS_ERROR_NOT_MAPPED);
    ZCS_CK(zcs_array_map(buffer, ZCS_MAP_WRITE, &ptr));
    ZCS_CK_STATUS(zcs_array_map(buffer, ZCS_MAP_WRITE, &second), ZCS_ERROR_ALREADY_MAPPED);
    ZCS_CK_STATUS(zcs_array_map_range(buffer, ZCS_MAP_READ, 0, 1, &second),
                  ZCS_ERROR_ALREADY_MAPPED);
    ck_assert_ptr_null(second);
    ZCS_CK(zcs_array_unmap(buffer));
    ZCS_CK_STATUS(zcs_array_unmap(buffer), ZCS_ERROR_NOT_MAPPED);
    zcs_stats stats;
    ZCS_CK(zcs_stats_get(context, &stats));
    ck_assert_uint_eq(stats.maps, 1);
    ck_assert_uint_eq(stats.unmaps, 1);
    ZCS_CK(zcs_array_destroy(buffer));
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(free_of_a_mapped_array_unmaps_it)
{
    zcs_context *context = zcs_test_context();
    zcs_array *buffer = NULL;
    void *ptr = NULL;
    ZCS_CK(zcs_array_create(context, 8, 100, 0, &buffer));
    ZCS_CK(zcs_array_map(buffer, ZCS_MAP_WRITE, &ptr));
    ZCS_CK(zcs_array_destroy(buffer));
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(wrong_handle_types_are_refused)
{
    zcs_context *context = zcs_test_context();
    zcs_program *program = NULL;
    void *ptr = NULL;
    ZCS_CK(zcs_program_create_builtin(context, "increment_u32", &program));
    /* A program handle is not a buffer. */
    ZCS_CK_STATUS(zcs_array_map((zcs_array *)(void *)program, ZCS_MAP_READ, &ptr),
                  ZCS_ERROR_INVALID_HANDLE);
    ZCS_CK_STATUS(zcs_array_destroy((zcs_array *)(void *)program), ZCS_ERROR_INVALID_HANDLE);
    ZCS_CK_STATUS(zcs_array_create((zcs_context *)(void *)program, 4, 4, 0, (zcs_array **)&ptr),
                  ZCS_ERROR_INVALID_HANDLE);
    zcs_program_destroy(program);
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(many_arrays_live_at_once)
{
    zcs_context *context = zcs_test_context();
    enum { N = 2000 };
    static zcs_array *buffers[N];
    for (size_t i = 0; i < N; i++) {
        uint32_t *p = NULL;
        ZCS_CK(zcs_array_create(context, sizeof(uint32_t), 1 + i % 64, 0, &buffers[i]));
        ZCS_CK(zcs_array_map(buffers[i], ZCS_MAP_WRITE_DISCARD, (void **)&p));
        for (size_t k = 0; k < 1 + i % 64; k++)
            p[k] = (uint32_t)(i * 100 + k);
        ZCS_CK(zcs_array_unmap(buffers[i]));
    }
    for (size_t i = 0; i < N; i++) {
        uint32_t *p = NULL;
        ZCS_CK(zcs_array_map(buffers[i], ZCS_MAP_READ, (void **)&p));
        for (size_t k = 0; k < 1 + i % 64; k++)
            ck_assert_uint_eq(p[k], i * 100 + k);
        ZCS_CK(zcs_array_unmap(buffers[i]));
    }
    zcs_stats stats;
    ZCS_CK(zcs_stats_get(context, &stats));
    ck_assert_uint_eq(stats.live_arrays, N);
    for (size_t i = 0; i < N; i++)
        ZCS_CK(zcs_array_destroy(buffers[i]));
    zcs_test_context_destroy(context);
}
END_TEST

/* Issue 10, case 2: with validation off, a freed array's handle never reaches the array
   allocated after it, even when the allocator hands out the same memory. */
START_TEST(stale_array_handle_never_reaches_a_new_array)
{
    zcs_context *context = zcs_test_context();
    for (int round = 0; round < 64; round++) {
        zcs_array *a = NULL;
        zcs_array *b = NULL;
        uint32_t *data = NULL;
        ZCS_CK(zcs_array_create(context, sizeof(uint32_t), 16, 0, &a));
        ZCS_CK(zcs_array_destroy(a));
        ZCS_CK(zcs_array_create(context, sizeof(uint32_t), 16, 0, &b));
        ck_assert_ptr_ne(a, b);
        ZCS_CK_STATUS(zcs_array_destroy(a), ZCS_ERROR_INVALID_HANDLE);
        ZCS_CK_STATUS(zcs_array_map(a, ZCS_MAP_READ, (void **)&data), ZCS_ERROR_INVALID_HANDLE);
        ck_assert_uint_eq(zcs_array_count(a), 0);
        /* b is untouched and still usable. */
        ZCS_CK(zcs_array_map(b, ZCS_MAP_WRITE_DISCARD, (void **)&data));
        data[15] = 7;
        ZCS_CK(zcs_array_unmap(b));
        ck_assert_uint_eq(zcs_array_count(b), 16);
        ZCS_CK(zcs_array_destroy(b));
    }
    zcs_stats stats;
    ZCS_CK(zcs_stats_get(context, &stats));
    ck_assert_uint_eq(stats.allocations, 128);
    ck_assert_uint_eq(stats.frees, 128);
    zcs_test_context_destroy(context);
}
END_TEST

/* Issue 10, case 2: a destroyed context's handle stays refused once a new context exists,
   and a destroyed kernel's handle never reaches the kernel created after it. */
START_TEST(stale_context_and_kernel_handles_are_refused)
{
    zcs_context *old_context = zcs_test_context();
    zcs_test_context_destroy(old_context);
    zcs_context *context = zcs_test_context();
    zcs_array *buffer = NULL;
    ZCS_CK_STATUS(zcs_array_create(old_context, 4, 4, 0, &buffer), ZCS_ERROR_INVALID_HANDLE);
    ck_assert_ptr_null(buffer);
    zcs_context_destroy(old_context); /* refused silently, the new context lives on */

    ZCS_CK(zcs_array_create(context, sizeof(uint32_t), 64, 0, &buffer));
    uint32_t *data = NULL;
    ZCS_CK(zcs_array_map(buffer, ZCS_MAP_WRITE_DISCARD, (void **)&data));
    for (uint32_t i = 0; i < 64; i++)
        data[i] = i;
    ZCS_CK(zcs_array_unmap(buffer));
    zcs_program *program = NULL;
    zcs_kernel *stale = zcs_test_increment_kernel(context, buffer, 64, 1, &program);
    zcs_kernel_destroy(stale);
    zcs_kernel *kernel = NULL;
    ZCS_CK(zcs_kernel_create(program, "increment_u32", &kernel));
    ck_assert_ptr_ne(kernel, stale);
    uint32_t count = 64;
    uint32_t amount = 5;
    ZCS_CK_STATUS(zcs_kernel_set_value(stale, 1, sizeof count, &count), ZCS_ERROR_INVALID_HANDLE);
    zcs_kernel_destroy(stale); /* does nothing: the new kernel lives on */
    ZCS_CK(zcs_kernel_set_array(kernel, 0, buffer));
    ZCS_CK(zcs_kernel_set_value(kernel, 1, sizeof count, &count));
    ZCS_CK(zcs_kernel_set_value(kernel, 2, sizeof amount, &amount));
    size_t global = 64;
    ZCS_CK_STATUS(zcs_dispatch(stale, 1, &global, NULL), ZCS_ERROR_INVALID_HANDLE);
    ZCS_CK(zcs_dispatch(kernel, 1, &global, NULL));
    zcs_test_expect_indexed(buffer, 64, 5);
    zcs_kernel_destroy(kernel);
    zcs_program_destroy(program);
    ZCS_CK(zcs_array_destroy(buffer));
    zcs_test_context_destroy(context);
}
END_TEST

/* Issue 10, case 3: a kernel argument set to an array of context X that was freed is
   refused, even after context Y allocated an array (where X's was, with the per-context
   id X's had: ids and addresses used to be what told arrays apart). */
START_TEST(freed_argument_is_refused_after_another_context_allocates)
{
    zcs_context *x = zcs_test_context();
    zcs_context *y = zcs_test_context();
    zcs_program *program = NULL;
    zcs_kernel *kernel = NULL;
    ZCS_CK(zcs_program_create_builtin(x, "increment_u32", &program));
    ZCS_CK(zcs_kernel_create(program, "increment_u32", &kernel));
    uint32_t count = 64;
    uint32_t amount = 1000;
    ZCS_CK(zcs_kernel_set_value(kernel, 1, sizeof count, &count));
    ZCS_CK(zcs_kernel_set_value(kernel, 2, sizeof amount, &amount));
    size_t global = 64;
    for (int round = 0; round < 32; round++) {
        zcs_array *bx = NULL;
        zcs_array *by = NULL;
        uint32_t *data = NULL;
        ZCS_CK(zcs_array_create(x, sizeof(uint32_t), 64, 0, &bx));
        ZCS_CK(zcs_kernel_set_array(kernel, 0, bx));
        ZCS_CK(zcs_array_destroy(bx));
        ZCS_CK(zcs_array_create(y, sizeof(uint32_t), 64, 0, &by));
        ZCS_CK(zcs_array_map(by, ZCS_MAP_WRITE_DISCARD, (void **)&data));
        for (uint32_t i = 0; i < 64; i++)
            data[i] = i;
        ZCS_CK(zcs_array_unmap(by));
        ZCS_CK_STATUS(zcs_dispatch(kernel, 1, &global, NULL), ZCS_ERROR_KERNEL_ARGUMENT);
        ZCS_CK(zcs_finish(x));
        zcs_test_expect_indexed(by, 64, 0);
        /* Y's array is no argument for X's kernel either. */
        ZCS_CK_STATUS(zcs_kernel_set_array(kernel, 0, by), ZCS_ERROR_INVALID_ARGUMENT);
        ZCS_CK(zcs_array_destroy(by));
    }
    zcs_kernel_destroy(kernel);
    zcs_program_destroy(program);
    zcs_test_context_destroy(y);
    zcs_test_context_destroy(x);
}
END_TEST

/* zcs_array_mapping tells whether an array is mapped, and with which access. */
START_TEST(mapping_state_is_reported)
{
    zcs_context *context = zcs_test_context();
    zcs_array *array = NULL;
    ZCS_CK(zcs_array_create(context, sizeof(uint32_t), 64, 0, &array));
    int mapped = -1;
    zcs_access access = ZCS_MAP_READ;
    ZCS_CK(zcs_array_mapping(array, &mapped, &access));
    ck_assert_int_eq(mapped, 0);
    ck_assert_int_eq(access, ZCS_MAP_READ); /* untouched while not mapped */
    static const zcs_access modes[] = {ZCS_MAP_READ, ZCS_MAP_WRITE, ZCS_MAP_READ_WRITE,
                                       ZCS_MAP_WRITE_DISCARD};
    for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
        void *data = NULL;
        ZCS_CK(zcs_array_map_range(array, modes[m], 8, 16, &data));
        ZCS_CK(zcs_array_mapping(array, &mapped, &access));
        ck_assert_int_eq(mapped, 1);
        ck_assert_int_eq(access, modes[m]);
        ZCS_CK(zcs_array_mapping(array, &mapped, NULL));
        ck_assert_int_eq(mapped, 1);
        ZCS_CK(zcs_array_unmap(array));
        ZCS_CK(zcs_array_mapping(array, &mapped, &access));
        ck_assert_int_eq(mapped, 0);
    }
    ZCS_CK_STATUS(zcs_array_mapping(array, NULL, &access), ZCS_ERROR_NULL_HANDLE);
    ZCS_CK_STATUS(zcs_array_mapping(NULL, &mapped, &access), ZCS_ERROR_NULL_HANDLE);
    ZCS_CK(zcs_array_destroy(array));
    ZCS_CK_STATUS(zcs_array_mapping(array, &mapped, &access), ZCS_ERROR_INVALID_HANDLE);
    zcs_test_context_destroy(context);
}
END_TEST

static Suite *buffer_suite(void)
{
    Suite *suite = suite_create("array");
    TCase *tc = tcase_create("array");
    tcase_add_test(tc, alloc_reports_its_shape);
    tcase_add_test(tc, bad_sizes_have_their_own_statuses);
    tcase_add_test(tc, bad_flags_are_refused);
    tcase_add_test(tc, host_access_flags_restrict_maps);
    tcase_add_test(tc, written_structs_read_back_in_every_access_mode);
    tcase_add_test(tc, ranges_map_the_right_elements);
    tcase_add_test(tc, bad_ranges_are_refused);
    tcase_add_test(tc, double_map_and_stray_unmap_are_refused);
    tcase_add_test(tc, mapping_state_is_reported);
    tcase_add_test(tc, free_of_a_mapped_array_unmaps_it);
    tcase_add_test(tc, wrong_handle_types_are_refused);
    tcase_add_test(tc, many_arrays_live_at_once);
    tcase_add_test(tc, stale_array_handle_never_reaches_a_new_array);
    tcase_add_test(tc, stale_context_and_kernel_handles_are_refused);
    tcase_add_test(tc, freed_argument_is_refused_after_another_context_allocates);
    suite_add_tcase(suite, tc);
    return suite;
}

int main(void)
{
    return zcs_test_run(buffer_suite());
}
