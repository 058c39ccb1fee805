/* Programs, kernels, arguments and dispatch: kernels really run and every element is checked. */
#define _POSIX_C_SOURCE 200809L /* mkfifo, dup, fileno */

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "support/zcs_test.h"

/* Allocate `count` uint32 elements set to their index. */
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
    zcs_array *buffer = zcs_test_indexed_u32(context, count);
    zcs_program *program = NULL;
    zcs_kernel *kernel = NULL;
    ZCS_CK(zcs_program_create_from_file(context, zcs_test_kernel_file("increment_u32"), NULL,
                                        &program));
    ZCS_CK(zcs_kernel_create(program, "increment_u32", &kernel));
    zcs_test_set_increment_args(kernel, buffer, count, 3);
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

START_TEST(kernels_outlive_their_program)
{
    zcs_context *context = zcs_test_context();
    zcs_array *buffer = zcs_test_indexed_u32(context, 64);
    zcs_program *program = NULL;
    zcs_kernel *kernel = zcs_test_builtin_kernel(context, "increment_u32", &program);
    zcs_program_destroy(program);
    zcs_test_set_increment_args(kernel, buffer, 64, 2);
    size_t global = 64;
    ZCS_CK(zcs_dispatch(kernel, 1, &global, NULL));
    zcs_test_expect_indexed(buffer, 64, 2);
    zcs_kernel_destroy(kernel);
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
        zcs_array *buffer = zcs_test_indexed_u32(context, 32);
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
    tcase_add_test(tc, program_from_source_runs);
    tcase_add_test(tc, program_from_file_runs);
    tcase_add_test(tc, build_failure_carries_the_build_log);
    tcase_add_test(tc, bad_program_inputs_are_refused);
    tcase_add_test(tc, unknown_kernel_name_is_refused);
    tcase_add_test(tc, kernels_outlive_their_program);
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
