/*
 * OpenCL backend: the context and its queue, on the device and tier device.c chooses, or
 * on the application's objects (attach). Both end in zcs__cl_context_start, which sets up
 * the zcs context once the OpenCL objects exist.
 */
#include "opencl/internal.h"
#include "zcs/zcs_opencl.h"

const zcs_backend zcs__backend_id = ZCS_BACKEND_OPENCL;

/*
 * Everything a context on existing OpenCL objects needs: the tier, the limits, the impl
 * and context->info. Takes over one reference to each of cl_context and queue (and, when
 * retained_device, to the device): released here on failure, at destroy otherwise.
 */
static zcs_status zcs__cl_context_start(zcs_context *context, const zcs__cl_candidate *device,
                                        uint32_t index, zcs_tier tier, const char *tier_source,
                                        cl_context cl_context, cl_command_queue queue,
                                        int retained_device, int attached)
{
    zcs_device_limits limits;
    size_t alignment = 0;
    struct zcs__context_impl *impl = NULL;
    zcs_status status =
        zcs__cl_choose_tier(context, device, tier, tier_source, context->tier_reason,
                            sizeof context->tier_reason, &context->info.tier);
    if (status == ZCS_SUCCESS)
        status = zcs__cl_query_limits(context, device, &limits, &alignment);
    if (status == ZCS_SUCCESS && (impl = zcs__calloc(1, sizeof *impl)) == NULL)
        status = zcs__fail(context, ZCS_ERROR_OUT_OF_MEMORY, 0,
                           "creating a context: out of "
                           "host memory");
    if (status == ZCS_SUCCESS) {
        int locks = pthread_mutex_init(&impl->queue_lock, NULL) == 0;
        if (locks && pthread_mutex_init(&impl->svm_lock, NULL) != 0) {
            pthread_mutex_destroy(&impl->queue_lock);
            locks = 0;
        }
        if (locks && pthread_mutex_init(&impl->follow_lock, NULL) != 0) {
            pthread_mutex_destroy(&impl->queue_lock);
            pthread_mutex_destroy(&impl->svm_lock);
            locks = 0;
        }
        if (locks && pthread_cond_init(&impl->finished, NULL) != 0) {
            pthread_mutex_destroy(&impl->queue_lock);
            pthread_mutex_destroy(&impl->svm_lock);
            pthread_mutex_destroy(&impl->follow_lock);
            locks = 0;
        }
        if (!locks) {
            zcs__free(impl);
            status = zcs__fail(context, ZCS_ERROR_OUT_OF_MEMORY, 0,
                               "creating a context: cannot create a mutex");
        }
    }
    if (status != ZCS_SUCCESS) {
        zcs__cl.clReleaseCommandQueue(queue);
        zcs__cl.clReleaseContext(cl_context);
        if (retained_device)
            zcs__cl.clReleaseDevice(device->device);
        return status;
    }
    impl->device = device->device;
    impl->cl_context = cl_context;
    impl->queue = queue;
    impl->platform = device->platform;
    impl->retained_device = retained_device;
    impl->attached = attached;
    /* The application enqueues on its own queue too: a dispatch there is never known to be
       the queue's tail (ordering.c), so each asks for its event. */
    impl->dispatch_events = attached;
    impl->supports_il = zcs__cl_supports_il(device);
    impl->max_work_group_size = (size_t)limits.max_work_group_size;
    for (int d = 0; d < 3; d++)
        impl->max_work_item_sizes[d] = (size_t)limits.max_work_item_sizes[d];
    context->impl = impl;
    /* zcs's own queue for maps, unmaps and copies, on the same device (ordering.c). */
    status = zcs__cl_transfer_queue_create(context, device->device);
    if (status != ZCS_SUCCESS) {
        context->impl = NULL;
        pthread_mutex_destroy(&impl->queue_lock);
        pthread_mutex_destroy(&impl->svm_lock);
        pthread_mutex_destroy(&impl->follow_lock);
        pthread_cond_destroy(&impl->finished);
        zcs__free(impl);
        zcs__cl.clReleaseCommandQueue(queue);
        zcs__cl.clReleaseContext(cl_context);
        if (retained_device)
            zcs__cl.clReleaseDevice(device->device);
        return status;
    }
    zcs__copy_string(context->device_name, sizeof context->device_name, device->device_name);
    zcs__copy_string(context->platform_name, sizeof context->platform_name, device->platform_name);
    context->info.unified_memory = device->unified_memory;
    if (context->info.tier == ZCS_TIER_STAGED && tier == ZCS_TIER_AUTO)
        context->streamed_tier = zcs__cl_host_tier(device);
    context->info.is_gpu = device->is_gpu;
    context->info.max_alloc_size = limits.max_alloc_size;
    context->info.memory_budget = limits.memory_budget;
    context->info.alignment = alignment;
    context->info.device_index = index;
    context->info.limits = limits;
    return ZCS_SUCCESS;
}

