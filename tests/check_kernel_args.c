/* Kernel parameters: as many as the device allows, local memory arguments, and one kernel
   naming rule on both backends (issue 13). */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/zcs_test.h"

/* Append to a growing source text. */
static void append(char **text, size_t *length, const char *format, ...)
    __attribute__((format(printf, 3, 4)));

static void append(char **text, size_t *length, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    char piece[512];
    int n = vsnprintf(piece, sizeof piece, format, args);
    va_end(args);
    ck_assert_int_ge(n, 0);
    ck_assert_int_lt(n, (int)sizeof piece);
    char *grown = realloc(*text, *length + (size_t)n + 1);
    ck_assert_ptr_nonnull(grown);
    memcpy(grown + *length, piece, (size_t)n + 1);
    *text = grown;
    *length += (size_t)n;
}

static int is_opencl(void)
{
    return zcs_test_backend() == ZCS_BACKEND_OPENCL;
}

/*
 * A kernel of `arrays` array parameters (0: out, 1..: inputs) then `values` uint values:
 * out[i] = in_1[i] + ... + the values. Named `name` on both backends.
 */
static char *sum_kernel_source(const char *name, unsigned arrays, unsigned values)
{
    char *text = NULL;
    size_t length = 0;
    if (is_opencl()) {
        append(&text, &length, "kernel void %s(global uint *out", name);
        for (unsigned a = 1; a < arrays; a++)
            append(&text, &length, ", global const uint *in%u", a);
        for (unsigned v = 0; v < values; v++)
            append(&text, &length, ", uint v%u", v);
        append(&text, &length, ")\n{\n    size_t i = get_global_id(0);\n    uint sum = 0;\n");
    } else {
        append(&text, &length,
               "#version 450\n#pragma zcs_kernel(%s)\nlayout(local_size_x_id = 0) in;\n"
               "layout(std430, binding = 0) buffer Out { uint out_data[]; };\n",
               name);
        for (unsigned a = 1; a < arrays; a++)
            append(&text, &length,
                   "layout(std430, binding = %u) readonly buffer In%u { uint in%u[]; };\n", a, a,
                   a);
        if (values > 0) {
            append(&text, &length, "layout(push_constant, std430) uniform Values {\n");
            for (unsigned v = 0; v < values; v++)
                append(&text, &length, "    uint v%u;\n", v);
            append(&text, &length, "} values;\n");
        }
        append(&text, &length,
               "void main()\n{\n    uint i = gl_GlobalInvocationID.x;\n"
               "    uint sum = 0u;\n");
    }
    for (unsigned a = 1; a < arrays; a++)
        append(&text, &length, "    sum += in%u[i];\n", a);
    for (unsigned v = 0; v < values; v++)
        append(&text, &length, "    sum += %sv%u;\n", is_opencl() ? "" : "values.", v);
    append(&text, &length, "    %s[i] = sum;\n}\n", is_opencl() ? "out" : "out_data");
    return text;
}

/* The reported bug: 17 parameters were refused with "has 16 parameters". */
START_TEST(a_kernel_with_seventeen_parameters_runs)
{
    zcs_context *context = zcs_test_context();
    const uint32_t count = 64;
    char *source = sum_kernel_source("seventeen", 9, 8);
    zcs_program *program = NULL;
    zcs_kernel *kernel = NULL;
    ZCS_CK(zcs_program_create_from_source(context, source, 0, NULL, &program));
    ZCS_CK(zcs_kernel_create(program, "seventeen", &kernel));
    zcs_array *in = zcs_test_indexed_u32(context, count);
    zcs_array *out = NULL;
    ZCS_CK(zcs_array_create(context, sizeof(uint32_t), count, 0, &out));
    ZCS_CK(zcs_kernel_set_array(kernel, 0, out));
    for (uint32_t a = 1; a <= 8; a++)
        ZCS_CK(zcs_kernel_set_array(kernel, a, in));
    for (uint32_t v = 0; v < 8; v++) {
        uint32_t value = v + 1; /* 1 + ... + 8 = 36 */
        ZCS_CK(zcs_kernel_set_value(kernel, 9 + v, sizeof value, &value));
    }
    /* Index 17 is past the 17 parameters, and the message says so. */
    uint32_t value = 0;
    ZCS_CK_STATUS(zcs_kernel_set_value(kernel, 17, sizeof value, &value),
                  ZCS_ERROR_KERNEL_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(zcs_last_error(), "has 17 parameters"));
    const size_t global = count;
    const size_t local = 64;
    ZCS_CK(zcs_dispatch(kernel, 1, &global, &local));
    uint32_t *sums = NULL;
    ZCS_CK(zcs_array_map(out, ZCS_MAP_READ, (void **)&sums));
    for (uint32_t i = 0; i < count; i++)
        ck_assert_uint_eq(sums[i], 8 * i + 36);
    ZCS_CK(zcs_array_unmap(out));
    zcs_kernel_destroy(kernel);
    zcs_program_destroy(program);
    free(source);
    ZCS_CK(zcs_array_destroy(in));
    ZCS_CK(zcs_array_destroy(out));
    zcs_test_context_destroy(context);
}
END_TEST

