/*
 * zcs inside an OpenCL application (zcs/zcs_opencl.h): the application makes its own
 * context and queue on PoCL, attaches zcs, and runs its own kernels on zcs arrays through
 * the exported cl_mem and SVM pointer between zcs dispatches; what zcs reads back is right
 * on every tier, with the bytes-copied figure exact, and the application's objects keep
 * their reference counts and stay usable after zcs is gone. Bad input is refused with a
 * clear status and leaves the application's objects as they were.
 */
#define _POSIX_C_SOURCE 200809L /* nanosleep */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <zcs/zcs_opencl.h>

#include "support/zcs_test.h"

/* The application's side: its own OpenCL objects, made with the ICD loader directly. */
typedef struct app {
    cl_platform_id platform;
    cl_device_id device;
    cl_context context;
    cl_command_queue queue;
} app;

#define CL_CK(call)                                                                                \
    do {                                                                                           \
        cl_int cl_ck_error_ = (call);                                                              \
        ck_assert_msg(cl_ck_error_ == CL_SUCCESS, "%s -> %d", #call, (int)cl_ck_error_);           \
    } while (0)

static app app_create(void)
{
    app a;
    memset(&a, 0, sizeof a);
    cl_uint count = 0;
    CL_CK(clGetPlatformIDs(1, &a.platform, &count));
    ck_assert_uint_ge(count, 1);
    CL_CK(clGetDeviceIDs(a.platform, CL_DEVICE_TYPE_ALL, 1, &a.device, NULL));
    cl_int error = CL_SUCCESS;
    a.context = clCreateContext(NULL, 1, &a.device, NULL, NULL, &error);
    CL_CK(error);
    a.queue = clCreateCommandQueueWithProperties(a.context, a.device, NULL, &error);
    CL_CK(error);
    return a;
}

static void app_destroy(app *a)
{
    CL_CK(clReleaseCommandQueue(a->queue));
    CL_CK(clReleaseContext(a->context));
}

static cl_uint context_count(cl_context context)
{
    cl_uint count = 0;
    CL_CK(clGetContextInfo(context, CL_CONTEXT_REFERENCE_COUNT, sizeof count, &count, NULL));
    return count;
}

/* The context's reference count once the runtime has freed what its finished commands held
   (PoCL's events hold the buffers they use, and so the context, a little past clFinish;
   bounded wait, no timing claim). `expected`: stop as soon as the count is that. */
static cl_uint settled_context_references(cl_context context, cl_uint expected)
{
    cl_uint count = context_count(context);
    for (int i = 0; i < 2000 && count != expected; i++) {
        nanosleep(&(struct timespec){0, 1000000}, NULL);
        count = context_count(context);
    }
    return count;
}

/* Counts taken before zcs does anything: nothing is in flight. */
#define context_references(context) context_count(context)

static cl_uint queue_count(cl_command_queue queue)
{
    cl_uint count = 0;
    CL_CK(clGetCommandQueueInfo(queue, CL_QUEUE_REFERENCE_COUNT, sizeof count, &count, NULL));
    return count;
}

/* The queue's reference count once the queue is idle and the runtime has freed the events
   of its finished commands: PoCL's events hold their queue until its own thread frees
   them, a little after clFinish (bounded wait, no timing claim). `expected`: stop as soon
   as the count is that. */
static cl_uint settled_queue_references(cl_command_queue queue, cl_uint expected)
{
    CL_CK(clFinish(queue));
    cl_uint count = queue_count(queue);
    for (int i = 0; i < 2000 && count != expected; i++) {
        nanosleep(&(struct timespec){0, 1000000}, NULL);
        count = queue_count(queue);
    }
    return count;
}

#define queue_references(queue) queue_count(queue)

/* The application's own kernels: one on a cl_mem with an element offset, one for SVM. */
static const char *app_source =
    "__kernel void times3(__global uint *data, uint first, uint count) {\n"
    "    size_t i = get_global_id(0);\n"
    "    if (i < count) data[first + i] *= 3u;\n"
    "}\n"
    "__kernel void add100(__global uint *data, uint count) {\n"
    "    size_t i = get_global_id(0);\n"
    "    if (i < count) data[i] += 100u;\n"
    "}\n";

static cl_program app_program(const app *a)
{
    cl_int error = CL_SUCCESS;
    cl_program program = clCreateProgramWithSource(a->context, 1, &app_source, NULL, &error);
    CL_CK(error);
    CL_CK(clBuildProgram(program, 1, &a->device, "-cl-std=CL2.0", NULL, NULL));
    return program;
}

static zcs_context *attach(const app *a)
{
    zcs_opencl_attach_desc desc = {0};
    desc.context = a->context;
    desc.device = a->device;
    desc.queue = a->queue;
    zcs_context *context = NULL;
    ZCS_CK(zcs_opencl_context_attach(&desc, &context));
    const char *forced = getenv("ZCS_TIER");
    zcs_context_info info;
    ZCS_CK(zcs_context_info_get(context, &info));
    if (forced != NULL && forced[0] != '\0' && strcmp(forced, "auto") != 0)
        ck_assert_str_eq(zcs_tier_name(info.tier), forced);
    return context;
}

START_TEST(attached_context_reports_the_application_objects)
{
    app a = app_create();
    cl_uint context_before = context_references(a.context);
    cl_uint queue_before = queue_references(a.queue);
    zcs_context *context = attach(&a);
    /* zcs holds one reference of its own to each, and its two queues made on the
       application's context (the transfer queue for maps, unmaps and copies, the follow
       queue for maps behind a dispatch) hold one each to the context. */
    ck_assert_uint_eq(settled_context_references(a.context, context_before + 3),
                      context_before + 3);
    ck_assert_uint_eq(settled_queue_references(a.queue, queue_before + 1), queue_before + 1);

    zcs_opencl_context_objects objects;
    ZCS_CK(zcs_opencl_context_native(context, &objects));
    ck_assert_ptr_eq(objects.context, a.context);
    ck_assert_ptr_eq(objects.device, a.device);
    ck_assert_ptr_eq(objects.queue, a.queue);
    ck_assert_ptr_eq(objects.platform, a.platform);
    zcs_context_info info;
    ZCS_CK(zcs_context_info_get(context, &info));
    char name[256] = "";
    CL_CK(clGetDeviceInfo(a.device, CL_DEVICE_NAME, sizeof name, name, NULL));
    ck_assert_str_eq(info.device_name, name);
    ck_assert_uint_eq(info.device_index, 0);
    ZCS_CK_STATUS(zcs_opencl_context_native(context, NULL), ZCS_ERROR_NULL_HANDLE);
    ZCS_CK_STATUS(zcs_opencl_context_native(NULL, &objects), ZCS_ERROR_NULL_HANDLE);

    zcs_test_context_destroy(context);
    ck_assert_uint_eq(settled_context_references(a.context, context_before), context_before);
    ck_assert_uint_eq(settled_queue_references(a.queue, queue_before), queue_before);
    ZCS_CK_STATUS(zcs_opencl_context_native(context, &objects), ZCS_ERROR_INVALID_HANDLE);
    app_destroy(&a);
}
END_TEST

/* desc->queue NULL: zcs makes an in-order queue of its own on the application's context and
   device, runs there, and releases it with the context; the application's queue is left
   alone. */
START_TEST(attached_without_a_queue_makes_its_own)
{
    app a = app_create();
    cl_uint context_before = context_references(a.context);
    cl_uint queue_before = queue_references(a.queue);
    zcs_opencl_attach_desc desc = {0};
    desc.context = a.context;
    desc.device = a.device;
    zcs_context *context = NULL;
    ZCS_CK(zcs_opencl_context_attach(&desc, &context));
    /* zcs's reference, and its dispatch, transfer and follow queues' on the context. */
    ck_assert_uint_eq(settled_context_references(a.context, context_before + 4),
                      context_before + 4);
    zcs_array *array = zcs_test_indexed_u32(context, 1000);
    zcs_program *program = NULL;
    zcs_kernel *kernel = zcs_test_increment_kernel(context, array, 1000, 5, &program);
    size_t global = 1000;
    for (int i = 0; i < 3; i++) {
        ZCS_CK(zcs_dispatch(kernel, 1, &global, NULL));
        zcs_test_expect_indexed(array, 1000, 5 * (uint32_t)(i + 1));
    }
    ck_assert_uint_eq(settled_queue_references(a.queue, queue_before), queue_before);
    zcs_opencl_context_objects objects;
    ZCS_CK(zcs_opencl_context_native(context, &objects));
    ck_assert_ptr_eq(objects.context, a.context);
    ck_assert_ptr_nonnull(objects.queue);
    ck_assert_ptr_ne(objects.queue, a.queue);
    /* Handed out, the queue may carry the application's commands: zcs goes on around them. */
    ZCS_CK(zcs_dispatch(kernel, 1, &global, NULL));
    zcs_test_expect_indexed(array, 1000, 20);
    zcs_kernel_destroy(kernel);
    zcs_program_destroy(program);
    ZCS_CK(zcs_array_destroy(array));
    zcs_test_context_destroy(context);
    ck_assert_uint_eq(settled_context_references(a.context, context_before), context_before);
    app_destroy(&a);
}
END_TEST

START_TEST(own_context_reports_its_objects)
{
    zcs_context *context = zcs_test_context();
    zcs_opencl_context_objects objects;
    ZCS_CK(zcs_opencl_context_native(context, &objects));
    ck_assert_ptr_nonnull(objects.context);
    ck_assert_ptr_nonnull(objects.device);
    ck_assert_ptr_nonnull(objects.queue);
    ck_assert_ptr_nonnull(objects.platform);
    cl_context queue_context = NULL;
    CL_CK(clGetCommandQueueInfo(objects.queue, CL_QUEUE_CONTEXT, sizeof queue_context,
                                &queue_context, NULL));
    ck_assert_ptr_eq(queue_context, objects.context);
    zcs_test_context_destroy(context);
}
END_TEST

/* zcs dispatch, the application's kernels on the exported objects, zcs dispatch, map. */
START_TEST(application_kernels_between_zcs_dispatches)
{
    const uint32_t count = 1000;
    app a = app_create();
    cl_uint context_before = context_references(a.context);
    cl_uint queue_before = queue_references(a.queue);
    cl_program program = app_program(&a);
    zcs_context *context = attach(&a);
    zcs_context_info info;
    ZCS_CK(zcs_context_info_get(context, &info));

    zcs_array *array = zcs_test_indexed_u32(context, count);
    zcs_program *zprogram = NULL;
    zcs_kernel *increment = zcs_test_increment_kernel(context, array, count, 1, &zprogram);
    size_t global = count;
    size_t local = 64;
    ZCS_CK(zcs_dispatch(increment, 1, &global, &local));
    ZCS_CK(zcs_finish(context));

    zcs_opencl_array_objects objects;
    ZCS_CK(zcs_opencl_array_native(array, &objects));
    ck_assert_ptr_nonnull(objects.buffer);
    ck_assert_uint_eq(objects.size, count * sizeof(uint32_t));
    ck_assert_uint_eq(objects.offset % sizeof(uint32_t), 0);
    zcs_opencl_array_objects again;
    ZCS_CK(zcs_opencl_array_native(array, &again));
    ck_assert_ptr_eq(again.buffer, objects.buffer); /* made once */
    size_t buffer_size = 0;
    CL_CK(clGetMemObjectInfo(objects.buffer, CL_MEM_SIZE, sizeof buffer_size, &buffer_size, NULL));
    ck_assert_uint_ge(buffer_size, objects.offset + objects.size);
    cl_context buffer_context = NULL;
    CL_CK(clGetMemObjectInfo(objects.buffer, CL_MEM_CONTEXT, sizeof buffer_context, &buffer_context,
                             NULL));
    ck_assert_ptr_eq(buffer_context, a.context);
    int svm = info.tier == ZCS_TIER_SVM_FINE || info.tier == ZCS_TIER_SVM_COARSE;
    ck_assert_int_eq(objects.svm_pointer != NULL, svm);
    if (svm) {
        uint64_t address = 0;
        ZCS_CK(zcs_array_device_address(array, &address));
        ck_assert_uint_eq((uint64_t)(uintptr_t)objects.svm_pointer, address);
    }

    /* The application's kernel through the cl_mem, on its own queue. */
    cl_int error = CL_SUCCESS;
    cl_kernel times3 = clCreateKernel(program, "times3", &error);
    CL_CK(error);
    cl_uint first = (cl_uint)(objects.offset / sizeof(uint32_t));
    CL_CK(clSetKernelArg(times3, 0, sizeof objects.buffer, &objects.buffer));
    CL_CK(clSetKernelArg(times3, 1, sizeof first, &first));
    CL_CK(clSetKernelArg(times3, 2, sizeof count, &count));
    cl_event done = NULL;
    CL_CK(clEnqueueNDRangeKernel(a.queue, times3, 1, NULL, &global, NULL, 0, NULL, &done));
    CL_CK(clWaitForEvents(1, &done));
    CL_CK(clReleaseEvent(done));
    CL_CK(clReleaseKernel(times3));
    uint32_t added = 0;
    if (svm) {
        /* And through the SVM pointer. */
        cl_kernel add100 = clCreateKernel(program, "add100", &error);
        CL_CK(error);
        CL_CK(clSetKernelArgSVMPointer(add100, 0, objects.svm_pointer));
        CL_CK(clSetKernelArg(add100, 1, sizeof count, &count));
        CL_CK(clEnqueueNDRangeKernel(a.queue, add100, 1, NULL, &global, NULL, 0, NULL, NULL));
        CL_CK(clFinish(a.queue));
        CL_CK(clReleaseKernel(add100));
        added = 100;
    }

    ZCS_CK(zcs_dispatch(increment, 1, &global, &local));
    uint32_t *data = NULL;
    ZCS_CK(zcs_array_map(array, ZCS_MAP_READ, (void **)&data));
    for (uint32_t i = 0; i < count; i++) {
        uint32_t expected = (i + 1) * 3 + added + 1;
        ck_assert_msg(data[i] == expected, "element %u is %u, expected %u", i, data[i], expected);
    }
    ZCS_CK(zcs_array_unmap(array));
    /* Two maps for writing or reading of count elements by zcs; none by the application. */
    zcs_test_expect_copies(context, 2 * (uint64_t)count * sizeof(uint32_t));

    zcs_kernel_destroy(increment);
    zcs_program_destroy(zprogram);
    ZCS_CK(zcs_array_destroy(array));
    zcs_test_context_destroy(context);
    CL_CK(clReleaseProgram(program));
    /* Once the queue has drained, the runtime holds no reference for zcs's commands. */
    CL_CK(clFinish(a.queue));
    ck_assert_uint_eq(settled_context_references(a.context, context_before), context_before);
    ck_assert_uint_eq(settled_queue_references(a.queue, queue_before), queue_before);

    /* The application's objects still work after zcs is gone. */
    cl_mem buffer = clCreateBuffer(a.context, CL_MEM_READ_WRITE, 64, NULL, &error);
    CL_CK(error);
    uint32_t pattern = 7;
    CL_CK(clEnqueueFillBuffer(a.queue, buffer, &pattern, sizeof pattern, 0, 64, 0, NULL, NULL));
    uint32_t back[16];
    CL_CK(clEnqueueReadBuffer(a.queue, buffer, CL_TRUE, 0, sizeof back, back, 0, NULL, NULL));
    for (int i = 0; i < 16; i++)
        ck_assert_uint_eq(back[i], 7);
    CL_CK(clReleaseMemObject(buffer));
    app_destroy(&a);
}
END_TEST

/* The application writes an array through its cl_mem after zcs's dispatches: the next map
   shows the application's bytes, on every tier, also after the staged tier read the array
   ahead (asking for the cl_mem forgets what was read ahead). */
START_TEST(application_writes_after_a_read_ahead_are_seen)
{
    const uint32_t count = 256;
    app a = app_create();
    zcs_context *context = attach(&a);
    zcs_array *array = zcs_test_indexed_u32(context, count);
    zcs_program *program = NULL;
    zcs_kernel *increment = zcs_test_increment_kernel(context, array, count, 1, &program);
    zcs_test_leave_read_ahead(context, increment, array, count);

    zcs_opencl_array_objects objects;
    ZCS_CK(zcs_opencl_array_native(array, &objects));
    const uint32_t pattern = 0xabcdu;
    cl_event written = NULL;
    CL_CK(clEnqueueFillBuffer(a.queue, objects.buffer, &pattern, sizeof pattern, objects.offset,
                              objects.size, 0, NULL, &written));
    CL_CK(clFlush(a.queue));
    ZCS_CK(zcs_opencl_array_used_by(array, 1, &written));
    const uint32_t *data = NULL;
    ZCS_CK(zcs_array_map(array, ZCS_MAP_READ, (void **)&data));
    for (uint32_t i = 0; i < count; i++)
        ck_assert_msg(data[i] == pattern, "element %u is %u, expected %u", i, data[i], pattern);
    ZCS_CK(zcs_array_unmap(array));
    CL_CK(clReleaseEvent(written));

    zcs_kernel_destroy(increment);
    zcs_program_destroy(program);
    ZCS_CK(zcs_array_destroy(array));
    zcs_test_context_destroy(context);
    CL_CK(clFinish(a.queue));
    app_destroy(&a);
}
END_TEST

/* The exported buffer dies with the array and holds no reference past it. */
START_TEST(exported_buffer_released_with_the_array)
{
    app a = app_create();
    cl_uint context_before = context_references(a.context);
    zcs_context *context = attach(&a);
    zcs_array *array = NULL;
    ZCS_CK(zcs_array_create(context, 16, 100, 0, &array));
    zcs_opencl_array_objects objects;
    ZCS_CK(zcs_opencl_array_native(array, &objects));
    ck_assert_uint_eq(objects.size, 1600);
    cl_uint buffer_references = 0;
    CL_CK(clGetMemObjectInfo(objects.buffer, CL_MEM_REFERENCE_COUNT, sizeof buffer_references,
                             &buffer_references, NULL));
    ck_assert_uint_eq(buffer_references, 1);
    ZCS_CK_STATUS(zcs_opencl_array_native(array, NULL), ZCS_ERROR_NULL_HANDLE);
    ZCS_CK_STATUS(zcs_opencl_array_native(NULL, &objects), ZCS_ERROR_NULL_HANDLE);
    ZCS_CK(zcs_array_destroy(array));
    ZCS_CK_STATUS(zcs_opencl_array_native(array, &objects), ZCS_ERROR_INVALID_HANDLE);
    /* An array whose exported buffer is never asked for is left to the context's destroy. */
    ZCS_CK(zcs_array_create(context, 16, 100, 0, &array));
    ZCS_CK(zcs_opencl_array_native(array, &objects));
    zcs_context_destroy(context);
    ck_assert_uint_eq(settled_context_references(a.context, context_before), context_before);
    app_destroy(&a);
}
END_TEST

/* Attach and expect `expected`, with the application's reference counts unchanged. */
static void attach_refused(const app *a, const zcs_opencl_attach_desc *desc, zcs_status expected,
                           const char *message_part)
{
    cl_uint context_before = context_references(a->context);
    cl_uint queue_before = queue_references(a->queue);
    zcs_context *context = NULL;
    ZCS_CK_STATUS(zcs_opencl_context_attach(desc, &context), expected);
    ck_assert_ptr_null(context);
    ck_assert_msg(strstr(zcs_last_error(), message_part) != NULL, "\"%s\" does not say \"%s\"",
                  zcs_last_error(), message_part);
    ck_assert_uint_eq(settled_context_references(a->context, context_before), context_before);
    ck_assert_uint_eq(settled_queue_references(a->queue, queue_before), queue_before);
}

START_TEST(bad_attach_is_refused_and_leaves_the_application_alone)
{
    app a = app_create();
    zcs_opencl_attach_desc desc = {0};
    desc.context = a.context;
    desc.device = a.device;
    desc.queue = a.queue;
    zcs_context *context = NULL;
    ZCS_CK_STATUS(zcs_opencl_context_attach(NULL, &context), ZCS_ERROR_NULL_HANDLE);
    ZCS_CK_STATUS(zcs_opencl_context_attach(&desc, NULL), ZCS_ERROR_NULL_HANDLE);

    zcs_opencl_attach_desc bad = desc;
    bad.context = NULL;
    attach_refused(&a, &bad, ZCS_ERROR_NULL_HANDLE, "desc->context is NULL");
    bad = desc;
    bad.device = NULL;
    attach_refused(&a, &bad, ZCS_ERROR_NULL_HANDLE, "desc->device is NULL");
    bad = desc;
    bad.flags = ZCS_CONTEXT_DEVICE_INDEX;
    attach_refused(&a, &bad, ZCS_ERROR_INVALID_ARGUMENT, "ZCS_CONTEXT_DEVICE_INDEX");
    bad = desc;
    bad.flags = 0x100;
    attach_refused(&a, &bad, ZCS_ERROR_INVALID_ARGUMENT, "unknown flag bits");
    bad = desc;
    bad.tier = (zcs_tier)42;
    attach_refused(&a, &bad, ZCS_ERROR_INVALID_ARGUMENT, "unknown tier");
    bad = desc;
    bad.tier = ZCS_TIER_VULKAN_MAPPED;
    attach_refused(&a, &bad, ZCS_ERROR_UNSUPPORTED, "Vulkan");

    /* A queue of another context (on the same device). */
    cl_int error = CL_SUCCESS;
    cl_context other = clCreateContext(NULL, 1, &a.device, NULL, NULL, &error);
    CL_CK(error);
    cl_command_queue other_queue =
        clCreateCommandQueueWithProperties(other, a.device, NULL, &error);
    CL_CK(error);
    bad = desc;
    bad.queue = other_queue;
    attach_refused(&a, &bad, ZCS_ERROR_INVALID_ARGUMENT, "another context");
    ck_assert_uint_eq(settled_queue_references(other_queue, 1), 1);

    /* A device that is not in the context: a sub-device of the context's device. */
    cl_device_partition_property partition[] = {CL_DEVICE_PARTITION_EQUALLY, 1, 0};
    cl_device_id subs[64];
    cl_uint sub_count = 0;
    CL_CK(clCreateSubDevices(a.device, partition, 64, subs, &sub_count));
    ck_assert_uint_ge(sub_count, 1);
    bad = desc;
    bad.device = subs[0];
    attach_refused(&a, &bad, ZCS_ERROR_INVALID_ARGUMENT, "not one of desc->context's");
    for (cl_uint i = 0; i < sub_count && i < 64; i++)
        CL_CK(clReleaseDevice(subs[i]));

    /* An out-of-order queue. */
    cl_queue_properties out_of_order[] = {CL_QUEUE_PROPERTIES,
                                          CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE, 0};
    cl_command_queue unordered =
        clCreateCommandQueueWithProperties(a.context, a.device, out_of_order, &error);
    if (error == CL_SUCCESS) {
        bad = desc;
        bad.queue = unordered;
        attach_refused(&a, &bad, ZCS_ERROR_UNSUPPORTED, "out of order");
        ck_assert_uint_eq(settled_queue_references(unordered, 1), 1);
        CL_CK(clReleaseCommandQueue(unordered));
    }

    CL_CK(clReleaseCommandQueue(other_queue));
    CL_CK(clReleaseContext(other));
    /* Still attachable after all that. */
    ZCS_CK(zcs_opencl_context_attach(&desc, &context));
    zcs_test_context_destroy(context);
    app_destroy(&a);
}
END_TEST

/* A tier forced in the desc overrides ZCS_TIER; attach honours ZCS_TIER otherwise. */
START_TEST(forced_tier_in_the_desc)
{
    app a = app_create();
    zcs_opencl_attach_desc desc = {0};
    desc.context = a.context;
    desc.device = a.device;
    desc.queue = a.queue;
    desc.tier = ZCS_TIER_HOST_PTR;
    zcs_context *context = NULL;
    ZCS_CK(zcs_opencl_context_attach(&desc, &context));
    zcs_context_info info;
    ZCS_CK(zcs_context_info_get(context, &info));
    ck_assert_int_eq(info.tier, ZCS_TIER_HOST_PTR);
    ck_assert_ptr_nonnull(strstr(info.tier_reason, "forced by the context option"));
    zcs_test_context_destroy(context);
    app_destroy(&a);
}
END_TEST

/* The attach description's wait fields reach the context, as zcs_context_desc's do. */
START_TEST(attached_context_takes_its_wait)
{
    app a = app_create();
    zcs_opencl_attach_desc desc = {0};
    desc.context = a.context;
    desc.device = a.device;
    desc.wait = ZCS_WAIT_POLL;
    desc.wait_poll_us = 7;
    zcs_context *context = NULL;
    ZCS_CK(zcs_opencl_context_attach(&desc, &context));
    zcs_context_info info;
    ZCS_CK(zcs_context_info_get(context, &info));
    ck_assert_int_eq(info.wait, ZCS_WAIT_POLL);
    ck_assert_uint_eq(info.wait_poll_us, 7);
    ck_assert_ptr_nonnull(strstr(info.wait_reason, "the context option"));
    zcs_test_context_destroy(context);
    desc.wait = (zcs_wait)ZCS_WAIT_COUNT;
    context = NULL;
    ZCS_CK_STATUS(zcs_opencl_context_attach(&desc, &context), ZCS_ERROR_INVALID_ARGUMENT);
    ck_assert_ptr_null(context);
    app_destroy(&a);
}
END_TEST

static Suite *opencl_interop_suite(void)
{
    Suite *suite = suite_create("opencl_interop");
    TCase *tc = tcase_create("opencl_interop");
    tcase_add_test(tc, attached_context_reports_the_application_objects);
    tcase_add_test(tc, attached_context_takes_its_wait);
    tcase_add_test(tc, attached_without_a_queue_makes_its_own);
    tcase_add_test(tc, own_context_reports_its_objects);
    tcase_add_test(tc, application_kernels_between_zcs_dispatches);
    tcase_add_test(tc, application_writes_after_a_read_ahead_are_seen);
    tcase_add_test(tc, exported_buffer_released_with_the_array);
    tcase_add_test(tc, bad_attach_is_refused_and_leaves_the_application_alone);
    tcase_add_test(tc, forced_tier_in_the_desc);
    suite_add_tcase(suite, tc);
    return suite;
}

int main(void)
{
    return zcs_test_run(opencl_interop_suite());
}
