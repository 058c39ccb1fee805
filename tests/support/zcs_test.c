/* Shared fixtures of the Check suites (see zcs_test.h). */
#define _POSIX_C_SOURCE 200809L /* fork, waitpid, setenv */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "zcs_test.h"

#ifdef ZCS_TEST_VULKAN
/* The process-wide count of validation-layer messages (src/vulkan/validation.c), which
   also sees the reports of vkDestroyDevice and vkDestroyInstance. Present where a suite
   links the static library; the shared library keeps it hidden, and those suites check
   the context's own count (zcs_stats.validation_messages) alone. */
uint64_t zcs__vk_validation_messages(void) __attribute__((weak));
#endif

zcs_context *zcs_test_context(void)
{
    zcs_context *context = NULL;
    ZCS_CK(zcs_context_create(NULL, &context));
#ifdef ZCS_TEST_VULKAN
    /* "0 validation messages" means something only with the layer really on. */
    const char *validation = getenv("ZCS_VULKAN_VALIDATION");
    if (validation != NULL && strcmp(validation, "1") == 0) {
        zcs_context_info info;
        ZCS_CK(zcs_context_info_get(context, &info));
        ck_assert_msg(info.validation_layer,
                      "ZCS_VULKAN_VALIDATION=1 but the validation layer is not active");
    }
#endif
    const char *forced = getenv("ZCS_TIER");
    if (forced != NULL && forced[0] != '\0' && strcmp(forced, "auto") != 0) {
        zcs_context_info info;
        ZCS_CK(zcs_context_info_get(context, &info));
        ck_assert_str_eq(zcs_tier_name(info.tier), forced);
    }
    return context;
}

void zcs_test_context_destroy(zcs_context *context)
{
    zcs_stats stats;
    ZCS_CK(zcs_stats_get(context, &stats));
    ck_assert_uint_eq(stats.live_arrays, 0);
    ck_assert_uint_eq(stats.live_kernels, 0);
    ck_assert_uint_eq(stats.live_programs, 0);
    for (int t = 0; t < ZCS_TIER_COUNT; t++)
        ck_assert_uint_eq(stats.bytes_allocated[t], 0);
#ifdef ZCS_TEST_VULKAN
    ck_assert_msg(stats.validation_messages == 0, "%llu Vulkan validation messages",
                  (unsigned long long)stats.validation_messages);
#endif
    zcs_context_destroy(context);
#ifdef ZCS_TEST_VULKAN
    /* Those of vkDestroyDevice and vkDestroyInstance (objects left alive, for one) come
       after the context's statistics can be read: the process-wide total has them. */
    if (zcs__vk_validation_messages != NULL)
        ck_assert_msg(zcs__vk_validation_messages() == 0, "%llu Vulkan validation messages",
                      (unsigned long long)zcs__vk_validation_messages());
#endif
}

void zcs_test_expect_copies(zcs_context *context, uint64_t separate_memory_bytes)
{
    zcs_context_info info;
    zcs_stats stats;
    ZCS_CK(zcs_context_info_get(context, &info));
    ZCS_CK(zcs_stats_get(context, &stats));
    /* zcs copies on the staged tier (forced, or chosen on a discrete GPU); the OpenCL
       runtime copies where the device has memory of its own. */
    int copies = info.tier == ZCS_TIER_STAGED ||
                 (!info.unified_memory && info.backend == ZCS_BACKEND_OPENCL);
    if (!copies)
        ck_assert_uint_eq(stats.bytes_copied, 0);
    else if (separate_memory_bytes == ZCS_TEST_SOME_COPIES)
        ck_assert_uint_gt(stats.bytes_copied, 0);
    else
        ck_assert_uint_eq(stats.bytes_copied, separate_memory_bytes);
}

zcs_backend zcs_test_backend(void)
{
#ifdef ZCS_TEST_VULKAN
    return ZCS_BACKEND_VULKAN;
#else
    return ZCS_BACKEND_OPENCL;
#endif
}

