/* Kernels: arguments, dispatch over one to three dimensions, and what is refused. */
#define _POSIX_C_SOURCE 200809L /* mkfifo, dup, fileno */

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zcs/particle.h>
#include "support/zcs_test.h"

/* Allocate `count` uint32 elements set to their index. */
START_TEST(builtin_kernel_updates_every_element)
{
    zcs_context *context = zcs_test_context();
    const uint32_t count = 100003; /* not a multiple of any work-group size */
    zcs_array *buffer = zcs_test_indexed_u32(context, count);
    zcs_program *program = NULL;
    zcs_kernel *kernel = zcs_test_increment_kernel(context, buffer, count, 5, &program);
    size_t global = count;
    ZCS_CK(zcs_dispatch(kernel, 1, &global, NULL));
    ZCS_CK(zcs_dispatch(kernel, 1, &global, NULL));
    /* The map waits for both dispatches. */
    zcs_test_expect_indexed(buffer, count, 10);
    size_t local = 64;
    ZCS_CK(zcs_dispatch(kernel, 1, &global, &local));
    ZCS_CK(zcs_finish(context));
    zcs_test_expect_indexed(buffer, count, 15);

    zcs_stats stats;
    ZCS_CK(zcs_stats_get(context, &stats));
    ck_assert_uint_eq(stats.dispatches, 3);
    ck_assert_uint_eq(stats.maps, 3);
    /* Only the first read map had to wait: zcs_finish had covered the third dispatch. */
    ck_assert_uint_eq(stats.map_waits, 1);
    zcs_test_expect_copies(context, ZCS_TEST_SOME_COPIES);
    zcs_kernel_destroy(kernel);
    zcs_program_destroy(program);
    ZCS_CK(zcs_array_destroy(buffer));
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(particles_advance_matches_the_host_reference)
{
    zcs_context *context = zcs_test_context();
    const uint32_t count = 5000;
    const float dt = 0.02f;
    const float gravity = -9.81f;
    zcs_array *buffer = NULL;
    zcs_particle *p = NULL;
    static zcs_particle expected[5000];
    ZCS_CK(ZCS_ARRAY_CREATE(context, zcs_particle, count, 0, &buffer));
    ZCS_CK(zcs_array_map(buffer, ZCS_MAP_WRITE_DISCARD, (void **)&p));
    for (uint32_t i = 0; i < count; i++) {
        zcs_particle q = {{(float)i, 0.1f * (float)(i % 13), 0.0f},
                          1.0f,
                          {1.0f, (float)(i % 5) - 2.0f, 0.5f},
                          0.0f,
                          i,
                          0,
                          {0.0f, 0.0f}};
        p[i] = q;
        expected[i] = q;
    }
    ZCS_CK(zcs_array_unmap(buffer));

    zcs_program *program = NULL;
    zcs_kernel *kernel = zcs_test_builtin_kernel(context, "particles_advance", &program);
    ZCS_CK(zcs_kernel_set_array(kernel, 0, buffer));
    ZCS_CK(zcs_kernel_set_value(kernel, 1, sizeof count, &count));
    ZCS_CK(zcs_kernel_set_value(kernel, 2, sizeof dt, &dt));
    ZCS_CK(zcs_kernel_set_value(kernel, 3, sizeof gravity, &gravity));
    size_t global = count;
    for (int step = 0; step < 20; step++) {
        ZCS_CK(zcs_dispatch(kernel, 1, &global, NULL));
        for (uint32_t i = 0; i < count; i++)
            zcs_particle_advance_reference(&expected[i], dt, gravity);
    }
    ZCS_CK(zcs_array_map(buffer, ZCS_MAP_READ, (void **)&p));
    for (uint32_t i = 0; i < count; i++) {
        ck_assert_uint_eq(p[i].id, i);
        ck_assert_uint_eq(p[i].bounces, expected[i].bounces);
        ck_assert_float_eq(p[i].mass, 1.0f);
        for (int k = 0; k < 3; k++) {
            ck_assert_float_eq_tol(p[i].position[k], expected[i].position[k],
                                   1e-4f * (1.0f + fabsf(expected[i].position[k])));
            ck_assert_float_eq_tol(p[i].velocity[k], expected[i].velocity[k],
                                   1e-4f * (1.0f + fabsf(expected[i].velocity[k])));
        }
        ck_assert_float_eq_tol(p[i].age, expected[i].age, 1e-4f);
    }
    ZCS_CK(zcs_array_unmap(buffer));
    zcs_test_expect_copies(context, ZCS_TEST_SOME_COPIES);
    zcs_kernel_destroy(kernel);
    zcs_program_destroy(program);
    ZCS_CK(zcs_array_destroy(buffer));
    zcs_test_context_destroy(context);
}
END_TEST

/* Dispatch index_3d over nx * ny * nz in `dims` dimensions and check every element. */
static void check_index_3d(zcs_context *context, uint32_t dims, uint32_t nx, uint32_t ny,
                           uint32_t nz, const size_t *local)
{
    uint32_t count = nx * ny * nz;
    zcs_array *buffer = NULL;
    uint32_t *out = NULL;
    ZCS_CK(
        zcs_array_create(context, sizeof(uint32_t), count, ZCS_ARRAY_DEVICE_WRITE_ONLY, &buffer));
    ZCS_CK(zcs_array_map(buffer, ZCS_MAP_WRITE_DISCARD, (void **)&out));
    memset(out, 0xff, count * sizeof(uint32_t));
    ZCS_CK(zcs_array_unmap(buffer));
    zcs_program *program = NULL;
    zcs_kernel *kernel = zcs_test_builtin_kernel(context, "index_3d", &program);
    ZCS_CK(zcs_kernel_set_array(kernel, 0, buffer));
    ZCS_CK(zcs_kernel_set_value(kernel, 1, sizeof nx, &nx));
    ZCS_CK(zcs_kernel_set_value(kernel, 2, sizeof ny, &ny));
    ZCS_CK(zcs_kernel_set_value(kernel, 3, sizeof nz, &nz));
    size_t global[3] = {nx, ny, nz};
    ZCS_CK(zcs_dispatch(kernel, dims, global, local));
    ZCS_CK(zcs_array_map(buffer, ZCS_MAP_READ, (void **)&out));
    for (uint32_t z = 0; z < nz; z++)
        for (uint32_t y = 0; y < ny; y++)
            for (uint32_t x = 0; x < nx; x++)
                ck_assert_uint_eq(out[(z * ny + y) * nx + x], x | y << 10 | z << 20);
    ZCS_CK(zcs_array_unmap(buffer));
    zcs_kernel_destroy(kernel);
    zcs_program_destroy(program);
    ZCS_CK(zcs_array_destroy(buffer));
}

START_TEST(dispatch_covers_one_two_and_three_dimensions)
{
    zcs_context *context = zcs_test_context();
    check_index_3d(context, 1, 1000, 1, 1, NULL);
    check_index_3d(context, 2, 37, 29, 1, NULL);
    check_index_3d(context, 3, 13, 11, 7, NULL);
    const size_t local[3] = {4, 4, 2};
    check_index_3d(context, 3, 13, 11, 7, local);
    const size_t local_2d[2] = {8, 8};
    check_index_3d(context, 2, 37, 29, 1, local_2d);
    zcs_test_expect_copies(context, ZCS_TEST_SOME_COPIES);
    zcs_test_context_destroy(context);
}
END_TEST

/* Issue 13: a kernel that reads only its x index, dispatched over 2 or 3 dimensions whose
   other sizes are 1 with no local size, runs once per element on both backends (Vulkan
   rounded the y and z sizes up to its default work group and ran it 8 or 16 times). */
START_TEST(extra_dimensions_of_size_one_run_once)
{
    zcs_context *context = zcs_test_context();
    const uint32_t count = 100;
    zcs_array *array = zcs_test_indexed_u32(context, count);
    zcs_program *program = NULL;
    zcs_kernel *kernel = zcs_test_increment_kernel(context, array, count, 1000, &program);
    const size_t grid_2d[2] = {count, 1};
    ZCS_CK(zcs_dispatch(kernel, 2, grid_2d, NULL));
    const size_t grid_3d[3] = {count, 1, 1};
    ZCS_CK(zcs_dispatch(kernel, 3, grid_3d, NULL));
    zcs_test_expect_indexed(array, count, 2000);
    zcs_kernel_destroy(kernel);
    zcs_program_destroy(program);
    ZCS_CK(zcs_array_destroy(array));
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(bad_arguments_are_refused)
{
    zcs_context *context = zcs_test_context();
    zcs_array *buffer = zcs_test_indexed_u32(context, 16);
    zcs_program *program = NULL;
    zcs_kernel *kernel = zcs_test_builtin_kernel(context, "increment_u32", &program);
    uint32_t value = 1;
    size_t global = 16;
    /* Nothing set yet. */
    ZCS_CK_STATUS(zcs_dispatch(kernel, 1, &global, NULL), ZCS_ERROR_KERNEL_ARGUMENT);
    ZCS_CK_STATUS(zcs_kernel_set_array(kernel, 3, buffer), ZCS_ERROR_KERNEL_ARGUMENT);
    ZCS_CK_STATUS(zcs_kernel_set_value(kernel, 0, 0, &value), ZCS_ERROR_KERNEL_ARGUMENT);
    ZCS_CK_STATUS(zcs_kernel_set_value(kernel, 0, ZCS_MAX_VALUE_BYTES + 1, &value),
                  ZCS_ERROR_KERNEL_ARGUMENT);
    ZCS_CK_STATUS(zcs_kernel_set_value(kernel, 1, sizeof value, NULL), ZCS_ERROR_NULL_HANDLE);
    ZCS_CK_STATUS(zcs_kernel_set_array(kernel, 0, NULL), ZCS_ERROR_NULL_HANDLE);
    if (zcs_test_backend() == ZCS_BACKEND_OPENCL) {
        /* OpenCL knows each parameter's kind and size. */
        ZCS_CK_STATUS(zcs_kernel_set_value(kernel, 0, sizeof value, &value),
                      ZCS_ERROR_KERNEL_ARGUMENT);
        ZCS_CK_STATUS(zcs_kernel_set_array(kernel, 1, buffer), ZCS_ERROR_KERNEL_ARGUMENT);
        ZCS_CK_STATUS(zcs_kernel_set_array(kernel, 3, buffer), ZCS_ERROR_KERNEL_ARGUMENT);
        uint64_t wide = 1;
        ZCS_CK_STATUS(zcs_kernel_set_value(kernel, 1, sizeof wide, &wide),
                      ZCS_ERROR_KERNEL_ARGUMENT);
    }
    zcs_test_set_increment_args(kernel, buffer, 16, 1);
    /* Bad grids. */
    ZCS_CK_STATUS(zcs_dispatch(kernel, 0, &global, NULL), ZCS_ERROR_INVALID_ARGUMENT);
    ZCS_CK_STATUS(zcs_dispatch(kernel, 4, &global, NULL), ZCS_ERROR_INVALID_ARGUMENT);
    ZCS_CK_STATUS(zcs_dispatch(kernel, 1, NULL, NULL), ZCS_ERROR_NULL_HANDLE);
    size_t zero = 0;
    ZCS_CK_STATUS(zcs_dispatch(kernel, 1, &zero, NULL), ZCS_ERROR_INVALID_ARGUMENT);
    ZCS_CK_STATUS(zcs_dispatch(kernel, 1, &global, &zero), ZCS_ERROR_INVALID_ARGUMENT);
    size_t huge_local = (size_t)1 << 30;
    ZCS_CK_STATUS(zcs_dispatch(kernel, 1, &global, &huge_local), ZCS_ERROR_INVALID_ARGUMENT);
    /* None of that ran a kernel. */
    zcs_test_expect_indexed(buffer, 16, 0);
    zcs_stats stats;
    ZCS_CK(zcs_stats_get(context, &stats));
    ck_assert_uint_eq(stats.dispatches, 0);
    zcs_kernel_destroy(kernel);
    zcs_program_destroy(program);
    ZCS_CK(zcs_array_destroy(buffer));
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(dispatch_of_a_mapped_array_is_refused)
{
    zcs_context *context = zcs_test_context();
    zcs_array *buffer = zcs_test_indexed_u32(context, 64);
    zcs_program *program = NULL;
    zcs_kernel *kernel = zcs_test_increment_kernel(context, buffer, 64, 1, &program);
    void *ptr = NULL;
    size_t global = 64;
    ZCS_CK(zcs_array_map(buffer, ZCS_MAP_READ, &ptr));
    ZCS_CK_STATUS(zcs_dispatch(kernel, 1, &global, NULL), ZCS_ERROR_MAPPED);
    ZCS_CK(zcs_array_unmap(buffer));
    ZCS_CK(zcs_dispatch(kernel, 1, &global, NULL));
    zcs_test_expect_indexed(buffer, 64, 1);
    zcs_kernel_destroy(kernel);
    zcs_program_destroy(program);
    ZCS_CK(zcs_array_destroy(buffer));
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(freed_array_unsets_its_arguments)
{
    zcs_context *context = zcs_test_context();
    zcs_array *buffer = zcs_test_indexed_u32(context, 64);
    zcs_program *program = NULL;
    zcs_kernel *kernel = zcs_test_increment_kernel(context, buffer, 64, 1, &program);
    size_t global = 64;
    ZCS_CK(zcs_dispatch(kernel, 1, &global, NULL));
    /* Free waits for the dispatch that uses the array. */
    ZCS_CK(zcs_array_destroy(buffer));
    ZCS_CK_STATUS(zcs_dispatch(kernel, 1, &global, NULL), ZCS_ERROR_KERNEL_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(zcs_last_error(), "freed"));
    zcs_kernel_destroy(kernel);
    zcs_program_destroy(program);
    zcs_test_context_destroy(context);
}
END_TEST

/* Dispatches that repeat, then change one thing at a time (a value, an array, an array
   freed and made again, the kernel): each runs with what it was given, never with what an
   earlier dispatch was given (Vulkan submits a command buffer again while nothing in it
   changed). */
START_TEST(repeated_dispatches_run_with_their_own_arguments)
{
    enum { N = 256 };
    zcs_context *context = zcs_test_context();
    zcs_array *first = zcs_test_indexed_u32(context, N);
    zcs_array *second = zcs_test_indexed_u32(context, N);
    zcs_program *program = NULL;
    zcs_kernel *kernel = zcs_test_increment_kernel(context, first, N, 1, &program);
    size_t global = N;
    for (int i = 0; i < 3; i++)
        ZCS_CK(zcs_dispatch(kernel, 1, &global, NULL));
    zcs_test_expect_indexed(first, N, 3);
    zcs_test_set_increment_args(kernel, first, N, 5);
    for (int i = 0; i < 2; i++)
        ZCS_CK(zcs_dispatch(kernel, 1, &global, NULL));
    zcs_test_expect_indexed(first, N, 13);
    zcs_test_set_increment_args(kernel, second, N, 5);
    ZCS_CK(zcs_dispatch(kernel, 1, &global, NULL));
    zcs_test_expect_indexed(second, N, 5);
    zcs_test_expect_indexed(first, N, 13);
    /* Back to the first arguments: the first array again, by 1. */
    zcs_test_set_increment_args(kernel, first, N, 1);
    ZCS_CK(zcs_dispatch(kernel, 1, &global, NULL));
    zcs_test_expect_indexed(first, N, 14);
    /* A smaller grid over the same arguments. */
    size_t half = N / 2;
    ZCS_CK(zcs_dispatch(kernel, 1, &half, NULL));
    zcs_test_expect_indexed_range(first, 0, N / 2, 15);
    zcs_test_expect_indexed_range(first, N / 2, N / 2, 14);
    /* An array freed and made again, likely where the old one was. */
    ZCS_CK(zcs_array_destroy(second));
    second = zcs_test_indexed_u32(context, N);
    zcs_test_set_increment_args(kernel, second, N, 5);
    ZCS_CK(zcs_dispatch(kernel, 1, &global, NULL));
    zcs_test_expect_indexed(second, N, 5);
    /* A new kernel of the same program, the old one gone. */
    zcs_kernel_destroy(kernel);
    ZCS_CK(zcs_kernel_create(program, "increment_u32", &kernel));
    zcs_test_set_increment_args(kernel, second, N, 2);
    ZCS_CK(zcs_dispatch(kernel, 1, &global, NULL));
    zcs_test_expect_indexed(second, N, 7);
    ZCS_CK(zcs_array_destroy(first));
    ZCS_CK(zcs_array_destroy(second));
    zcs_kernel_destroy(kernel);
    zcs_program_destroy(program);
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(arrays_of_another_context_are_refused)
{
    zcs_context *first = zcs_test_context();
    zcs_context *second = zcs_test_context();
    zcs_array *buffer = zcs_test_indexed_u32(second, 8);
    zcs_program *program = NULL;
    zcs_kernel *kernel = zcs_test_builtin_kernel(first, "increment_u32", &program);
    ZCS_CK_STATUS(zcs_kernel_set_array(kernel, 0, buffer), ZCS_ERROR_INVALID_ARGUMENT);
    zcs_kernel_destroy(kernel);
    zcs_program_destroy(program);
    ZCS_CK(zcs_array_destroy(buffer));
    zcs_test_context_destroy(second);
    zcs_test_context_destroy(first);
}
END_TEST

/* Issue 10, case 4: a value argument must have its parameter's size (3 bytes for a uint
   was accepted on OpenCL). */
START_TEST(value_arguments_of_the_wrong_size_are_refused)
{
    zcs_context *context = zcs_test_context();
    zcs_array *buffer = zcs_test_indexed_u32(context, 64);
    zcs_program *program = NULL;
    zcs_kernel *kernel = zcs_test_increment_kernel(context, buffer, 64, 1, &program);
    uint64_t value = 1;
    for (size_t size = 1; size <= 16; size++) {
        if (size == sizeof(uint32_t))
            continue;
        ZCS_CK_STATUS(zcs_kernel_set_value(kernel, 2, size, &value), ZCS_ERROR_KERNEL_ARGUMENT);
    }
    ZCS_CK(zcs_kernel_set_value(kernel, 2, sizeof(uint32_t), &value));
    size_t global = 64;
    ZCS_CK(zcs_dispatch(kernel, 1, &global, NULL));
    zcs_test_expect_indexed(buffer, 64, 1);
    zcs_kernel_destroy(kernel);
    zcs_program_destroy(program);
    ZCS_CK(zcs_array_destroy(buffer));
    zcs_test_context_destroy(context);
}
END_TEST

/* Issue 10, case 6: grids past what the device can run are refused, never wrapped. */
START_TEST(grids_past_the_limit_are_refused)
{
    zcs_context *context = zcs_test_context();
    zcs_array *buffer = zcs_test_indexed_u32(context, 64);
    zcs_program *program = NULL;
    zcs_kernel *kernel = zcs_test_increment_kernel(context, buffer, 64, 1, &program);
    const size_t sizes[] = {SIZE_MAX, SIZE_MAX - 1, SIZE_MAX - 62, (size_t)ZCS_MAX_GLOBAL_SIZE + 1,
                            (size_t)1 << 40};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        size_t global[3] = {sizes[i], 1, 1};
        ZCS_CK_STATUS(zcs_dispatch(kernel, 1, global, NULL), ZCS_ERROR_INVALID_ARGUMENT);
        size_t local[3] = {64, 1, 1};
        ZCS_CK_STATUS(zcs_dispatch(kernel, 1, global, local), ZCS_ERROR_INVALID_ARGUMENT);
        size_t global3[3] = {1, 1, sizes[i]};
        ZCS_CK_STATUS(zcs_dispatch(kernel, 3, global3, NULL), ZCS_ERROR_INVALID_ARGUMENT);
    }
    ZCS_CK(zcs_finish(context));
    zcs_stats stats;
    ZCS_CK(zcs_stats_get(context, &stats));
    ck_assert_uint_eq(stats.dispatches, 0);
    zcs_test_expect_indexed(buffer, 64, 0);
    zcs_kernel_destroy(kernel);
    zcs_program_destroy(program);
    ZCS_CK(zcs_array_destroy(buffer));
    zcs_test_context_destroy(context);
}
END_TEST

static Suite *kernel_suite(void)
{
    Suite *suite = suite_create("kernel");
    TCase *tc = tcase_create("kernel");
    tcase_add_test(tc, builtin_kernel_updates_every_element);
    tcase_add_test(tc, particles_advance_matches_the_host_reference);
    tcase_add_test(tc, dispatch_covers_one_two_and_three_dimensions);
    tcase_add_test(tc, extra_dimensions_of_size_one_run_once);
    tcase_add_test(tc, bad_arguments_are_refused);
    tcase_add_test(tc, dispatch_of_a_mapped_array_is_refused);
    tcase_add_test(tc, freed_array_unsets_its_arguments);
    tcase_add_test(tc, repeated_dispatches_run_with_their_own_arguments);
    tcase_add_test(tc, arrays_of_another_context_are_refused);
    tcase_add_test(tc, value_arguments_of_the_wrong_size_are_refused);
    tcase_add_test(tc, grids_past_the_limit_are_refused);
    suite_add_tcase(suite, tc);
    return suite;
}

int main(void)
{
    return zcs_test_run(kernel_suite());
}
