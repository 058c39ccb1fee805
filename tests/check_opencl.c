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

/* A staged dispatch whose kernel cannot be enqueued after its array's upload was: the
   upload still reads the host copy, and no dispatch of the array covers it, so the failed
   dispatch waits for it (one device wait) before the host may write that copy again. */
START_TEST(a_failed_staged_dispatch_waits_for_its_upload)
{
    enum { N = 1024 };
    zcs_context_desc desc = {0};
    desc.tier = ZCS_TIER_STAGED;
    zcs_context *context = NULL;
    ZCS_CK(zcs_context_create(&desc, &context));
    zcs_array *array = zcs_test_indexed_u32(context, N); /* its upload is deferred */
    zcs_program *program = NULL;
    zcs_kernel *kernel = zcs_test_increment_kernel(context, array, N, 1, &program);
    uint64_t waits = zcs_test_device_waits(context);
    cl_faults_install();
    cl_faults_arm(2, CL_INVALID_VALUE); /* the upload, then the kernel */
    size_t global = N;
    ZCS_CK_STATUS(zcs_dispatch(kernel, 1, &global, NULL), ZCS_ERROR_DISPATCH);
    ck_assert_str_eq(fault_counter_fired_call(), "clEnqueueNDRangeKernel");
    cl_faults_remove();
    ck_assert_uint_eq(zcs_test_device_waits(context) - waits, 1);
    zcs_test_expect_indexed(array, N, 0);
    ZCS_CK(zcs_dispatch(kernel, 1, &global, NULL));
    zcs_test_expect_indexed(array, N, 1);
    zcs_kernel_destroy(kernel);
    zcs_program_destroy(program);
    ZCS_CK(zcs_array_destroy(array));
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

/* Counted: dispatches that ask the runtime for an event, and markers. */
static zcs__cl_api real_calls;
static unsigned long kernel_events;
static unsigned long markers;

static cl_int CL_API_CALL counting_enqueue_kernel(cl_command_queue queue, cl_kernel kernel,
                                                  cl_uint dims, const size_t *offset,
                                                  const size_t *global, const size_t *local,
                                                  cl_uint wait_count, const cl_event *waits,
                                                  cl_event *event)
{
    kernel_events += event != NULL;
    return real_calls.clEnqueueNDRangeKernel(queue, kernel, dims, offset, global, local, wait_count,
                                             waits, event);
}

static cl_int CL_API_CALL counting_marker(cl_command_queue queue, cl_uint wait_count,
                                          const cl_event *waits, cl_event *event)
{
    markers++;
    return real_calls.clEnqueueMarkerWithWaitList(queue, wait_count, waits, event);
}

/* A frame asks the runtime for no event, as a hand-written frame does (no event object
   made and released per dispatch). A map of the newest dispatch's array waits for the
   queue itself; a marker stands in for a dispatch only once another is queued behind it
   while its array has not been waited for, and the map of that array then waits for the
   marker, not for the later dispatch. */
START_TEST(frames_ask_for_no_events)
{
    enum { N = 1024 };
    zcs_context *context = zcs_test_context();
    zcs_array *first = zcs_test_indexed_u32(context, N);
    zcs_array *second = zcs_test_indexed_u32(context, N);
    zcs_program *program = NULL;
    zcs_kernel *kernel = zcs_test_increment_kernel(context, first, N, 1, &program);
    real_calls = zcs__cl;
    zcs__cl.clEnqueueNDRangeKernel = counting_enqueue_kernel;
    zcs__cl.clEnqueueMarkerWithWaitList = counting_marker;
    kernel_events = 0;
    markers = 0;
    size_t global = N;
    for (uint32_t frame = 0; frame < 5; frame++) {
        uint32_t *data = NULL;
        ZCS_CK(zcs_array_map(first, ZCS_MAP_WRITE_DISCARD, (void **)&data));
        for (uint32_t i = 0; i < N; i++)
            data[i] = i + frame;
        ZCS_CK(zcs_array_unmap(first));
        ZCS_CK(zcs_dispatch(kernel, 1, &global, NULL));
        zcs_test_expect_indexed(first, N, frame + 1);
    }
    ck_assert_uint_eq(kernel_events, 0);
    ck_assert_uint_eq(markers, 0);
    /* Dispatches of one array back to back need no marker either. */
    for (int i = 0; i < 3; i++)
        ZCS_CK(zcs_dispatch(kernel, 1, &global, NULL));
    ck_assert_uint_eq(markers, 0);
    /* Another array's dispatch behind it: one marker, for the first array. */
    zcs_test_set_increment_args(kernel, second, N, 2);
    ZCS_CK(zcs_dispatch(kernel, 1, &global, NULL));
    ck_assert_uint_eq(markers, 1);
    zcs_test_expect_indexed(first, N, 5 + 3);
    zcs_test_expect_indexed(second, N, 2);
    ck_assert_uint_eq(kernel_events, 0);
    ck_assert_uint_eq(markers, 1);
    zcs__cl = real_calls;
    ZCS_CK(zcs_array_destroy(first));
    ZCS_CK(zcs_array_destroy(second));
    zcs_kernel_destroy(kernel);
    zcs_program_destroy(program);
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
    tcase_add_test(tc, a_failed_staged_dispatch_waits_for_its_upload);
    tcase_add_test(tc, allocation_flags_become_cl_mem_bits);
    tcase_add_test(tc, svm_tiers_map_to_the_one_shared_pointer);
    tcase_add_test(tc, frames_ask_for_no_events);
    suite_add_tcase(suite, tc);
    return suite;
}

int main(void)
{
    return zcs_test_run(opencl_suite());
}
