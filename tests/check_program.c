/* Programs, kernels, arguments and dispatch: kernels really run and every element is checked. */
#define _POSIX_C_SOURCE 200809L /* mkfifo, dup, fileno */

#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <zcs/particle.h>
#include "support/zcs_test.h"

/* Allocate `count` uint32 elements set to their index. */
static zcs_array *indexed_u32(zcs_context *context, uint32_t count)
{
    zcs_array *buffer = NULL;
    uint32_t *data = NULL;
    ZCS_CK(zcs_array_create(context, sizeof(uint32_t), count, 0, &buffer));
    ZCS_CK(zcs_array_map(buffer, ZCS_MAP_WRITE_DISCARD, (void **)&data));
    for (uint32_t i = 0; i < count; i++)
        data[i] = i;
    ZCS_CK(zcs_array_unmap(buffer));
    return buffer;
}

/* Create kernel `name` of builtin program `name`. */
static zcs_kernel *builtin_kernel(zcs_context *context, const char *name, zcs_program **program)
{
    zcs_kernel *kernel = NULL;
    ZCS_CK(zcs_program_create_builtin(context, name, program));
    ZCS_CK(zcs_kernel_create(*program, name, &kernel));
    return kernel;
}

static void set_increment_args(zcs_kernel *kernel, zcs_array *buffer, uint32_t count,
                               uint32_t amount)
{
    ZCS_CK(zcs_kernel_set_array(kernel, 0, buffer));
    ZCS_CK(zcs_kernel_set_value(kernel, 1, sizeof count, &count));
    ZCS_CK(zcs_kernel_set_value(kernel, 2, sizeof amount, &amount));
}

