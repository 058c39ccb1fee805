/*
 * What only the OpenCL backend does: backend errors named in the message, allocation
 * flags passed on as CL_MEM_* bits, one stable pointer on the SVM tiers. Registered for
 * OpenCL builds only.
 */
#include <stdint.h>
#include <string.h>

#include <zcs/struct_check.h>

#include "opencl/internal.h"
#include "support/cl_faults.h"
#include "support/fault_counter.h"
#include "support/zcs_test_internal.h"

START_TEST(error_names_are_opencl_names)
{
    ck_assert_str_eq(zcs__cl_error_name(CL_INVALID_VALUE), "CL_INVALID_VALUE");
    ck_assert_str_eq(zcs__cl_error_name(CL_OUT_OF_RESOURCES), "CL_OUT_OF_RESOURCES");
    ck_assert_str_eq(zcs__cl_error_name(CL_INVALID_KERNEL_ARGS), "CL_INVALID_KERNEL_ARGS");
    ck_assert_str_eq(zcs__cl_error_name(-12345), "CL_UNKNOWN_ERROR");
}
END_TEST

START_TEST(a_failing_call_is_named_with_its_error)
{
    zcs_context *context = zcs_test_context();
    zcs_array *buffer = NULL;
    ZCS_CK(zcs_array_create(context, sizeof(uint32_t), 64, 0, &buffer));
    zcs_program *program = NULL;
    zcs_kernel *kernel = NULL;
    ZCS_CK(zcs_program_create_builtin(context, "increment_u32", &program));
    ZCS_CK(zcs_kernel_create(program, "increment_u32", &kernel));
    const uint32_t count = 64, amount = 1;
    ZCS_CK(zcs_kernel_set_array(kernel, 0, buffer));
    ZCS_CK(zcs_kernel_set_value(kernel, 1, sizeof count, &count));
    ZCS_CK(zcs_kernel_set_value(kernel, 2, sizeof amount, &amount));

    /* The next OpenCL call, the enqueue, fails with CL_INVALID_VALUE. */
    cl_faults_install();
    cl_faults_arm(1, CL_INVALID_VALUE);
    size_t global = count;
    ZCS_CK_STATUS(zcs_dispatch(kernel, 1, &global, NULL), ZCS_ERROR_DISPATCH);
    ck_assert_str_eq(fault_counter_fired_call(), "clEnqueueNDRangeKernel");
    cl_faults_remove();
    ck_assert_msg(
        strstr(zcs_last_error(), "clEnqueueNDRangeKernel failed: CL_INVALID_VALUE (-30)") != NULL,
        "message: %s", zcs_last_error());
    ck_assert_str_eq(zcs_context_last_error(context), zcs_last_error());
    ck_assert_int_eq(zcs_context_last_backend_error(context), CL_INVALID_VALUE);
    /* Out of resources reads as out of memory. */
    cl_faults_install();
    cl_faults_arm(1, CL_OUT_OF_RESOURCES);
    ZCS_CK_STATUS(zcs_dispatch(kernel, 1, &global, NULL), ZCS_ERROR_OUT_OF_MEMORY);
    cl_faults_remove();
    ck_assert_ptr_nonnull(strstr(zcs_last_error(), "CL_OUT_OF_RESOURCES"));
    /* And the context goes on. */
    ZCS_CK(zcs_dispatch(kernel, 1, &global, NULL));
    ZCS_CK(zcs_finish(context));
    zcs_kernel_destroy(kernel);
    zcs_program_destroy(program);
    ZCS_CK(zcs_array_destroy(buffer));
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(allocation_flags_become_cl_mem_bits)
{
    zcs_context *context = zcs_test_context();
    zcs_context_info info;
    ZCS_CK(zcs_context_info_get(context, &info));
    zcs_array *upload = NULL;
    zcs_array *readback = NULL;
    ZCS_CK(zcs_array_create(context, 4, 16, ZCS_ARRAY_HOST_WRITE_ONLY | ZCS_ARRAY_DEVICE_READ_ONLY,
                            &upload));
    ZCS_CK(zcs_array_create(context, 4, 16, ZCS_ARRAY_HOST_READ_ONLY | ZCS_ARRAY_DEVICE_WRITE_ONLY,
                            &readback));
    if (info.tier == ZCS_TIER_HOST_PTR) {
        cl_mem_flags flags = 0;
        ck_assert_int_eq(
            clGetMemObjectInfo(((zcs_array *)zcs_test_object(upload, ZCS__MAGIC_ARRAY))->impl->mem,
                               CL_MEM_FLAGS, sizeof flags, &flags, NULL),
            CL_SUCCESS);
        ck_assert(flags & CL_MEM_ALLOC_HOST_PTR);
        ck_assert(flags & CL_MEM_HOST_WRITE_ONLY);
        ck_assert(flags & CL_MEM_READ_ONLY);
        ck_assert_int_eq(clGetMemObjectInfo(
                             ((zcs_array *)zcs_test_object(readback, ZCS__MAGIC_ARRAY))->impl->mem,
                             CL_MEM_FLAGS, sizeof flags, &flags, NULL),
                         CL_SUCCESS);
        ck_assert(flags & CL_MEM_HOST_READ_ONLY);
        ck_assert(flags & CL_MEM_WRITE_ONLY);
    } else if (info.tier == ZCS_TIER_STAGED) {
        /* A plain device buffer with the kernel-access bits; the host reaches it only
           through zcs's copies. */
        cl_mem_flags flags = 0;
        ck_assert_int_eq(
            clGetMemObjectInfo(((zcs_array *)zcs_test_object(upload, ZCS__MAGIC_ARRAY))->impl->mem,
                               CL_MEM_FLAGS, sizeof flags, &flags, NULL),
            CL_SUCCESS);
        ck_assert(flags & CL_MEM_READ_ONLY);
        ck_assert((flags & (CL_MEM_ALLOC_HOST_PTR | CL_MEM_USE_HOST_PTR)) == 0);
        ck_assert_ptr_null(((zcs_array *)zcs_test_object(upload, ZCS__MAGIC_ARRAY))->impl->svm);
    } else {
        /* SVM takes the kernel-access bits only; the host-access intent is zcs's to enforce
           (check_array: host_access_flags_restrict_maps). */
        ck_assert_ptr_nonnull(((zcs_array *)zcs_test_object(upload, ZCS__MAGIC_ARRAY))->impl->svm);
        ck_assert_ptr_null(((zcs_array *)zcs_test_object(upload, ZCS__MAGIC_ARRAY))->impl->mem);
    }
    ZCS_CK(zcs_array_destroy(upload));
    ZCS_CK(zcs_array_destroy(readback));
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(svm_tiers_map_to_the_one_shared_pointer)
{
    zcs_context *context = zcs_test_context();
    zcs_context_info info;
    ZCS_CK(zcs_context_info_get(context, &info));
    zcs_array *buffer = NULL;
    ZCS_CK(zcs_array_create(context, 16, 100, 0, &buffer));
    void *first = NULL;
    void *second = NULL;
    ZCS_CK(zcs_array_map(buffer, ZCS_MAP_WRITE, &first));
    ZCS_CK(zcs_array_unmap(buffer));
    ZCS_CK(zcs_array_map_range(buffer, ZCS_MAP_READ, 10, 5, &second));
    ZCS_CK(zcs_array_unmap(buffer));
    /* SVM tiers, and every tier of a unified device, map the array in place. */
    if (info.unified_memory || info.tier != ZCS_TIER_HOST_PTR)
        ck_assert_ptr_eq((char *)first + 10 * 16, second);
    if (info.tier == ZCS_TIER_STAGED) {
        /* A host copy: the same copy for every map, but no device address. */
        ck_assert_ptr_eq((char *)first + 10 * 16, second);
        uint64_t address = 0;
        ZCS_CK_STATUS(zcs_array_device_address(buffer, &address), ZCS_ERROR_UNSUPPORTED);
    } else if (info.tier != ZCS_TIER_HOST_PTR) {
        uint64_t address = 0;
        ZCS_CK(zcs_array_device_address(buffer, &address));
        ck_assert_ptr_eq((void *)(uintptr_t)address, first);
        ck_assert_ptr_eq(((zcs_array *)zcs_test_object(buffer, ZCS__MAGIC_ARRAY))->impl->svm,
                         first);
    }
    ZCS_CK(zcs_array_destroy(buffer));
    zcs_test_context_destroy(context);
}
END_TEST

static Suite *opencl_suite(void)
{
    Suite *suite = suite_create("opencl");
    TCase *tc = tcase_create("opencl");
    tcase_add_test(tc, error_names_are_opencl_names);
    tcase_add_test(tc, a_failing_call_is_named_with_its_error);
    tcase_add_test(tc, allocation_flags_become_cl_mem_bits);
    tcase_add_test(tc, svm_tiers_map_to_the_one_shared_pointer);
    suite_add_tcase(suite, tc);
    return suite;
}

int main(void)
{
    return zcs_test_run(opencl_suite());
}