/* A kernel over a device limit is refused at creation, naming the limit. */
START_TEST(a_kernel_over_a_device_limit_is_refused_by_name)
{
    zcs_context *context = zcs_test_context();
    zcs_context_info info;
    ZCS_CK(zcs_context_info_get(context, &info));
    uint64_t limit = info.limits.max_parameter_bytes;
    ck_assert_uint_gt(limit, 0);
    /* OpenCL: pointers of 8 bytes over CL_DEVICE_MAX_PARAMETER_SIZE; Vulkan: 4-byte values
       over maxPushConstantsSize. */
    unsigned arrays = is_opencl() ? (unsigned)(limit / 8 + 1) : 1;
    unsigned values = is_opencl() ? 0 : (unsigned)(limit / 4 + 1);
    char *source = sum_kernel_source("too_many", arrays, values);
    zcs_program *program = NULL;
    zcs_kernel *kernel = NULL;
    ZCS_CK(zcs_program_create_from_source(context, source, 0, NULL, &program));
    ZCS_CK_STATUS(zcs_kernel_create(program, "too_many", &kernel), ZCS_ERROR_KERNEL_ARGUMENT);
    const char *name = is_opencl() ? "CL_DEVICE_MAX_PARAMETER_SIZE" : "maxPushConstantsSize";
    ck_assert_msg(strstr(zcs_last_error(), name) != NULL, "message without %s: %s", name,
                  zcs_last_error());
    ck_assert_ptr_null(kernel);
    zcs_program_destroy(program);
    free(source);
    zcs_test_context_destroy(context);
}
END_TEST

/* A reduction with a local memory argument: per work group, the sum of its elements. */
static const char block_sum_cl[] =
    "kernel void block_sum(global const uint *in, global uint *out, local uint *scratch)\n"
    "{\n"
    "    size_t l = get_local_id(0);\n"
    "    scratch[l] = in[get_global_id(0)];\n"
    "    barrier(CLK_LOCAL_MEM_FENCE);\n"
    "    for (size_t s = get_local_size(0) / 2; s > 0; s /= 2) {\n"
    "        if (l < s)\n"
    "            scratch[l] += scratch[l + s];\n"
    "        barrier(CLK_LOCAL_MEM_FENCE);\n"
    "    }\n"
    "    if (l == 0)\n"
    "        out[get_group_id(0)] = scratch[0];\n"
    "}\n";

static const char block_sum_glsl[] =
    "#version 450\n"
    "#pragma zcs_kernel(block_sum)\n"
    "layout(local_size_x_id = 0) in;\n"
    "layout(std430, binding = 0) readonly buffer In { uint in_data[]; };\n"
    "layout(std430, binding = 1) buffer Out { uint out_data[]; };\n"
    "layout(constant_id = 1026) const uint SCRATCH_BYTES = 4;\n" /* ZCS_LOCAL_SPEC_ID(2) */
    "shared uint scratch[SCRATCH_BYTES / 4];\n"
    "void main()\n"
    "{\n"
    "    uint l = gl_LocalInvocationID.x;\n"
    "    scratch[l] = in_data[gl_GlobalInvocationID.x];\n"
    "    barrier();\n"
    "    for (uint s = gl_WorkGroupSize.x / 2; s > 0; s /= 2) {\n"
    "        if (l < s)\n"
    "            scratch[l] += scratch[l + s];\n"
    "        barrier();\n"
    "    }\n"
    "    if (l == 0)\n"
    "        out_data[gl_WorkGroupID.x] = scratch[0];\n"
    "}\n";