START_TEST(builtin_kernel_updates_every_element)
{
    zcs_context *context = zcs_test_context();
    const uint32_t count = 100003; /* not a multiple of any work-group size */
    zcs_array *buffer = indexed_u32(context, count);
    zcs_program *program = NULL;
    zcs_kernel *kernel = builtin_kernel(context, "increment_u32", &program);
    set_increment_args(kernel, buffer, count, 5);
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
    zcs_kernel *kernel = builtin_kernel(context, "particles_advance", &program);
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
    zcs_kernel *kernel = builtin_kernel(context, "index_3d", &program);
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

START_TEST(program_from_source_runs)
{
    zcs_context *context = zcs_test_context();
    const uint32_t count = 777;
    const uint32_t value = 1000;
    zcs_array *buffer = NULL;
    ZCS_CK(zcs_array_create(context, sizeof(uint32_t), count, 0, &buffer));
    zcs_program *program = NULL;
    zcs_kernel *kernel = NULL;
    ZCS_CK(zcs_program_create_from_source(context, zcs_test_good_source(), 0, NULL, &program));
    ZCS_CK(zcs_kernel_create(
        program, zcs_test_backend() == ZCS_BACKEND_OPENCL ? "fill_u32" : "main", &kernel));
    ZCS_CK(zcs_kernel_set_array(kernel, 0, buffer));
    ZCS_CK(zcs_kernel_set_value(kernel, 1, sizeof count, &count));
    ZCS_CK(zcs_kernel_set_value(kernel, 2, sizeof value, &value));
    size_t global = count;
    ZCS_CK(zcs_dispatch(kernel, 1, &global, NULL));
    zcs_test_expect_indexed(buffer, count, value);
    zcs_kernel_destroy(kernel);
    zcs_program_destroy(program);
    ZCS_CK(zcs_array_destroy(buffer));
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(program_from_file_runs)
{
    zcs_context *context = zcs_test_context();
    const uint32_t count = 300;
    zcs_array *buffer = indexed_u32(context, count);
    zcs_program *program = NULL;
    zcs_kernel *kernel = NULL;
    ZCS_CK(zcs_program_create_from_file(context, zcs_test_kernel_file("increment_u32"), NULL,
                                        &program));
    ZCS_CK(zcs_kernel_create(program, "increment_u32", &kernel));
    set_increment_args(kernel, buffer, count, 3);
    size_t global = count;
    ZCS_CK(zcs_dispatch(kernel, 1, &global, NULL));
    zcs_test_expect_indexed(buffer, count, 3);
    zcs_kernel_destroy(kernel);
    zcs_program_destroy(program);
    ZCS_CK(zcs_array_destroy(buffer));
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(build_failure_carries_the_build_log)
{
    zcs_context *context = zcs_test_context();
    zcs_program *program = NULL;
    ZCS_CK_STATUS(zcs_program_create_from_source(context, zcs_test_bad_source(), 0, NULL, &program),
                  ZCS_ERROR_BUILD);
    ck_assert_ptr_null(program);
    /* The compiler's own words name the undeclared identifier. */
    ck_assert_msg(strstr(zcs_last_error(), "undeclared_name") != NULL, "no build log in: %s",
                  zcs_last_error());
    ck_assert_str_eq(zcs_context_last_error(context), zcs_last_error());
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(bad_program_inputs_are_refused)
{
    zcs_context *context = zcs_test_context();
    zcs_program *program = NULL;
    ZCS_CK_STATUS(zcs_program_create_builtin(context, "no_such_program", &program),
                  ZCS_ERROR_KERNEL_NOT_FOUND);
    ZCS_CK_STATUS(zcs_program_create_builtin(context, NULL, &program), ZCS_ERROR_NULL_HANDLE);
    ZCS_CK_STATUS(zcs_program_create_from_source(context, NULL, 0, NULL, &program),
                  ZCS_ERROR_NULL_HANDLE);
    ZCS_CK_STATUS(zcs_program_create_from_source(context, "", 0, NULL, &program),
                  ZCS_ERROR_ZERO_SIZE);
    ZCS_CK_STATUS(zcs_program_create_from_file(context, "/nonexistent/kernel.cl", NULL, &program),
                  ZCS_ERROR_IO);
    ck_assert_ptr_nonnull(strstr(zcs_last_error(), "/nonexistent/kernel.cl"));
    static const uint32_t not_spirv[4] = {1, 2, 3, 4};
    ZCS_CK_STATUS(zcs_program_create_from_spirv(context, not_spirv, 6, &program),
                  ZCS_ERROR_INVALID_ARGUMENT);
    zcs_status status = zcs_program_create_from_spirv(context, not_spirv, 16, &program);
    ck_assert_msg(status == ZCS_ERROR_UNSUPPORTED || status == ZCS_ERROR_BUILD ||
                      status == ZCS_ERROR_INVALID_ARGUMENT,
                  "garbage SPIR-V gave %s", zcs_status_name(status));
    ck_assert_ptr_null(program);
    zcs_stats stats;
    ZCS_CK(zcs_stats_get(context, &stats));
    ck_assert_uint_eq(stats.live_programs, 0);
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(unknown_kernel_name_is_refused)
{
    zcs_context *context = zcs_test_context();
    zcs_program *program = NULL;
    zcs_kernel *kernel = NULL;
    ZCS_CK(zcs_program_create_builtin(context, "increment_u32", &program));
    ZCS_CK_STATUS(zcs_kernel_create(program, "no_such_kernel", &kernel),
                  ZCS_ERROR_KERNEL_NOT_FOUND);
    ck_assert_ptr_nonnull(strstr(zcs_last_error(), "no_such_kernel"));
    ZCS_CK_STATUS(zcs_kernel_create(program, "", &kernel), ZCS_ERROR_KERNEL_NOT_FOUND);
    ZCS_CK_STATUS(zcs_kernel_create(program, NULL, &kernel), ZCS_ERROR_NULL_HANDLE);
    ck_assert_ptr_null(kernel);
    zcs_program_destroy(program);
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(bad_arguments_are_refused)
{
    zcs_context *context = zcs_test_context();
    zcs_array *buffer = indexed_u32(context, 16);
    zcs_program *program = NULL;
    zcs_kernel *kernel = builtin_kernel(context, "increment_u32", &program);
    uint32_t value = 1;
    size_t global = 16;
    /* Nothing set yet. */
    ZCS_CK_STATUS(zcs_dispatch(kernel, 1, &global, NULL), ZCS_ERROR_KERNEL_ARGUMENT);
    ZCS_CK_STATUS(zcs_kernel_set_array(kernel, ZCS_MAX_KERNEL_ARGS, buffer),
                  ZCS_ERROR_KERNEL_ARGUMENT);
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
    set_increment_args(kernel, buffer, 16, 1);
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
    zcs_array *buffer = indexed_u32(context, 64);
    zcs_program *program = NULL;
    zcs_kernel *kernel = builtin_kernel(context, "increment_u32", &program);
    set_increment_args(kernel, buffer, 64, 1);
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
    zcs_array *buffer = indexed_u32(context, 64);
    zcs_program *program = NULL;
    zcs_kernel *kernel = builtin_kernel(context, "increment_u32", &program);
    set_increment_args(kernel, buffer, 64, 1);
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

START_TEST(kernels_outlive_their_program)
{
    zcs_context *context = zcs_test_context();
    zcs_array *buffer = indexed_u32(context, 64);
    zcs_program *program = NULL;
    zcs_kernel *kernel = builtin_kernel(context, "increment_u32", &program);
    zcs_program_destroy(program);
    set_increment_args(kernel, buffer, 64, 2);
    size_t global = 64;
    ZCS_CK(zcs_dispatch(kernel, 1, &global, NULL));
    zcs_test_expect_indexed(buffer, 64, 2);
    zcs_kernel_destroy(kernel);
    ZCS_CK(zcs_array_destroy(buffer));
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(arrays_of_another_context_are_refused)
{
    zcs_context *first = zcs_test_context();
    zcs_context *second = zcs_test_context();
    zcs_array *buffer = indexed_u32(second, 8);
    zcs_program *program = NULL;
    zcs_kernel *kernel = builtin_kernel(first, "increment_u32", &program);
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
    zcs_array *buffer = indexed_u32(context, 64);
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
    zcs_array *buffer = indexed_u32(context, 64);
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

/* Issue 10, case 7: a directory is ZCS_ERROR_IO (it was ZCS_ERROR_OUT_OF_MEMORY after a
   2^63-byte allocation). */
START_TEST(a_directory_is_not_a_program_file)
{
    zcs_context *context = zcs_test_context();
    zcs_program *program = NULL;
    ZCS_CK_STATUS(zcs_program_create_from_file(context, "/tmp", NULL, &program), ZCS_ERROR_IO);
    ck_assert_ptr_nonnull(strstr(zcs_last_error(), "/tmp"));
    ck_assert_ptr_nonnull(strstr(zcs_last_error(), "directory"));
    ck_assert_ptr_null(program);
    zcs_test_context_destroy(context);
}
END_TEST

/* Issue 10, case 7: a FIFO without a writer is refused at once (it blocked forever). */
START_TEST(a_fifo_is_refused_without_blocking)
{
    zcs_context *context = zcs_test_context();
    zcs_program *program = NULL;
    char fifo[64];
    snprintf(fifo, sizeof fifo, "/tmp/zcs-test-fifo-%ld", (long)getpid());
    ck_assert_int_eq(mkfifo(fifo, 0600), 0);
    alarm(60); /* a call that blocks fails the test instead of hanging it */
    zcs_status status = zcs_program_create_from_file(context, fifo, NULL, &program);
    alarm(0);
    unlink(fifo);
    ck_assert_int_eq(status, ZCS_ERROR_IO);
    ck_assert_ptr_nonnull(strstr(zcs_last_error(), "FIFO"));
    ck_assert_ptr_null(program);
    zcs_test_context_destroy(context);
}
END_TEST

/* Issue 10, case 7: /proc/self/status, whose size stat reports as 0, is read (it was
   "empty"); its text is no program, so the build fails with the compiler's log. */
START_TEST(a_proc_file_is_read_to_its_end)
{
    zcs_context *context = zcs_test_context();
    zcs_program *program = NULL;
    ZCS_CK_STATUS(zcs_program_create_from_file(context, "/proc/self/status", NULL, &program),
                  ZCS_ERROR_BUILD);
    ck_assert_ptr_null(program);
    zcs_test_context_destroy(context);
}
END_TEST

/* Issue 10, case 8: kernel names have no length limit of zcs's own (128 characters and
   more were "not found"); on PoCL, which aborts past 252, longer names are refused. */
static zcs_status run_named_kernel(zcs_context *context, size_t length)
{
    char *name = malloc(length + 1);
    char *source = malloc(length + 256);
    ck_assert_ptr_nonnull(name);
    ck_assert_ptr_nonnull(source);
    memset(name, 'k', length);
    name[length] = '\0';
    snprintf(source, length + 256,
             "__kernel void %s(__global uint *data, uint count) {"
             " uint i = get_global_id(0); if (i < count) data[i] += 3; }",
             name);
    zcs_program *program = NULL;
    zcs_kernel *kernel = NULL;
    ZCS_CK(zcs_program_create_from_source(context, source, 0, NULL, &program));
    zcs_status status = zcs_kernel_create(program, name, &kernel);
    if (status == ZCS_SUCCESS) {
        zcs_array *buffer = indexed_u32(context, 32);
        uint32_t count = 32;
        ZCS_CK(zcs_kernel_set_array(kernel, 0, buffer));
        ZCS_CK(zcs_kernel_set_value(kernel, 1, sizeof count, &count));
        size_t global = 32;
        ZCS_CK(zcs_dispatch(kernel, 1, &global, NULL));
        zcs_test_expect_indexed(buffer, 32, 3);
        ZCS_CK(zcs_array_destroy(buffer));
        /* A name one shorter is another kernel: not found. */
        zcs_kernel *missing = NULL;
        name[length - 1] = '\0';
        ZCS_CK_STATUS(zcs_kernel_create(program, name, &missing), ZCS_ERROR_KERNEL_NOT_FOUND);
        zcs_kernel_destroy(kernel);
    }
    zcs_program_destroy(program);
    free(source);
    free(name);
    return status;
}

START_TEST(long_kernel_names_are_found)
{
    if (zcs_test_backend() != ZCS_BACKEND_OPENCL)
        return; /* GLSL entry points are always "main" */
    zcs_context *context = zcs_test_context();
    zcs_context_info info;
    ZCS_CK(zcs_context_info_get(context, &info));
    ZCS_CK(run_named_kernel(context, 128));
    ZCS_CK(run_named_kernel(context, 252));
    zcs_status status = run_named_kernel(context, 300);
    if (strstr(info.platform_name, "Portable Computing Language") != NULL)
        ck_assert_msg(status == ZCS_ERROR_UNSUPPORTED, "a 300-character name on PoCL gave %s",
                      zcs_status_name(status));
    else
        ZCS_CK(status);
    zcs_test_context_destroy(context);
}
END_TEST

/* Issue 10, case 5: every truncation of a valid module, and modules with a word changed,
   are refused before the driver sees them, or run correctly. */
START_TEST(malformed_spirv_never_reaches_the_driver)
{
    if (zcs_test_backend() != ZCS_BACKEND_VULKAN)
        return; /* PoCL here takes no SPIR-V (checked in bad_program_inputs_are_refused) */
    zcs_context *context = zcs_test_context();
    char path[1024];
    snprintf(path, sizeof path, "%s/kernels/increment_u32.spv", ZCS_TEST_BINARY_DIR);
    FILE *file = fopen(path, "rb");
    ck_assert_msg(file != NULL, "cannot open %s", path);
    static uint32_t words[4096];
    size_t count = fread(words, sizeof(uint32_t), 4096, file);
    fclose(file);
    ck_assert_uint_gt(count, 20);
    zcs_program *program = NULL;
    size_t refused = 0;
    size_t by_validator = 0;
    for (size_t n = 5; n < count; n++) {
        zcs_status status = zcs_program_create_from_spirv(context, words, n * 4, &program);
        ck_assert_msg(status == ZCS_ERROR_BUILD || status == ZCS_ERROR_INVALID_ARGUMENT,
                      "a module cut to %zu of %zu words gave %s", n, count,
                      zcs_status_name(status));
        refused++;
        if (strstr(zcs_last_error(), "SPIRV-Tools") != NULL)
            by_validator++;
    }
    ck_assert_ptr_null(program);
    /* zcs's own reader lets cuts at instruction boundaries through: the validator must
       catch those. */
    ck_assert_uint_gt(by_validator, 0);
    /* The example: the first 93 words. */
    ZCS_CK_STATUS(zcs_program_create_from_spirv(context, words, 93 * 4, &program), ZCS_ERROR_BUILD);
    printf("truncated SPIR-V: %zu of %zu cuts refused, %zu of them by the validator\n", refused,
           count - 5, by_validator);
    zcs_test_context_destroy(context);
}
END_TEST

/* Issue 10, case 8: the GLSL compiler's output goes into the message, never to stdout. */
START_TEST(glsl_compiler_output_never_reaches_stdout)
{
    if (zcs_test_backend() != ZCS_BACKEND_VULKAN)
        return;
    zcs_context *context = zcs_test_context();
    fflush(stdout);
    char path[64];
    snprintf(path, sizeof path, "/tmp/zcs-test-stdout-%ld", (long)getpid());
    int capture = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    ck_assert_int_ge(capture, 0);
    int saved = dup(STDOUT_FILENO);
    ck_assert_int_ge(saved, 0);
    ck_assert_int_ge(dup2(capture, STDOUT_FILENO), 0);
    zcs_program *program = NULL;
    static const char no_version[] = "layout(local_size_x = 64) in;\n"
                                     "layout(std430, binding = 0) buffer B { uint d[]; };\n"
                                     "void main() { d[gl_GlobalInvocationID.x] += 1u; }\n";
    zcs_status status = zcs_program_create_from_source(context, no_version, 0, NULL, &program);
    fflush(stdout);
    ck_assert_int_ge(dup2(saved, STDOUT_FILENO), 0);
    close(saved);
    struct stat info;
    ck_assert_int_eq(fstat(capture, &info), 0);
    close(capture);
    unlink(path);
    ck_assert_msg(info.st_size == 0, "the compiler wrote %lld bytes to stdout",
                  (long long)info.st_size);
    if (status == ZCS_SUCCESS)
        zcs_program_destroy(program);
    else
        ck_assert_int_eq(status, ZCS_ERROR_BUILD);
    zcs_test_context_destroy(context);
}
END_TEST

static Suite *program_suite(void)
{
    Suite *suite = suite_create("program");
    TCase *tc = tcase_create("program");
    tcase_add_test(tc, builtin_kernel_updates_every_element);
    tcase_add_test(tc, particles_advance_matches_the_host_reference);
    tcase_add_test(tc, dispatch_covers_one_two_and_three_dimensions);
    tcase_add_test(tc, program_from_source_runs);
    tcase_add_test(tc, program_from_file_runs);
    tcase_add_test(tc, build_failure_carries_the_build_log);
    tcase_add_test(tc, bad_program_inputs_are_refused);
    tcase_add_test(tc, unknown_kernel_name_is_refused);
    tcase_add_test(tc, bad_arguments_are_refused);
    tcase_add_test(tc, dispatch_of_a_mapped_array_is_refused);
    tcase_add_test(tc, freed_array_unsets_its_arguments);
    tcase_add_test(tc, kernels_outlive_their_program);
    tcase_add_test(tc, arrays_of_another_context_are_refused);
    tcase_add_test(tc, value_arguments_of_the_wrong_size_are_refused);
    tcase_add_test(tc, grids_past_the_limit_are_refused);
    tcase_add_test(tc, a_directory_is_not_a_program_file);
    tcase_add_test(tc, a_fifo_is_refused_without_blocking);
    tcase_add_test(tc, a_proc_file_is_read_to_its_end);
    tcase_add_test(tc, long_kernel_names_are_found);
    tcase_add_test(tc, malformed_spirv_never_reaches_the_driver);
    tcase_add_test(tc, glsl_compiler_output_never_reaches_stdout);
    suite_add_tcase(suite, tc);
    return suite;
}

int main(void)
{
    return zcs_test_run(program_suite());
}
