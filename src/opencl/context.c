/* OpenCL backend: the context and its queue, on the device and tier device.c chooses. */
#include "opencl/internal.h"

const zcs_backend zcs__backend_id = ZCS_BACKEND_OPENCL;

zcs_status zcs__backend_context_create(zcs_context *context, const zcs__device_choice *device,
                                       zcs_tier tier, const char *tier_source)
{
    zcs__cl_candidate choice;
    uint32_t index = 0;
    zcs_status status = zcs__cl_choose_device(context, device, &choice, &index);
    if (status != ZCS_SUCCESS)
        return status;
    status = zcs__cl_choose_tier(context, &choice, tier, tier_source, context->tier_reason,
                                 sizeof context->tier_reason, &context->info.tier);
    if (status != ZCS_SUCCESS)
        return status;
    zcs_device_limits limits;
    size_t alignment = 0;
    status = zcs__cl_query_limits(context, &choice, &limits, &alignment);
    if (status != ZCS_SUCCESS)
        return status;
    cl_int error = CL_SUCCESS;

    struct zcs__context_impl *impl = zcs__calloc(1, sizeof *impl);
    if (impl == NULL)
        return zcs__fail(context, ZCS_ERROR_OUT_OF_MEMORY, 0,
                         "zcs_context_create: out of host memory");
    impl->device = choice.device;
    impl->supports_il = zcs__cl_supports_il(&choice);
    impl->max_work_group_size = (size_t)limits.max_work_group_size;
    for (int d = 0; d < 3; d++)
        impl->max_work_item_sizes[d] = (size_t)limits.max_work_item_sizes[d];

    cl_context_properties properties[] = {CL_CONTEXT_PLATFORM,
                                          (cl_context_properties)choice.platform, 0};
    impl->cl_context = zcs__cl.clCreateContext(properties, 1, &choice.device, NULL, NULL, &error);
    if (impl->cl_context == NULL || error != CL_SUCCESS) {
        zcs__free(impl);
        return zcs__cl_fail(context, ZCS_ERROR_BACKEND, "clCreateContext", error,
                            choice.device_name);
    }
    impl->queue = zcs__cl.clCreateCommandQueue(impl->cl_context, choice.device, 0, &error);
    if (impl->queue == NULL || error != CL_SUCCESS) {
        zcs__cl.clReleaseContext(impl->cl_context);
        zcs__free(impl);
        return zcs__cl_fail(context, ZCS_ERROR_BACKEND, "clCreateCommandQueue", error,
                            choice.device_name);
    }

    context->impl = impl;
    status = zcs__cl_transfer_queue_create(context, choice.device);
    context->impl = NULL;
    if (status != ZCS_SUCCESS) {
        zcs__cl.clReleaseCommandQueue(impl->queue);
        zcs__cl.clReleaseContext(impl->cl_context);
        zcs__free(impl);
        return status;
    }

    int locks = pthread_mutex_init(&impl->queue_lock, NULL) == 0;
    if (locks && pthread_mutex_init(&impl->svm_lock, NULL) != 0) {
        pthread_mutex_destroy(&impl->queue_lock);
        locks = 0;
    }
    if (!locks) {
        zcs__cl.clReleaseCommandQueue(impl->transfer_queue);
        zcs__cl.clReleaseCommandQueue(impl->queue);
        zcs__cl.clReleaseContext(impl->cl_context);
        zcs__free(impl);
        return zcs__fail(context, ZCS_ERROR_OUT_OF_MEMORY, 0,
                         "zcs_context_create: cannot create a mutex");
    }
    context->impl = impl;
    zcs__copy_string(context->device_name, sizeof context->device_name, choice.device_name);
    zcs__copy_string(context->platform_name, sizeof context->platform_name, choice.platform_name);
    context->info.unified_memory = choice.unified_memory;
    if (context->info.tier == ZCS_TIER_STAGED && tier == ZCS_TIER_AUTO)
        context->streamed_tier = zcs__cl_host_tier(&choice);
    context->info.is_gpu = choice.is_gpu;
    context->info.max_alloc_size = limits.max_alloc_size;
    context->info.memory_budget = limits.memory_budget;
    context->info.alignment = alignment;
    context->info.device_index = index;
    context->info.limits = limits;
    return ZCS_SUCCESS;
}

void zcs__backend_context_destroy(zcs_context *context)
{
    struct zcs__context_impl *impl = context->impl;
    if (impl == NULL)
        return;
    if (impl->svm_sentinel != NULL)
        zcs__cl.clSVMFree(impl->cl_context, impl->svm_sentinel);
    zcs__cl.clReleaseCommandQueue(impl->transfer_queue);
    zcs__cl.clReleaseCommandQueue(impl->queue);
    zcs__cl.clReleaseContext(impl->cl_context);
    pthread_mutex_destroy(&impl->queue_lock);
    pthread_mutex_destroy(&impl->svm_lock);
    zcs__free(impl);
    context->impl = NULL;
}