zcs_status zcs__backend_context_create(zcs_context *context, const zcs__device_choice *device,
                                       zcs_tier tier, const char *tier_source)
{
    zcs__cl_candidate choice;
    uint32_t index = 0;
    zcs_status status = zcs__cl_choose_device(context, device, &choice, &index);
    if (status != ZCS_SUCCESS)
        return status;
    /* A forced tier the device lacks is refused before any OpenCL object is made. */
    zcs_tier chosen = ZCS_TIER_AUTO;
    status = zcs__cl_choose_tier(context, &choice, tier, tier_source, context->tier_reason,
                                 sizeof context->tier_reason, &chosen);
    if (status != ZCS_SUCCESS)
        return status;
    cl_int error = CL_SUCCESS;
    cl_context_properties properties[] = {CL_CONTEXT_PLATFORM,
                                          (cl_context_properties)choice.platform, 0};
    cl_context cl_context =
        zcs__cl.clCreateContext(properties, 1, &choice.device, NULL, NULL, &error);
    if (cl_context == NULL || error != CL_SUCCESS)
        return zcs__cl_fail(context, ZCS_ERROR_BACKEND, "clCreateContext", error,
                            choice.device_name);
    cl_command_queue queue = zcs__cl.clCreateCommandQueue(cl_context, choice.device, 0, &error);
    if (queue == NULL || error != CL_SUCCESS) {
        zcs__cl.clReleaseContext(cl_context);
        return zcs__cl_fail(context, ZCS_ERROR_BACKEND, "clCreateCommandQueue", error,
                            choice.device_name);
    }
    return zcs__cl_context_start(context, &choice, index, tier, tier_source, cl_context, queue, 0,
                                 0);
}

zcs_status zcs__backend_context_attach(zcs_context *context, const void *native_desc, zcs_tier tier,
                                       const char *tier_source)
{
    zcs__cl_candidate device;
    uint32_t index = 0;
    zcs_status status = zcs__cl_check_attach(context, native_desc, &device, &index);
    if (status != ZCS_SUCCESS)
        return status;
    const zcs_opencl_attach_desc *desc = native_desc;
    /* One reference of zcs's own to each object: the application's stay its own. */
    cl_int error = zcs__cl.clRetainDevice(desc->device);
    if (error != CL_SUCCESS)
        return zcs__cl_fail(context, ZCS_ERROR_BACKEND, "clRetainDevice", error,
                            device.device_name);
    error = zcs__cl.clRetainContext(desc->context);
    if (error != CL_SUCCESS) {
        zcs__cl.clReleaseDevice(desc->device);
        return zcs__cl_fail(context, ZCS_ERROR_BACKEND, "clRetainContext", error, NULL);
    }
    /* The application's queue, or an in-order queue of zcs's own on its context and device
       (desc->queue NULL), where only zcs enqueues. */
    cl_command_queue queue = desc->queue;
    const char *call = "clRetainCommandQueue";
    if (queue != NULL) {
        error = zcs__cl.clRetainCommandQueue(queue);
    } else {
        call = "clCreateCommandQueue";
        queue = zcs__cl.clCreateCommandQueue(desc->context, desc->device, 0, &error);
        if (queue == NULL && error == CL_SUCCESS)
            error = CL_INVALID_VALUE;
    }
    if (error != CL_SUCCESS) {
        zcs__cl.clReleaseContext(desc->context);
        zcs__cl.clReleaseDevice(desc->device);
        return zcs__cl_fail(context, ZCS_ERROR_BACKEND, call, error, device.device_name);
    }
    status = zcs__cl_context_start(context, &device, index, tier, tier_source, desc->context, queue,
                                   1, 1);
    if (status == ZCS_SUCCESS && desc->queue == NULL)
        context->impl->dispatch_events = 0; /* nothing of the application's on the queue */
    return status;
}

void zcs__backend_context_destroy(zcs_context *context)
{
    struct zcs__context_impl *impl = context->impl;
    if (impl == NULL)
        return;
    if (impl->svm_sentinel != NULL)
        zcs__cl.clSVMFree(impl->cl_context, impl->svm_sentinel);
    zcs__cl.clReleaseCommandQueue(impl->follow_queue);
    zcs__cl.clReleaseCommandQueue(impl->transfer_queue);
    zcs__cl.clReleaseCommandQueue(impl->queue);
    zcs__cl.clReleaseContext(impl->cl_context);
    if (impl->retained_device)
        zcs__cl.clReleaseDevice(impl->device);
    pthread_mutex_destroy(&impl->queue_lock);
    pthread_mutex_destroy(&impl->svm_lock);
    pthread_mutex_destroy(&impl->follow_lock);
    pthread_cond_destroy(&impl->finished);
    zcs__free(impl->tail_users);
    zcs__free(impl);
    context->impl = NULL;
}