START_TEST(local_memory_arguments_are_sized_at_dispatch)
{
    zcs_context *context = zcs_test_context();
    zcs_context_info info;
    ZCS_CK(zcs_context_info_get(context, &info));
    const uint32_t count = 256;
    zcs_program *program = NULL;
    zcs_kernel *kernel = NULL;
    ZCS_CK(zcs_program_create_from_source(context, is_opencl() ? block_sum_cl : block_sum_glsl, 0,
                                          NULL, &program));
    ZCS_CK(zcs_kernel_create(program, "block_sum", &kernel));
    zcs_array *in = zcs_test_indexed_u32(context, count);
    zcs_array *out = NULL;
    ZCS_CK(zcs_array_create(context, sizeof(uint32_t), count, 0, &out));
    ZCS_CK(zcs_kernel_set_array(kernel, 0, in));
    ZCS_CK(zcs_kernel_set_array(kernel, 1, out));

    /* Each kind through its own call, and the messages point to the right one. */
    ZCS_CK_STATUS(zcs_kernel_set_value(kernel, 2, 256, NULL), ZCS_ERROR_KERNEL_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(zcs_last_error(), "zcs_kernel_set_local"));
    ZCS_CK_STATUS(zcs_kernel_set_array(kernel, 2, in), ZCS_ERROR_KERNEL_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(zcs_last_error(), "local memory"));
    ZCS_CK_STATUS(zcs_kernel_set_local(kernel, 0, 256), ZCS_ERROR_KERNEL_ARGUMENT);
    ZCS_CK_STATUS(zcs_kernel_set_local(kernel, 3, 256), ZCS_ERROR_KERNEL_ARGUMENT);
    ZCS_CK_STATUS(zcs_kernel_set_local(kernel, 2, 0), ZCS_ERROR_ZERO_SIZE);
    ZCS_CK_STATUS(zcs_kernel_set_local(kernel, 2, (size_t)info.limits.local_memory_size + 1),
                  ZCS_ERROR_INVALID_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(zcs_last_error(), "local_memory_size"));
    ZCS_CK_STATUS(zcs_kernel_set_local(NULL, 2, 256), ZCS_ERROR_NULL_HANDLE);
    /* Unset: the dispatch says so. */
    const size_t global = count;
    size_t local = 64;
    ZCS_CK_STATUS(zcs_dispatch(kernel, 1, &global, &local), ZCS_ERROR_KERNEL_ARGUMENT);

    /* Two work-group sizes, each with its own local memory size. */
    for (int round = 0; round < 2; round++) {
        local = round == 0 ? 64 : 32;
        ZCS_CK(zcs_kernel_set_local(kernel, 2, local * sizeof(uint32_t)));
        ZCS_CK(zcs_dispatch(kernel, 1, &global, &local));
        uint32_t *sums = NULL;
        ZCS_CK(zcs_array_map(out, ZCS_MAP_READ, (void **)&sums));
        for (uint32_t g = 0; g < count / local; g++) {
            uint32_t first = g * (uint32_t)local;
            uint32_t last = first + (uint32_t)local - 1;
            ck_assert_uint_eq(sums[g], (first + last) * (uint32_t)local / 2);
        }
        ZCS_CK(zcs_array_unmap(out));
    }
    zcs_kernel_destroy(kernel);
    zcs_program_destroy(program);
    ZCS_CK(zcs_array_destroy(in));
    ZCS_CK(zcs_array_destroy(out));
    zcs_test_context_destroy(context);
}
END_TEST

/* The same host code finds the kernel by its own name, from source and from a file whose
   stem is another name, on both backends. */
START_TEST(a_kernel_answers_to_its_own_name_from_source_and_file)
{
    zcs_context *context = zcs_test_context();
    const uint32_t count = 32;
    const char *relative = is_opencl() ? "tests/kernels/doubled.cl" : "tests/kernels/doubled.comp";
    char *source = zcs_test_read_source(relative);
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", ZCS_TEST_SOURCE_DIR, relative);
    zcs_array *data = zcs_test_indexed_u32(context, count);
    for (int from_file = 0; from_file < 2; from_file++) {
        zcs_program *program = NULL;
        zcs_kernel *kernel = NULL;
        if (from_file)
            ZCS_CK(zcs_program_create_from_file(context, path, NULL, &program));
        else
            ZCS_CK(zcs_program_create_from_source(context, source, 0, NULL, &program));
        ZCS_CK(zcs_kernel_create(program, "double_values", &kernel));
        ZCS_CK(zcs_kernel_set_array(kernel, 0, data));
        const size_t global = count;
        ZCS_CK(zcs_dispatch(kernel, 1, &global, NULL));
        zcs_kernel_destroy(kernel);
        zcs_program_destroy(program);
    }
    uint32_t *values = NULL;
    ZCS_CK(zcs_array_map(data, ZCS_MAP_READ, (void **)&values));
    for (uint32_t i = 0; i < count; i++)
        ck_assert_uint_eq(values[i], i * 4);
    ZCS_CK(zcs_array_unmap(data));
    ZCS_CK(zcs_array_destroy(data));
    free(source);
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(a_malformed_kernel_name_pragma_is_refused)
{
    if (is_opencl())
        return; /* the pragma is GLSL's */
    zcs_context *context = zcs_test_context();
    static const char source[] = "#version 450\n#pragma zcs_kernel(9lives\n"
                                 "layout(local_size_x = 1) in;\nvoid main() {}\n";
    zcs_program *program = NULL;
    ZCS_CK_STATUS(zcs_program_create_from_source(context, source, 0, NULL, &program),
                  ZCS_ERROR_BUILD);
    ck_assert_ptr_nonnull(strstr(zcs_last_error(), "#pragma zcs_kernel"));
    zcs_test_context_destroy(context);
}
END_TEST

static Suite *kernel_args_suite(void)
{
    Suite *suite = suite_create("kernel_args");
    TCase *tc = tcase_create("kernel_args");
    tcase_add_test(tc, a_kernel_with_seventeen_parameters_runs);
    tcase_add_test(tc, a_kernel_over_a_device_limit_is_refused_by_name);
    tcase_add_test(tc, local_memory_arguments_are_sized_at_dispatch);
    tcase_add_test(tc, a_kernel_answers_to_its_own_name_from_source_and_file);
    tcase_add_test(tc, a_malformed_kernel_name_pragma_is_refused);
    suite_add_tcase(suite, tc);
    return suite;
}

int main(void)
{
    return zcs_test_run(kernel_args_suite());
}
