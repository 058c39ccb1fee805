/*
 * OpenCL backend: zcs inside an OpenCL application (zcs/zcs_opencl.h): the checks of an
 * attach (context.c makes the context), and the native objects of contexts and arrays.
 */
#include <stdio.h>

#include "core/checks.h"
#include "opencl/internal.h"
#include "zcs/zcs_opencl.h"

zcs_status zcs_opencl_context_attach(const zcs_opencl_attach_desc *desc, zcs_context **out_context)
{
    return zcs__context_attach(
        "zcs_opencl_context_attach", desc, desc != NULL ? desc->tier : ZCS_TIER_AUTO,
        desc != NULL ? desc->flags : 0, desc != NULL ? desc->wait : ZCS_WAIT_AUTO,
        desc != NULL ? desc->wait_poll_us : 0, out_context);
}

zcs_status zcs__cl_check_attach(zcs_context *context, const void *native_desc,
                                zcs__cl_candidate *out_device, uint32_t *out_index)
{
    const zcs_opencl_attach_desc *desc = native_desc;
    const char *function = "zcs_opencl_context_attach";
    if (desc->context == NULL || desc->device == NULL)
        return zcs__fail(context, ZCS_ERROR_NULL_HANDLE, 0, "%s: desc->%s is NULL", function,
                         desc->context == NULL ? "context" : "device");

    /* The device must be one of the context's. */
    cl_uint device_count = 0;
    cl_int error = zcs__cl.clGetContextInfo(desc->context, CL_CONTEXT_NUM_DEVICES,
                                            sizeof device_count, &device_count, NULL);
    if (error != CL_SUCCESS)
        return zcs__cl_fail(context, ZCS_ERROR_BACKEND, "clGetContextInfo", error,
                            "CL_CONTEXT_NUM_DEVICES of desc->context");
    cl_device_id *devices = zcs__calloc(device_count > 0 ? device_count : 1, sizeof *devices);
    if (devices == NULL)
        return zcs__fail(context, ZCS_ERROR_OUT_OF_MEMORY, 0, "%s: out of host memory", function);
    error = zcs__cl.clGetContextInfo(desc->context, CL_CONTEXT_DEVICES,
                                     device_count * sizeof *devices, devices, NULL);
    int member = 0;
    for (cl_uint i = 0; error == CL_SUCCESS && i < device_count; i++)
        member |= devices[i] == desc->device;
    zcs__free(devices);
    if (error != CL_SUCCESS)
        return zcs__cl_fail(context, ZCS_ERROR_BACKEND, "clGetContextInfo", error,
                            "CL_CONTEXT_DEVICES of desc->context");
    if (!member)
        return zcs__fail(context, ZCS_ERROR_INVALID_ARGUMENT, 0,
                         "%s: desc->device is not one of desc->context's %u device%s "
                         "(CL_CONTEXT_DEVICES)",
                         function, device_count, device_count == 1 ? "" : "s");

    /* The queue must be of that context and device, in order, on the host (none: zcs
       makes its own, context.c). */
    cl_context queue_context = desc->context;
    cl_device_id queue_device = desc->device;
    cl_command_queue_properties properties = 0;
    if (desc->queue != NULL) {
        error = zcs__cl.clGetCommandQueueInfo(desc->queue, CL_QUEUE_CONTEXT, sizeof queue_context,
                                              &queue_context, NULL);
        if (error == CL_SUCCESS)
            error = zcs__cl.clGetCommandQueueInfo(desc->queue, CL_QUEUE_DEVICE, sizeof queue_device,
                                                  &queue_device, NULL);
        if (error == CL_SUCCESS)
            error = zcs__cl.clGetCommandQueueInfo(desc->queue, CL_QUEUE_PROPERTIES,
                                                  sizeof properties, &properties, NULL);
    }
    if (error != CL_SUCCESS)
        return zcs__cl_fail(context, ZCS_ERROR_BACKEND, "clGetCommandQueueInfo", error,
                            "desc->queue");
    if (queue_context != desc->context)
        return zcs__fail(context, ZCS_ERROR_INVALID_ARGUMENT, 0,
                         "%s: desc->queue belongs to another context than desc->context "
                         "(CL_QUEUE_CONTEXT)",
                         function);
    if (queue_device != desc->device)
        return zcs__fail(context, ZCS_ERROR_INVALID_ARGUMENT, 0,
                         "%s: desc->queue belongs to another device than desc->device "
                         "(CL_QUEUE_DEVICE)",
                         function);
    if (properties & CL_QUEUE_ON_DEVICE)
        return zcs__fail(context, ZCS_ERROR_UNSUPPORTED, 0,
                         "%s: desc->queue is a device queue (CL_QUEUE_ON_DEVICE); zcs enqueues "
                         "from the host and needs a host queue",
                         function);
    if (properties & CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE)
        return zcs__fail(context, ZCS_ERROR_UNSUPPORTED, 0,
                         "%s: desc->queue is out of order "
                         "(CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE); zcs orders its kernels, maps "
                         "and unmaps by the order of an in-order queue: give zcs an in-order "
                         "queue of the same context and device",
                         function);

    /* What zcs needs of the device, as it asks of every device it lists. */
    zcs__cl_candidate device = {0};
    device.device = desc->device;
    error = zcs__cl.clGetDeviceInfo(desc->device, CL_DEVICE_PLATFORM, sizeof device.platform,
                                    &device.platform, NULL);
    if (error != CL_SUCCESS)
        return zcs__cl_fail(context, ZCS_ERROR_BACKEND, "clGetDeviceInfo", error,
                            "CL_DEVICE_PLATFORM of desc->device");
    error = zcs__cl.clGetPlatformInfo(device.platform, CL_PLATFORM_NAME,
                                      sizeof device.platform_name, device.platform_name, NULL);
    if (error != CL_SUCCESS)
        return zcs__cl_fail(context, ZCS_ERROR_BACKEND, "clGetPlatformInfo", error,
                            "CL_PLATFORM_NAME of desc->device's platform");
    device.platform_name[sizeof device.platform_name - 1] = '\0';
    zcs__cl_inspect_device(&device);
    if (device.refusal[0] != '\0')
        return zcs__fail(context, ZCS_ERROR_UNSUPPORTED, 0,
                         "%s: zcs cannot use desc->device (%s): %s", function, device.device_name,
                         device.refusal);
    zcs_status status = zcs__cl_device_index(context, desc->device, out_index);
    if (status != ZCS_SUCCESS)
        return status;
    *out_device = device;
    return ZCS_SUCCESS;
}