const char *zcs_test_good_source(void)
{
    if (zcs_test_backend() == ZCS_BACKEND_OPENCL)
        return "kernel void fill_u32(global uint *data, uint count, uint value)\n"
               "{\n"
               "    size_t i = get_global_id(0);\n"
               "    if (i < count)\n"
               "        data[i] = value + (uint)i;\n"
               "}\n";
    return "#version 450\n"
           "layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;\n"
           "layout(std430, set = 0, binding = 0) buffer Data { uint data[]; };\n"
           "layout(push_constant) uniform Args { uint count; uint value; };\n"
           "void main()\n"
           "{\n"
           "    uint i = gl_GlobalInvocationID.x;\n"
           "    if (i < count)\n"
           "        data[i] = value + i;\n"
           "}\n";
}

const char *zcs_test_bad_source(void)
{
    if (zcs_test_backend() == ZCS_BACKEND_OPENCL)
        return "kernel void broken(global uint *data)\n{\n    data[0] = undeclared_name;\n}\n";
    return "#version 450\nlayout(local_size_x = 1) in;\nvoid main()\n{\n"
           "    uint x = undeclared_name;\n}\n";
}

zcs_kernel *zcs_test_increment_kernel(zcs_context *context, zcs_array *buffer, uint32_t count,
                                      uint32_t amount, zcs_program **out_program)
{
    zcs_kernel *kernel = zcs_test_builtin_kernel(context, "increment_u32", out_program);
    zcs_test_set_increment_args(kernel, buffer, count, amount);
    return kernel;
}

void zcs_test_expect_indexed(zcs_array *buffer, uint32_t count, uint32_t offset)
{
    uint32_t *data = NULL;
    ZCS_CK(zcs_array_map(buffer, ZCS_MAP_READ, (void **)&data));
    for (uint32_t i = 0; i < count; i++)
        ck_assert_msg(data[i] == i + offset, "element %u is %u, expected %u", i, data[i],
                      i + offset);
    ZCS_CK(zcs_array_unmap(buffer));
}

void zcs_test_expect_indexed_range(zcs_array *buffer, uint32_t first, uint32_t count,
                                   uint32_t offset)
{
    uint32_t *data = NULL;
    ZCS_CK(zcs_array_map_range(buffer, ZCS_MAP_READ, first, count, (void **)&data));
    for (uint32_t i = 0; i < count; i++)
        ck_assert_msg(data[i] == first + i + offset, "element %u is %u, expected %u", first + i,
                      data[i], first + i + offset);
    ZCS_CK(zcs_array_unmap(buffer));
}

uint64_t zcs_test_device_waits(zcs_context *context)
{
    zcs_stats stats;
    ZCS_CK(zcs_stats_get(context, &stats));
    return stats.device_waits;
}

void zcs_test_leave_read_ahead(zcs_context *context, zcs_kernel *increment, zcs_array *array,
                               uint32_t count)
{
    size_t global = count;
    ZCS_CK(zcs_dispatch(increment, 1, &global, NULL));
    zcs_test_expect_indexed(array, count, 1);
    ZCS_CK(zcs_dispatch(increment, 1, &global, NULL));
    ZCS_CK(zcs_finish(context));
}

char *zcs_test_read_source(const char *relative_path)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", ZCS_TEST_SOURCE_DIR, relative_path);
    FILE *file = fopen(path, "rb");
    ck_assert_msg(file != NULL, "cannot open %s", path);
    ck_assert_int_eq(fseek(file, 0, SEEK_END), 0);
    long length = ftell(file);
    ck_assert_int_ge(length, 0);
    ck_assert_int_eq(fseek(file, 0, SEEK_SET), 0);
    char *text = malloc((size_t)length + 1);
    ck_assert_ptr_nonnull(text);
    ck_assert_uint_eq(fread(text, 1, (size_t)length, file), (size_t)length);
    text[length] = '\0';
    fclose(file);
    return text;
}

char *zcs_test_compose_source(const char *prologue, const char *header_text,
                              const char *kernel_text)
{
    static const char include_line[] = "#include \"zcs/layout.h\"";
    char *layout = zcs_test_read_source("include/zcs/layout.h");
    size_t size = strlen(prologue) + strlen(layout) + strlen(header_text) + strlen(kernel_text) + 2;
    char *text = malloc(size);
    ck_assert_ptr_nonnull(text);
    snprintf(text, size, "%s%s%s\n%s", prologue, layout, header_text, kernel_text);
    char *include = strstr(text + strlen(prologue) + strlen(layout), include_line);
    ck_assert_ptr_nonnull(include);
    memset(include, ' ', strlen(include_line));
    free(layout);
    return text;
}

