/* OpenCL backend: submission and waiting. */
#include <stdint.h>

#include "opencl/internal.h"

zcs_status zcs__backend_dispatch(zcs_kernel *kernel, uint32_t dims, const size_t *global_size,
                                 const size_t *local_size, uint32_t arg_count, uint64_t serial)
{
    /* The arguments are already with the kernel (clSetKernelArg at zcs_kernel_set_*); the
       in-order queue orders dispatches; the wait list adds the unmaps and the application
       work on its arrays, and the event lets maps wait for this dispatch alone
       (ordering.c). */
    (void)serial;
    zcs_context *context = kernel->context;
    struct zcs__context_impl *ctx = context->impl;
    size_t global[3] = {1, 1, 1};
    size_t local[3] = {1, 1, 1};
    size_t group_items = 1;
    for (uint32_t d = 0; d < dims; d++) {
        global[d] = global_size[d];
        if (local_size != NULL) {
            local[d] = local_size[d];
            group_items *= local[d];
            /* Round up to whole work groups; kernels check their index against the count. */
            size_t remainder = global[d] % local[d];
            if (remainder != 0) {
                if (global[d] > SIZE_MAX - (local[d] - remainder))
                    return zcs__fail(context, ZCS_ERROR_INVALID_ARGUMENT, 0,
                                     "zcs_dispatch: global size %zu of dimension %u overflows "
                                     "when rounded up to the local size %zu",
                                     global[d], d, local[d]);
                global[d] += local[d] - remainder;
            }
        }
    }
    if (local_size != NULL) {
        for (uint32_t d = 0; d < dims; d++) {
            if (local[d] > ctx->max_work_item_sizes[d])
                return zcs__fail(context, ZCS_ERROR_INVALID_ARGUMENT, 0,
                                 "zcs_dispatch: local size %zu of dimension %u exceeds the "
                                 "device's maximum of %zu (CL_DEVICE_MAX_WORK_ITEM_SIZES)",
                                 local[d], d, ctx->max_work_item_sizes[d]);
        }
        size_t limit = kernel->impl->work_group_size != 0 ? kernel->impl->work_group_size
                                                          : ctx->max_work_group_size;
        if (group_items > limit)
            return zcs__fail(context, ZCS_ERROR_INVALID_ARGUMENT, 0,
                             "zcs_dispatch: work groups of %zu items exceed the %zu that kernel "
                             "\"%s\" allows on this device (CL_KERNEL_WORK_GROUP_SIZE)",
                             group_items, limit, kernel->name);
    }

    pthread_mutex_lock(&ctx->queue_lock);
    zcs__cl_wait_list waits;
    zcs_status status = zcs__cl_dispatch_wait_list(kernel, arg_count, &waits);
    if (status != ZCS_SUCCESS) {
        pthread_mutex_unlock(&ctx->queue_lock);
        return status;
    }
    cl_event event = NULL;
    cl_int error = zcs__cl.clEnqueueNDRangeKernel(
        ctx->queue, kernel->impl->kernel, dims, NULL, global, local_size != NULL ? local : NULL,
        waits.count, waits.count > 0 ? waits.events : NULL, &event);
    if (error == CL_SUCCESS) {
        zcs__cl.clFlush(ctx->queue);
        zcs__cl_dispatch_record(kernel, arg_count, event);
        zcs__cl.clReleaseEvent(event);
    }
    zcs__cl_wait_list_release(&waits);
    pthread_mutex_unlock(&ctx->queue_lock);
    if (error != CL_SUCCESS)
        return zcs__cl_fail(context, ZCS_ERROR_DISPATCH, "clEnqueueNDRangeKernel", error,
                            kernel->name);
    return ZCS_SUCCESS;
}

zcs_status zcs__backend_finish(zcs_context *context)
{
    pthread_mutex_lock(&context->impl->queue_lock);
    cl_int error = zcs__cl.clFinish(context->impl->queue);
    if (error == CL_SUCCESS)
        error = zcs__cl.clFinish(context->impl->transfer_queue);
    pthread_mutex_unlock(&context->impl->queue_lock);
    if (error != CL_SUCCESS)
        return zcs__cl_fail(context, ZCS_ERROR_BACKEND, "clFinish", error, NULL);
    return ZCS_SUCCESS;
}