zcs_status zcs_opencl_context_native(zcs_context *context_handle,
                                     zcs_opencl_context_objects *out_objects)
{
    ZCS__RESOLVE_CONTEXT(context, context_handle, "zcs_opencl_context_native");
    if (out_objects == NULL)
        return zcs__fail(context, ZCS_ERROR_NULL_HANDLE, 0,
                         "zcs_opencl_context_native: out_objects is NULL");
    struct zcs__context_impl *impl = context->impl;
    /* The application may enqueue on the queue from now on: the newest dispatch gets a
       marker, and every later one its event (ordering.c). */
    pthread_mutex_lock(&impl->queue_lock);
    impl->dispatch_events = 1;
    zcs_status status = zcs__cl_tail_marker(context);
    pthread_mutex_unlock(&impl->queue_lock);
    if (status != ZCS_SUCCESS)
        return status;
    out_objects->platform = impl->platform;
    out_objects->context = impl->cl_context;
    out_objects->device = impl->device;
    out_objects->queue = impl->queue;
    return ZCS_SUCCESS;
}

/* The SVM tiers' buffer over the array's memory, made at the first call. */
static zcs_status zcs__cl_svm_buffer(zcs_array *array)
{
    struct zcs__array_impl *impl = array->impl;
    if (impl->svm_buffer != NULL)
        return ZCS_SUCCESS;
    cl_mem_flags flags = CL_MEM_USE_HOST_PTR;
    if (array->flags & ZCS_ARRAY_DEVICE_READ_ONLY)
        flags |= CL_MEM_READ_ONLY;
    else if (array->flags & ZCS_ARRAY_DEVICE_WRITE_ONLY)
        flags |= CL_MEM_WRITE_ONLY;
    else
        flags |= CL_MEM_READ_WRITE;
    /* OpenCL 2.0: a buffer made with CL_MEM_USE_HOST_PTR over memory from clSVMAlloc uses
       that memory as its storage; it covers the whole allocation (guards included). */
    cl_int error = CL_SUCCESS;
    cl_mem buffer =
        zcs__cl.clCreateBuffer(array->context->impl->cl_context, flags,
                               array->size + 2 * array->guard_size, impl->svm_base, &error);
    if (buffer == NULL || error != CL_SUCCESS)
        return zcs__cl_fail(array->context, ZCS_ERROR_BACKEND, "clCreateBuffer", error,
                            "a CL_MEM_USE_HOST_PTR buffer over an array's SVM memory");
    impl->svm_buffer = buffer;
    return ZCS_SUCCESS;
}

zcs_status zcs_opencl_array_native(zcs_array *handle, zcs_opencl_array_objects *out_objects)
{
    ZCS__CLAIM(zcs_array, array, handle, ZCS__MAGIC_ARRAY, 1, "array", "zcs_opencl_array_native");
    zcs_status status = ZCS_SUCCESS;
    struct zcs__array_impl *impl = array->impl;
    if (out_objects == NULL) {
        status = zcs__fail(array->context, ZCS_ERROR_NULL_HANDLE, 0,
                           "zcs_opencl_array_native: out_objects is NULL");
    } else if (impl->svm != NULL) {
        status = zcs__cl_svm_buffer(array);
        if (status == ZCS_SUCCESS) {
            out_objects->buffer = impl->svm_buffer;
            out_objects->offset = array->guard_size;
            out_objects->size = array->size;
            out_objects->svm_pointer = impl->svm;
        }
    } else {
        if (array->tier == ZCS_TIER_STAGED) {
            /* The application may use the buffer from now on: the array's unmaps copy to
               it at once, and one left for a dispatch is enqueued now. */
            pthread_mutex_lock(&array->context->impl->queue_lock);
            impl->shared = 1;
            zcs__readahead_forget(&impl->readahead);
            pthread_mutex_unlock(&array->context->impl->queue_lock);
            status = zcs__cl_staged_flush(array);
        }
        out_objects->buffer = impl->mem;
        out_objects->offset = 0;
        out_objects->size = array->size;
        out_objects->svm_pointer = NULL;
    }
    zcs__handle_release(handle);
    return status;
}