const char *zcs_test_kernel_file(const char *name)
{
    static char path[1024];
    if (zcs_test_backend() == ZCS_BACKEND_OPENCL)
        snprintf(path, sizeof path, "%s/kernels/%s.cl", ZCS_TEST_SOURCE_DIR, name);
    else
        snprintf(path, sizeof path, "%s/kernels/%s.spv", ZCS_TEST_BINARY_DIR, name);
    return path;
}

/*
 * Whether the device offers the tier ZCS_TIER forces: asked in a child process, since a
 * context made before Check forks would hang the tests. 1 yes, 0 no (the reason printed).
 */
static int zcs_test_tier_offered(void)
{
    const char *forced = getenv("ZCS_TIER");
    if (forced == NULL || forced[0] == '\0' || strcmp(forced, "auto") == 0)
        return 1;
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        zcs_context *context = NULL;
        zcs_status status = zcs_context_create(NULL, &context);
        if (status == ZCS_ERROR_UNSUPPORTED)
            printf("SKIP: this device does not offer tier %s: %s\n", forced, zcs_last_error());
        fflush(stdout);
        zcs_context_destroy(context);
        _exit(status == ZCS_ERROR_UNSUPPORTED ? 77 : 0);
    }
    int wstatus = 0;
    if (child < 0 || waitpid(child, &wstatus, 0) != child)
        return 1; /* let the suite run and say what is wrong */
    return !(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 77);
}

int zcs_test_run(Suite *suite)
{
    if (!zcs_test_tier_offered()) {
        srunner_free(srunner_create(suite)); /* frees the suite unrun */
        return 77;                           /* ctest's SKIP_RETURN_CODE: skipped, never passed */
    }
    SRunner *runner = srunner_create(suite);
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

zcs_array *zcs_test_indexed_u32(zcs_context *context, uint32_t count)
{
    zcs_array *array = NULL;
    uint32_t *data = NULL;
    ZCS_CK(zcs_array_create(context, sizeof(uint32_t), count, 0, &array));
    ZCS_CK(zcs_array_map(array, ZCS_MAP_WRITE_DISCARD, (void **)&data));
    for (uint32_t i = 0; i < count; i++)
        data[i] = i;
    ZCS_CK(zcs_array_unmap(array));
    return array;
}

zcs_kernel *zcs_test_builtin_kernel(zcs_context *context, const char *name, zcs_program **program)
{
    zcs_kernel *kernel = NULL;
    ZCS_CK(zcs_program_create_builtin(context, name, program));
    ZCS_CK(zcs_kernel_create(*program, name, &kernel));
    return kernel;
}

void zcs_test_set_increment_args(zcs_kernel *kernel, zcs_array *array, uint32_t count,
                                 uint32_t amount)
{
    ZCS_CK(zcs_kernel_set_array(kernel, 0, array));
    ZCS_CK(zcs_kernel_set_value(kernel, 1, sizeof count, &count));
    ZCS_CK(zcs_kernel_set_value(kernel, 2, sizeof amount, &amount));
}

/* The variables tests set, and what they held before. */
static const char *const zcs_test_variables[] = {"ZCS_DEVICE", "ZCS_TIER", "ZCS_WAIT"};
#define ZCS_TEST_VARIABLES (sizeof zcs_test_variables / sizeof zcs_test_variables[0])
static char zcs_test_saved[ZCS_TEST_VARIABLES][256];
static int zcs_test_had[ZCS_TEST_VARIABLES];

void zcs_test_save_environment(void)
{
    for (size_t v = 0; v < ZCS_TEST_VARIABLES; v++) {
        const char *value = getenv(zcs_test_variables[v]);
        zcs_test_had[v] = value != NULL;
        snprintf(zcs_test_saved[v], sizeof zcs_test_saved[v], "%s", value != NULL ? value : "");
    }
}

void zcs_test_restore_environment(void)
{
    for (size_t v = 0; v < ZCS_TEST_VARIABLES; v++) {
        if (zcs_test_had[v])
            setenv(zcs_test_variables[v], zcs_test_saved[v], 1);
        else
            unsetenv(zcs_test_variables[v]);
    }
}
