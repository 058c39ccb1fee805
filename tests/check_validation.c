/* Validation mode: misuse that coherent CPU devices would hide is caught and named. */
#include <malloc.h>
#include <stdint.h>
#include <string.h>

#include <zcs/struct_check.h>

#include "core/handles.h"
#include "support/zcs_test.h"

static zcs_context *validating_context(void)
{
    zcs_context_desc desc = {0};
    desc.flags = ZCS_CONTEXT_VALIDATE;
    zcs_context *context = NULL;
    ZCS_CK(zcs_context_create(&desc, &context));
    return context;
}

START_TEST(write_past_the_end_is_reported_with_its_offset)
{
    zcs_context *context = validating_context();
    zcs_array *buffer = NULL;
    uint32_t *data = NULL;
    ZCS_CK(zcs_array_create(context, sizeof(uint32_t), 100, 0, &buffer));
    ZCS_CK(zcs_array_map(buffer, ZCS_MAP_WRITE_DISCARD, (void **)&data));
    for (int i = 0; i < 100; i++)
        data[i] = (uint32_t)i;
    data[100] = 0xdead; /* one element too far: bytes 400..403 */
    ZCS_CK_STATUS(zcs_array_unmap(buffer), ZCS_ERROR_GUARD_CORRUPTED);
    ck_assert_ptr_nonnull(strstr(zcs_last_error(), "byte 400"));
    /* The data inside the range still arrived, and the array is unmapped and usable. */
    ZCS_CK(zcs_array_map(buffer, ZCS_MAP_READ, (void **)&data));
    for (int i = 0; i < 100; i++)
        ck_assert_uint_eq(data[i], (uint32_t)i);
    ZCS_CK(zcs_array_unmap(buffer));
    ZCS_CK(zcs_array_destroy(buffer));
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(write_before_the_start_is_reported)
{
    zcs_context *context = validating_context();
    zcs_array *buffer = NULL;
    unsigned char *data = NULL;
    ZCS_CK(zcs_array_create(context, 16, 10, 0, &buffer));
    ZCS_CK(zcs_array_map_range(buffer, ZCS_MAP_READ_WRITE, 2, 3, (void **)&data));
    data[-1] = 0;
    ZCS_CK_STATUS(zcs_array_unmap(buffer), ZCS_ERROR_GUARD_CORRUPTED);
    ck_assert_ptr_nonnull(strstr(zcs_last_error(), "byte -1"));
    ck_assert_ptr_nonnull(strstr(zcs_last_error(), "[32, 80)"));
    ZCS_CK(zcs_array_destroy(buffer));
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(map_hands_out_a_shadow_that_reaches_the_array_only_at_unmap)
{
    zcs_context *context = validating_context();
    zcs_array *buffer = NULL;
    uint32_t *first = NULL;
    uint32_t *second = NULL;
    ZCS_CK(zcs_array_create(context, sizeof(uint32_t), 64, 0, &buffer));
    ZCS_CK(zcs_array_map(buffer, ZCS_MAP_WRITE_DISCARD, (void **)&first));
    memset(first, 0, 64 * sizeof(uint32_t));
    ZCS_CK(zcs_array_unmap(buffer));
    /* A read-only map writes nothing back, whatever the host did to the shadow. */
    ZCS_CK(zcs_array_map(buffer, ZCS_MAP_READ, (void **)&second));
    ck_assert_uint_eq(second[5], 0);
    second[5] = 99;
    ZCS_CK(zcs_array_unmap(buffer));
    ZCS_CK(zcs_array_map(buffer, ZCS_MAP_READ, (void **)&second));
    ck_assert_uint_eq(second[5], 0);
    ZCS_CK(zcs_array_unmap(buffer));
    ZCS_CK(zcs_array_destroy(buffer));
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(discarded_ranges_start_poisoned)
{
    zcs_context *context = validating_context();
    zcs_array *buffer = NULL;
    unsigned char *data = NULL;
    ZCS_CK(zcs_array_create(context, 1, 256, 0, &buffer));
    ZCS_CK(zcs_array_map(buffer, ZCS_MAP_WRITE_DISCARD, (void **)&data));
    /* Whatever the array held, a discard map shows a pattern, not stale contents. */
    for (int i = 0; i < 256; i++)
        ck_assert_uint_eq(data[i], 0xCD);
    memset(data, 1, 256);
    ZCS_CK(zcs_array_unmap(buffer));
    ZCS_CK(zcs_array_destroy(buffer));
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(kernels_see_what_was_written_through_the_shadow)
{
    zcs_context *context = validating_context();
    zcs_array *buffer = NULL;
    uint32_t *data = NULL;
    const uint32_t count = 500;
    const uint32_t amount = 3;
    ZCS_CK(zcs_array_create(context, sizeof(uint32_t), count, 0, &buffer));
    ZCS_CK(zcs_array_map(buffer, ZCS_MAP_WRITE_DISCARD, (void **)&data));
    for (uint32_t i = 0; i < count; i++)
        data[i] = i;
    ZCS_CK(zcs_array_unmap(buffer));
    zcs_program *program = NULL;
    zcs_kernel *kernel = NULL;
    kernel = zcs_test_increment_kernel(context, buffer, count, amount, &program);
    size_t global = count;
    ZCS_CK(zcs_dispatch(kernel, 1, &global, NULL));
    zcs_test_expect_indexed(buffer, count, amount);
    zcs_kernel_destroy(kernel);
    zcs_program_destroy(program);
    ZCS_CK(zcs_array_destroy(buffer));
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(forged_and_stale_handles_are_refused)
{
    zcs_context *context = zcs_test_context();
    zcs_array *buffer = NULL;
    void *ptr = NULL;
    /* A pointer zcs never handed out is never read. */
    static unsigned char forged[512];
    memset(forged, 0x5a, sizeof forged);
    ZCS_CK_STATUS(zcs_array_map((zcs_array *)(void *)forged, ZCS_MAP_READ, &ptr),
                  ZCS_ERROR_INVALID_HANDLE);
    ZCS_CK_STATUS(zcs_array_destroy((zcs_array *)(void *)forged), ZCS_ERROR_INVALID_HANDLE);
    ZCS_CK_STATUS(zcs_finish((zcs_context *)(void *)forged), ZCS_ERROR_INVALID_HANDLE);
    zcs_kernel_destroy((zcs_kernel *)(void *)forged);
    zcs_context_destroy((zcs_context *)(void *)forged);
    /* Double free and use after free. */
    ZCS_CK(zcs_array_create(context, 4, 16, 0, &buffer));
    ZCS_CK(zcs_array_destroy(buffer));
    ZCS_CK_STATUS(zcs_array_destroy(buffer), ZCS_ERROR_INVALID_HANDLE);
    ZCS_CK_STATUS(zcs_array_map(buffer, ZCS_MAP_READ, &ptr), ZCS_ERROR_INVALID_HANDLE);
    ZCS_CK_STATUS(zcs_array_unmap(buffer), ZCS_ERROR_INVALID_HANDLE);
    ck_assert_uint_eq(zcs_array_size(buffer), 0);
    ck_assert_ptr_null(ptr);
    zcs_test_context_destroy(context);
    /* Every handle is gone with the only context, and a destroyed context is refused too. */
    ck_assert_uint_eq(zcs__handle_count(), 0);
    ZCS_CK_STATUS(zcs_finish(context), ZCS_ERROR_INVALID_HANDLE);
    ZCS_CK_STATUS(zcs_array_create(context, 4, 4, 0, &buffer), ZCS_ERROR_INVALID_HANDLE);
}
END_TEST

START_TEST(validation_never_reuses_a_freed_handle)
{
    /* In validation mode a freed array's address is not handed out again while its context
       lives, so a stale handle is refused even after many new allocations. */
    zcs_context *context = validating_context();
    zcs_array *stale = NULL;
    ZCS_CK(zcs_array_create(context, 4, 16, 0, &stale));
    ZCS_CK(zcs_array_destroy(stale));
    static zcs_array *fresh[256];
    for (int i = 0; i < 256; i++) {
        ZCS_CK(zcs_array_create(context, 4, 16, 0, &fresh[i]));
        ck_assert_ptr_ne(fresh[i], stale);
    }
    ZCS_CK_STATUS(zcs_array_destroy(stale), ZCS_ERROR_INVALID_HANDLE);
    for (int i = 0; i < 256; i++)
        ZCS_CK(zcs_array_destroy(fresh[i]));
    zcs_test_context_destroy(context);
}
END_TEST

/*
 * A kernel that writes one element at index `where`, which may lie outside the array.
 * OpenCL: through a global pointer. Vulkan: through the array's device address where it
 * has one (writes through an address are not bounds-checked, as writes through a
 * descriptor may be), else through a storage-buffer descriptor.
 */
static const char overrun_opencl[] = "kernel void overrun(global uint *data, int where)\n"
                                     "{\n"
                                     "    if (get_global_id(0) == 0)\n"
                                     "        data[where] = 0xdeadbeefu;\n"
                                     "}\n";
static const char overrun_glsl_address[] =
    "#version 450\n"
    "#extension GL_EXT_buffer_reference : require\n"
    "#extension GL_EXT_shader_explicit_arithmetic_types_int64 : require\n"
    "layout(buffer_reference, std430, buffer_reference_align = 4) buffer word { uint value; };\n"
    "layout(local_size_x_id = 0) in;\n"
    "layout(push_constant) uniform Args { uint64_t data; int where; };\n"
    "void main()\n"
    "{\n"
    "    if (gl_GlobalInvocationID.x == 0u)\n"
    "        word(data + uint64_t(int64_t(where) * 4l)).value = 0xdeadbeefu;\n"
    "}\n";
static const char overrun_glsl_descriptor[] =
    "#version 450\n"
    "layout(local_size_x_id = 0) in;\n"
    "layout(std430, set = 0, binding = 0) buffer Data { uint data[]; };\n"
    "layout(push_constant) uniform Args { int where; };\n"
    "void main()\n"
    "{\n"
    "    if (gl_GlobalInvocationID.x == 0u)\n"
    "        data[where] = 0xdeadbeefu;\n"
    "}\n";

/* Run the overrun kernel on a validating context's 100-element array, then expect the
   call `check` names (0: zcs_array_map, 1: zcs_finish, 2: zcs_array_destroy) to report it. */
static void expect_kernel_overrun_caught(int32_t where, int check, const char *offset_text)
{
    zcs_context *context = validating_context();
    zcs_array *buffer = NULL;
    uint32_t *data = NULL;
    ZCS_CK(zcs_array_create(context, sizeof(uint32_t), 100, 0, &buffer));
    ZCS_CK(zcs_array_map(buffer, ZCS_MAP_WRITE_DISCARD, (void **)&data));
    memset(data, 0, 100 * sizeof(uint32_t));
    ZCS_CK(zcs_array_unmap(buffer));
    int opencl = zcs_test_backend() == ZCS_BACKEND_OPENCL;
    uint64_t address = 0;
    int by_address = !opencl && zcs_array_device_address(buffer, &address) == ZCS_SUCCESS;
    const char *source = opencl       ? overrun_opencl
                         : by_address ? overrun_glsl_address
                                      : overrun_glsl_descriptor;
    zcs_program *program = NULL;
    zcs_kernel *kernel = NULL;
    ZCS_CK(zcs_program_create_from_source(context, source, 0, NULL, &program));
    ZCS_CK(zcs_kernel_create(program, opencl ? "overrun" : "main", &kernel));
    if (by_address) {
        ZCS_CK(zcs_kernel_set_value(kernel, 0, sizeof address, &address));
        ZCS_CK(zcs_kernel_set_indirect(kernel, &buffer, 1));
    } else {
        ZCS_CK(zcs_kernel_set_array(kernel, 0, buffer));
    }
    ZCS_CK(zcs_kernel_set_value(kernel, 1, sizeof where, &where));
    size_t global = 1;
    ZCS_CK(zcs_dispatch(kernel, 1, &global, NULL));
    /* Through a Vulkan descriptor the device may discard the write instead (lavapipe and
       NVIDIA bounds-check storage buffers): nothing is corrupted, the guards stay quiet. */
    int may_discard = !opencl && !by_address;
    zcs_status status = ZCS_SUCCESS;
    if (check == 0) {
        status = zcs_array_map(buffer, ZCS_MAP_READ, (void **)&data);
        if (status == ZCS_SUCCESS)
            ZCS_CK(zcs_array_unmap(buffer));
    } else if (check == 1) {
        status = zcs_finish(context);
    }
    int caught = status == ZCS_ERROR_GUARD_CORRUPTED;
    if (check != 2) {
        ck_assert_msg(caught || (may_discard && status == ZCS_SUCCESS),
                      "the overrun was not caught: %s (%s)", zcs_status_name(status),
                      zcs_last_error());
        ck_assert_msg(!caught || strstr(zcs_last_error(), offset_text) != NULL, "no \"%s\" in: %s",
                      offset_text, zcs_last_error());
        /* Reported once: the guards are restored, and the array is fine otherwise. */
        ZCS_CK(zcs_array_map(buffer, ZCS_MAP_READ, (void **)&data));
        ck_assert_uint_eq(data[99], 0);
        ZCS_CK(zcs_array_unmap(buffer));
    }
    zcs_kernel_destroy(kernel);
    zcs_program_destroy(program);
    if (check == 2) {
        status = zcs_array_destroy(buffer);
        ck_assert_msg(status == ZCS_ERROR_GUARD_CORRUPTED || (may_discard && status == ZCS_SUCCESS),
                      "the overrun was not caught: %s (%s)", zcs_status_name(status),
                      zcs_last_error());
        ck_assert_msg(status != ZCS_ERROR_GUARD_CORRUPTED ||
                          strstr(zcs_last_error(), offset_text) != NULL,
                      "no \"%s\" in: %s", offset_text, zcs_last_error());
    } else {
        ZCS_CK(zcs_array_destroy(buffer));
    }
    zcs_test_context_destroy(context);
}

START_TEST(kernel_write_past_the_end_is_caught_at_map)
{
    expect_kernel_overrun_caught(100, 0, "byte 400");
}
END_TEST

START_TEST(kernel_write_before_the_start_is_caught_at_finish)
{
    expect_kernel_overrun_caught(-1, 1, "byte -1");
}
END_TEST

START_TEST(kernel_overrun_is_caught_at_free)
{
    expect_kernel_overrun_caught(103, 2, "byte 412");
}
END_TEST

/* Issue 10, case 8: validation mode keeps no freed objects (stale handles are refused by
   their generation), so create/destroy cycles do not grow the heap (+57 MB after 20,000
   kernel cycles before). */
START_TEST(create_destroy_cycles_do_not_grow_memory)
{
    zcs_context_desc desc = {0};
    desc.flags = ZCS_CONTEXT_VALIDATE;
    zcs_context *context = NULL;
    ZCS_CK(zcs_context_create(&desc, &context));
    zcs_program *program = NULL;
    ZCS_CK(zcs_program_create_builtin(context, "increment_u32", &program));
    zcs_kernel *stale = NULL;
    enum { WARM = 100, CYCLES = 4000 };
    size_t before = 0;
    for (int i = 0; i < WARM + CYCLES; i++) {
        if (i == WARM)
            before = mallinfo2().uordblks;
        zcs_kernel *kernel = NULL;
        zcs_array *buffer = NULL;
        ZCS_CK(zcs_kernel_create(program, "increment_u32", &kernel));
        ZCS_CK(zcs_array_create(context, 4, 16, 0, &buffer));
        zcs_kernel_destroy(kernel);
        ZCS_CK(zcs_array_destroy(buffer));
        if (stale != NULL) /* the previous cycle's handle stays refused */
            ZCS_CK_STATUS(zcs_dispatch(stale, 1, (size_t[]){1}, NULL), ZCS_ERROR_INVALID_HANDLE);
        stale = kernel;
    }
    size_t after = mallinfo2().uordblks;
    /* Freed memory may sit in the allocator's caches; 4,000 quarantined kernels and arrays
       were more than 4 MB. */
    ck_assert_msg(after < before + (1u << 20), "the heap grew by %zu bytes over %d cycles",
                  after - before, CYCLES);
    zcs_program_destroy(program);
    zcs_test_context_destroy(context);
}
END_TEST

static Suite *validation_suite(void)
{
    Suite *suite = suite_create("validation");
    TCase *tc = tcase_create("validation");
    tcase_add_test(tc, write_past_the_end_is_reported_with_its_offset);
    tcase_add_test(tc, write_before_the_start_is_reported);
    tcase_add_test(tc, map_hands_out_a_shadow_that_reaches_the_array_only_at_unmap);
    tcase_add_test(tc, discarded_ranges_start_poisoned);
    tcase_add_test(tc, kernels_see_what_was_written_through_the_shadow);
    tcase_add_test(tc, forged_and_stale_handles_are_refused);
    tcase_add_test(tc, validation_never_reuses_a_freed_handle);
    tcase_add_test(tc, kernel_write_past_the_end_is_caught_at_map);
    tcase_add_test(tc, kernel_write_before_the_start_is_caught_at_finish);
    tcase_add_test(tc, kernel_overrun_is_caught_at_free);
    tcase_add_test(tc, create_destroy_cycles_do_not_grow_memory);
    suite_add_tcase(suite, tc);
    return suite;
}

int main(void)
{
    return zcs_test_run(validation_suite());
}
