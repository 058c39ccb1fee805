/*
 * #include in kernels built at run time, and build logs that name the user's files:
 * "zcs/layout.h" always resolves to the library's own copy, other headers are found
 * next to a kernel file and in the -I directories of the build options, on both
 * backends; a compiler error names the file and line it lies in.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/triple.h"
#include "support/zcs_test.h"

static int is_opencl(void)
{
    return zcs_test_backend() == ZCS_BACKEND_OPENCL;
}

/* Run kernel "triple" of `program` over 100 items and check every result. */
static void expect_triple(zcs_context *context, zcs_program *program, const char *name)
{
    enum { COUNT = 100 };
    zcs_kernel *kernel = NULL;
    zcs_array *buffer = NULL;
    inc_item *items = NULL;
    ZCS_CK(zcs_kernel_create(program, name, &kernel));
    ZCS_CK(ZCS_ARRAY_CREATE(context, inc_item, COUNT, 0, &buffer));
    ZCS_CK(zcs_array_map(buffer, ZCS_MAP_WRITE_DISCARD, (void **)&items));
    for (uint32_t i = 0; i < COUNT; i++) {
        items[i].value = i + 7;
        items[i].result = 0;
    }
    ZCS_CK(zcs_array_unmap(buffer));
    uint32_t count = COUNT;
    ZCS_CK(zcs_kernel_set_array(kernel, 0, buffer));
    ZCS_CK(zcs_kernel_set_value(kernel, 1, sizeof count, &count));
    size_t global = COUNT;
    ZCS_CK(zcs_dispatch(kernel, 1, &global, NULL));
    ZCS_CK(zcs_array_map(buffer, ZCS_MAP_READ, (void **)&items));
    uint32_t wrong = 0;
    for (uint32_t i = 0; i < COUNT; i++)
        wrong += items[i].result != (i + 7) * INC_FACTOR;
    ZCS_CK(zcs_array_unmap(buffer));
    ck_assert_uint_eq(wrong, 0);
    ZCS_CK(zcs_array_destroy(buffer));
    zcs_kernel_destroy(kernel);
}

static const char triple_source_opencl[] =
    "#include \"zcs/layout.h\"\n"
    "#include \"triple.h\"\n"
    "kernel void triple(global inc_item *items, uint count)\n"
    "{\n"
    "    uint i = (uint)get_global_id(0);\n"
    "    if (i < count)\n"
    "        items[i].result = items[i].value * INC_FACTOR;\n"
    "}\n";

static const char triple_source_glsl[] =
    "#version 450\n"
    "#include <zcs/layout.h>\n"
    "#include <triple.h>\n"
    "layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;\n"
    "layout(std430, set = 0, binding = 0) buffer Items { inc_item items[]; };\n"
    "layout(push_constant, std430) uniform Args { uint count; } args;\n"
    "void main()\n"
    "{\n"
    "    uint i = gl_GlobalInvocationID.x;\n"
    "    if (i < args.count)\n"
    "        items[i].result = items[i].value * INC_FACTOR;\n"
    "}\n";

START_TEST(source_includes_layout_h_and_a_header_through_I)
{
    /* Before: OpenCL could not find zcs/layout.h; Vulkan refused -I and #include. */
    zcs_context *context = zcs_test_context();
    char options[1024];
    snprintf(options, sizeof options, "-DUNUSED=1 -I %s/tests/kernels", ZCS_TEST_SOURCE_DIR);
    zcs_program *program = NULL;
    ZCS_CK(zcs_program_create_from_source(
        context, is_opencl() ? triple_source_opencl : triple_source_glsl, 0, options, &program));
    expect_triple(context, program, is_opencl() ? "triple" : "main");
    zcs_program_destroy(program);

    /* -Idir, one word, works too. */
    snprintf(options, sizeof options, "-I%s/tests/kernels", ZCS_TEST_SOURCE_DIR);
    ZCS_CK(zcs_program_create_from_source(
        context, is_opencl() ? triple_source_opencl : triple_source_glsl, 0, options, &program));
    zcs_program_destroy(program);
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(file_includes_the_header_next_to_it)
{
    zcs_context *context = zcs_test_context();
    char path[1024];
    snprintf(path, sizeof path, "%s/tests/kernels/triple.%s", ZCS_TEST_SOURCE_DIR,
             is_opencl() ? "cl" : "comp");
    zcs_program *program = NULL;
    ZCS_CK(zcs_program_create_from_file(context, path, NULL, &program));
    expect_triple(context, program, "triple");
    zcs_program_destroy(program);
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(missing_header_is_a_build_error_naming_it)
{
    zcs_context *context = zcs_test_context();
    const char *source = is_opencl() ? "#include \"no_such_header.h\"\nkernel void k(void) {}\n"
                                     : "#version 450\n#include \"no_such_header.h\"\n"
                                       "void main() {}\n";
    zcs_program *program = NULL;
    ZCS_CK_STATUS(zcs_program_create_from_source(context, source, 0, NULL, &program),
                  ZCS_ERROR_BUILD);
    ck_assert_msg(strstr(zcs_last_error(), "no_such_header.h") != NULL, "%s", zcs_last_error());
    /* -I with no directory */
    ZCS_CK_STATUS(zcs_program_create_from_source(context, source, 0, "-I", &program),
                  ZCS_ERROR_BUILD);
    ck_assert_ptr_null(program);
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(errors_name_the_users_file_and_line)
{
    zcs_context *context = zcs_test_context();
    char path[1024];
    zcs_program *program = NULL;
    /* A kernel file: the log names it and the line. Before, OpenCL named "<source>". */
    snprintf(path, sizeof path, "%s/tests/kernels/broken.%s", ZCS_TEST_SOURCE_DIR,
             is_opencl() ? "cl" : "comp");
    ZCS_CK_STATUS(zcs_program_create_from_file(context, path, NULL, &program), ZCS_ERROR_BUILD);
    char expected[1100];
    snprintf(expected, sizeof expected, "broken.%s:5", is_opencl() ? "cl" : "comp");
    ck_assert_msg(strstr(zcs_last_error(), expected) != NULL, "\"%s\" not in: %s", expected,
                  zcs_last_error());

    /* An error in an included header names the header. */
    char options[1024];
    snprintf(options, sizeof options, "-I %s/tests/kernels", ZCS_TEST_SOURCE_DIR);
    const char *source = is_opencl() ? "#include \"broken_header.h\"\nkernel void k(void) {}\n"
                                     : "#version 450\n#include \"broken_header.h\"\n"
                                       "void main() {}\n";
    ZCS_CK_STATUS(zcs_program_create_from_source(context, source, 0, options, &program),
                  ZCS_ERROR_BUILD);
    ck_assert_msg(strstr(zcs_last_error(), "broken_header.h:3") != NULL, "%s", zcs_last_error());
    zcs_test_context_destroy(context);
}
END_TEST

static Suite *includes_suite(void)
{
    Suite *suite = suite_create("includes");
    TCase *includes = tcase_create("includes");
    tcase_add_test(includes, source_includes_layout_h_and_a_header_through_I);
    tcase_add_test(includes, file_includes_the_header_next_to_it);
    tcase_add_test(includes, missing_header_is_a_build_error_naming_it);
    tcase_add_test(includes, errors_name_the_users_file_and_line);
    suite_add_tcase(suite, includes);
    return suite;
}

int main(void)
{
    return zcs_test_run(includes_suite());
}
