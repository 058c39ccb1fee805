/* Grid semantics: both backends run exactly the global size, with or without a local
   size that divides it, in one to three dimensions (issue 13). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "support/zcs_test.h"

/* No bounds check: a work item past the grid would write past the array, which the
   validation mode's guards report. */
static const char touch_cl[] = "kernel void touch(global uint *data, uint nx, uint ny)\n"
                               "{\n"
                               "    size_t x = get_global_id(0);\n"
                               "    size_t y = get_global_id(1);\n"
                               "    size_t z = get_global_id(2);\n"
                               "    data[(z * ny + y) * nx + x] += 1u;\n"
                               "}\n";

static const char touch_glsl[] =
    "#version 450\n"
    "#pragma zcs_kernel(touch)\n"
    "layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;\n"
    "layout(std430, binding = 0) buffer Data { uint data[]; };\n"
    "layout(push_constant, std430) uniform Args { uint nx; uint ny; } args;\n"
    "void main()\n"
    "{\n"
    "    uvec3 g = gl_GlobalInvocationID;\n"
    "    data[(g.z * args.ny + g.y) * args.nx + g.x] += 1u;\n"
    "}\n";

static zcs_context *validating_context(void)
{
    zcs_context_desc desc = {0};
    desc.flags = ZCS_CONTEXT_VALIDATE;
    zcs_context *context = NULL;
    ZCS_CK(zcs_context_create(&desc, &context));
    return context;
}

/* Every element of `array` (count) equals `expected`. */
static void expect_all(zcs_array *array, size_t count, uint32_t expected, const char *what)
{
    uint32_t *values = NULL;
    ZCS_CK(zcs_array_map(array, ZCS_MAP_READ_WRITE, (void **)&values));
    for (size_t i = 0; i < count; i++)
        ck_assert_msg(values[i] == expected, "%s: element %zu is %u, expected %u", what, i,
                      values[i], expected);
    memset(values, 0, count * sizeof *values);
    ZCS_CK(zcs_array_unmap(array));
}

/* A new array of `count` zeros (validation mode fills new arrays with a pattern). */
static zcs_array *zeros(zcs_context *context, size_t count)
{
    zcs_array *array = NULL;
    ZCS_CK(zcs_array_create(context, sizeof(uint32_t), count, 0, &array));
    uint32_t *values = NULL;
    ZCS_CK(zcs_array_map(array, ZCS_MAP_WRITE_DISCARD, (void **)&values));
    memset(values, 0, count * sizeof *values);
    ZCS_CK(zcs_array_unmap(array));
    return array;
}

/* The local size tried for each grid besides none: one that divides no dimension of
   100 x 7 x 3, so every dimension has whole groups and a remainder. (Few: PoCL compiles a
   kernel per work-group size.) */
static const size_t local_sizes[3][3] = {{64, 1, 1}, {16, 2, 1}, {8, 2, 2}};

START_TEST(a_kernel_without_bounds_checks_runs_each_work_item_once)
{
    zcs_context *context = validating_context();
    const size_t full[3] = {100, 7, 3};
    zcs_array *data = zeros(context, full[0] * full[1] * full[2]);
    zcs_program *program = NULL;
    zcs_kernel *kernel = NULL;
    ZCS_CK(zcs_program_create_from_source(
        context, zcs_test_backend() == ZCS_BACKEND_OPENCL ? touch_cl : touch_glsl, 0, NULL,
        &program));
    ZCS_CK(zcs_kernel_create(program, "touch", &kernel));
    ZCS_CK(zcs_kernel_set_array(kernel, 0, data));
    for (uint32_t dims = 1; dims <= 3; dims++) {
        size_t count = 1;
        for (uint32_t d = 0; d < dims; d++)
            count *= full[d];
        uint32_t nx = (uint32_t)full[0];
        uint32_t ny = dims >= 2 ? (uint32_t)full[1] : 1;
        ZCS_CK(zcs_kernel_set_value(kernel, 1, sizeof nx, &nx));
        ZCS_CK(zcs_kernel_set_value(kernel, 2, sizeof ny, &ny));
        for (int choice = 0; choice < 2; choice++) {
            const size_t *local = choice == 0 ? NULL : local_sizes[dims - 1];
            ZCS_CK(zcs_dispatch(kernel, dims, full, local));
            ZCS_CK(zcs_finish(context)); /* the guards: nothing past the end */
            char what[96];
            snprintf(what, sizeof what, "dims %u, local size %s%zux%zux%zu", dims,
                     local == NULL ? "none " : "", local != NULL ? local[0] : 0,
                     local != NULL ? local[1] : 0, local != NULL ? local[2] : 0);
            expect_all(data, count, 1, what);
        }
    }
    zcs_kernel_destroy(kernel);
    zcs_program_destroy(program);
    ZCS_CK(zcs_array_destroy(data));
    zcs_test_context_destroy(context);
}
END_TEST

/* The builtin reads only its x index: a grid of 100 x 1 x 1 increments each element once
   in every dimension count, with or without a local size. */
START_TEST(the_builtin_increment_runs_once_per_element_in_every_dimension_count)
{
    zcs_context *context = validating_context();
    const uint32_t count = 100;
    zcs_array *data = zeros(context, count);
    zcs_program *program = NULL;
    zcs_kernel *kernel = zcs_test_builtin_kernel(context, "increment_u32", &program);
    zcs_test_set_increment_args(kernel, data, count, 1);
    const size_t global[3] = {count, 1, 1};
    const size_t local[3] = {64, 1, 1};
    for (uint32_t dims = 1; dims <= 3; dims++) {
        for (int choice = 0; choice < 2; choice++) {
            ZCS_CK(zcs_dispatch(kernel, dims, global, choice == 0 ? NULL : local));
            ZCS_CK(zcs_finish(context));
            char what[64];
            snprintf(what, sizeof what, "increment_u32, dims %u, local choice %d", dims, choice);
            expect_all(data, count, 1, what);
        }
    }
    zcs_kernel_destroy(kernel);
    zcs_program_destroy(program);
    ZCS_CK(zcs_array_destroy(data));
    zcs_test_context_destroy(context);
}
END_TEST

static Suite *grid_suite(void)
{
    Suite *suite = suite_create("grid");
    TCase *tc = tcase_create("grid");
    tcase_add_test(tc, a_kernel_without_bounds_checks_runs_each_work_item_once);
    tcase_add_test(tc, the_builtin_increment_runs_once_per_element_in_every_dimension_count);
    suite_add_tcase(suite, tc);
    return suite;
}

int main(void)
{
    return zcs_test_run(grid_suite());
}
