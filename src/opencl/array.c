/* OpenCL backend: arrays on each tier: create, destroy, map, unmap, validation guards and
   device addresses (ZCS_PTR fields, SVM tiers); the staged tier's own code is staged.c. */
#include <string.h>

#include "opencl/internal.h"

cl_mem_flags zcs__cl_device_access(uint32_t flags)
{
    if (flags & ZCS_ARRAY_DEVICE_READ_ONLY)
        return CL_MEM_READ_ONLY;
    if (flags & ZCS_ARRAY_DEVICE_WRITE_ONLY)
        return CL_MEM_WRITE_ONLY;
    return CL_MEM_READ_WRITE;
}

cl_mem_flags zcs__cl_host_access(uint32_t flags)
{
    if (flags & ZCS_ARRAY_HOST_WRITE_ONLY)
        return CL_MEM_HOST_WRITE_ONLY;
    if (flags & ZCS_ARRAY_HOST_READ_ONLY)
        return CL_MEM_HOST_READ_ONLY;
    return 0;
}

zcs_status zcs__backend_array_create(zcs_array *array)
{
    if (array->tier == ZCS_TIER_STAGED)
        return zcs__cl_staged_create(array);
    zcs_context *context = array->context;
    struct zcs__context_impl *ctx = context->impl;
    struct zcs__array_impl *impl = zcs__calloc(1, sizeof *impl);
    if (impl == NULL)
        return zcs__fail(context, ZCS_ERROR_OUT_OF_MEMORY, 0,
                         "zcs_array_create: out of host memory");

    cl_mem_flags flags = zcs__cl_device_access(array->flags);
    if (array->tier == ZCS_TIER_SVM_FINE || array->tier == ZCS_TIER_SVM_COARSE) {
        if (array->tier == ZCS_TIER_SVM_FINE)
            flags |= CL_MEM_SVM_FINE_GRAIN_BUFFER;
        pthread_mutex_lock(&ctx->svm_lock);
        impl->svm_base =
            zcs__cl.clSVMAlloc(ctx->cl_context, flags, array->size + 2 * array->guard_size,
                               (cl_uint)context->info.alignment);
        pthread_mutex_unlock(&ctx->svm_lock);
        impl->svm = impl->svm_base != NULL ? (char *)impl->svm_base + array->guard_size : NULL;
        if (impl->svm == NULL) {
            zcs__free(impl);
            /* clSVMAlloc returns no error code; a refusal within the limits is lack of memory. */
            return zcs__fail(context, ZCS_ERROR_OUT_OF_MEMORY, 0,
                             "clSVMAlloc of %zu bytes (%s) returned NULL: out of device memory",
                             array->size, zcs_tier_name(array->tier));
        }
    } else {
        flags |= CL_MEM_ALLOC_HOST_PTR;
        cl_mem_flags host_flags = zcs__cl_host_access(array->flags);
        /* Guarded arrays put the host-access flags on the sub-buffer: the guards are read
           and written through the parent. */
        if (array->guard_size == 0)
            flags |= host_flags;
        cl_int error = CL_SUCCESS;
        impl->mem = zcs__cl.clCreateBuffer(ctx->cl_context, flags,
                                           array->size + 2 * array->guard_size, NULL, &error);
        if (impl->mem == NULL || error != CL_SUCCESS) {
            zcs__free(impl);
            return zcs__cl_fail(context, ZCS_ERROR_BACKEND, "clCreateBuffer", error,
                                "CL_MEM_ALLOC_HOST_PTR array");
        }
        if (array->guard_size != 0) {
            /* The array is a sub-buffer between the guards (the guard is a multiple of the
               device's base address alignment, as sub-buffer origins must be). */
            cl_buffer_region region = {array->guard_size, array->size};
            impl->parent = impl->mem;
            impl->mem = zcs__cl.clCreateSubBuffer(impl->parent, host_flags,
                                                  CL_BUFFER_CREATE_TYPE_REGION, &region, &error);
            if (impl->mem == NULL || error != CL_SUCCESS) {
                zcs__cl.clReleaseMemObject(impl->parent);
                zcs__free(impl);
                return zcs__cl_fail(context, ZCS_ERROR_BACKEND, "clCreateSubBuffer", error,
                                    "the array between its guards");
            }
        }
    }
    array->impl = impl;
    return ZCS_SUCCESS;
}

void zcs__backend_array_destroy(zcs_array *array)
{
    struct zcs__array_impl *impl = array->impl;
    if (impl == NULL)
        return;
    /* The buffer over SVM memory goes before the memory under it. */
    if (impl->svm_buffer != NULL)
        zcs__cl.clReleaseMemObject(impl->svm_buffer);
    pthread_mutex_lock(&array->context->impl->queue_lock);
    zcs__cl_array_events_release(array->context->impl, impl);
    pthread_mutex_unlock(&array->context->impl->queue_lock);
    if (array->tier == ZCS_TIER_STAGED) {
        zcs__cl_staged_destroy(array);
        return;
    }
    if (impl->svm_base != NULL) {
        struct zcs__context_impl *ctx = array->context->impl;
        /* clSVMFree does not wait for queued commands that use the memory (an SVM unmap just
           enqueued, a guard check's): let the transfer queue drain first (the core waited
           for the dispatches). */
        if (array->tier == ZCS_TIER_SVM_COARSE) {
            pthread_mutex_lock(&ctx->queue_lock);
            zcs__cl_poll_finish(array->context, ctx->transfer_queue, NULL);
            zcs__cl.clFinish(ctx->transfer_queue);
            pthread_mutex_unlock(&ctx->queue_lock);
            zcs__stats_add_device_wait(array->context);
        }
        pthread_mutex_lock(&array->context->impl->svm_lock);
        zcs__cl.clSVMFree(array->context->impl->cl_context, impl->svm_base);
        pthread_mutex_unlock(&array->context->impl->svm_lock);
    }
    if (impl->mem != NULL)
        zcs__cl.clReleaseMemObject(impl->mem);
    if (impl->parent != NULL)
        zcs__cl.clReleaseMemObject(impl->parent);
    zcs__cl_import_release(impl);
    zcs__free(impl);
    array->impl = NULL;
}

static cl_map_flags zcs__cl_map_flags(zcs_access access)
{
    switch (access) {
    case ZCS_MAP_READ:
        return CL_MAP_READ;
    case ZCS_MAP_WRITE:
        return CL_MAP_WRITE;
    case ZCS_MAP_READ_WRITE:
        return CL_MAP_READ | CL_MAP_WRITE;
    case ZCS_MAP_WRITE_DISCARD:
        return CL_MAP_WRITE_INVALIDATE_REGION;
    }
    return CL_MAP_READ | CL_MAP_WRITE;
}

/*
 * Whether maps and unmaps of this array make the runtime copy: always where the device
 * has memory of its own, and on a unified device once the host_ptr tier showed a
 * staging copy (see zcs__backend_array_map).
 */
static int zcs__cl_array_copies(const zcs_array *array)
{
    return !array->context->info.unified_memory || array->impl->staged;
}

zcs_status zcs__backend_array_map(zcs_array *array, zcs_access access, size_t offset, size_t size,
                                  uint64_t after, void **out_ptr)
{
    zcs_context *context = array->context;
    struct zcs__array_impl *impl = array->impl;
    cl_int error = CL_SUCCESS;
    void *ptr = NULL;

    if (array->tier == ZCS_TIER_STAGED)
        return zcs__cl_staged_map(array, access, offset, size, after, out_ptr);
    if (array->tier == ZCS_TIER_SVM_FINE) {
        /* Same pointer, coherent, no map to queue: wait for the kernels on the host. */
        zcs_status status = after != 0 ? zcs__backend_array_wait(array, after) : ZCS_SUCCESS;
        if (status != ZCS_SUCCESS)
            return status;
        *out_ptr = (char *)impl->svm + offset;
        return ZCS_SUCCESS;
    }
    /* The runtime's map waits for the array's dispatch itself where one is pending, like the
       blocking map of a hand-written frame (zcs__cl_map_queue_begin). */
    zcs__cl_map_queue queue;
    zcs_status status = zcs__cl_map_queue_begin(array, after, &queue);
    if (status != ZCS_SUCCESS)
        return status;
    const char *call = NULL;
    /* Under ZCS_WAIT_POLL the map is enqueued without blocking and its event polled, then
       waited for: the same one wait, under the same lock. */
    int poll = context->wait_poll_ns != 0;
    cl_bool blocking = poll ? CL_FALSE : CL_TRUE;
    cl_event mapped = NULL;
    pthread_mutex_lock(queue.lock);
    if (array->tier == ZCS_TIER_SVM_COARSE) {
        call = "clEnqueueSVMMap";
        ptr = (char *)impl->svm + offset;
        error = zcs__cl.clEnqueueSVMMap(queue.queue, blocking, zcs__cl_map_flags(access), ptr, size,
                                        queue.wait_count, queue.wait_list, poll ? &mapped : NULL);
    } else {
        call = "clEnqueueMapBuffer";
        ptr = zcs__cl.clEnqueueMapBuffer(queue.queue, impl->mem, blocking,
                                         zcs__cl_map_flags(access), offset, size, queue.wait_count,
                                         queue.wait_list, poll ? &mapped : NULL, &error);
        if (ptr == NULL && error == CL_SUCCESS)
            error = CL_INVALID_VALUE;
    }
    if (poll && error == CL_SUCCESS) {
        error = zcs__cl_wait_command(context, queue.queue, mapped);
        /* Enqueued, so mapped, but it (or the dispatch it waited for) failed: a blocking
           map would have left nothing mapped, and neither does this one. */
        if (error != CL_SUCCESS && array->tier == ZCS_TIER_SVM_COARSE)
            (void)zcs__cl.clEnqueueSVMUnmap(queue.queue, ptr, 0, NULL, NULL);
        else if (error != CL_SUCCESS && ptr != NULL)
            (void)zcs__cl.clEnqueueUnmapMemObject(queue.queue, impl->mem, ptr, 0, NULL, NULL);
    } else if (mapped != NULL) {
        zcs__cl.clReleaseEvent(mapped);
    }
    pthread_mutex_unlock(queue.lock);
    zcs__cl_map_queue_end(array, &queue, error);
    if (error != CL_SUCCESS)
        return zcs__cl_fail(context, ZCS_ERROR_BACKEND, call, error, NULL);
    if (array->tier != ZCS_TIER_SVM_COARSE) {
        /* A zero-copy runtime maps every range into one fixed host allocation; a pointer
           that moves between maps shows a staging copy, which is then counted. */
        if (impl->stable_ptr == NULL)
            impl->stable_ptr = (char *)ptr - offset;
        else if ((char *)ptr - offset != (char *)impl->stable_ptr)
            impl->staged = 1;
    }
    /* A map that preserves contents brings the range to the host where the runtime copies. */
    if (zcs__cl_array_copies(array) && access != ZCS_MAP_WRITE_DISCARD)
        zcs__stats_add_copied(context, size);
    *out_ptr = ptr;
    return ZCS_SUCCESS;
}

zcs_status zcs__backend_array_unmap(zcs_array *array)
{
    zcs_context *context = array->context;
    struct zcs__context_impl *ctx = context->impl;
    struct zcs__array_impl *impl = array->impl;
    cl_int error = CL_SUCCESS;
    const char *call = NULL;
    cl_event event = NULL;

    if (array->tier == ZCS_TIER_STAGED)
        return zcs__cl_staged_unmap(array);
    pthread_mutex_lock(&ctx->queue_lock);
    switch (array->tier) {
    case ZCS_TIER_SVM_FINE:
        /* Nothing to call: host writes reach kernels enqueued after this point. */
        break;
    case ZCS_TIER_SVM_COARSE:
        call = "clEnqueueSVMUnmap";
        error = zcs__cl.clEnqueueSVMUnmap(ctx->transfer_queue,
                                          (char *)impl->svm + array->map_offset, 0, NULL, &event);
        break;
    default:
        call = "clEnqueueUnmapMemObject";
        error = zcs__cl.clEnqueueUnmapMemObject(ctx->transfer_queue, impl->mem, array->map_ptr, 0,
                                                NULL, &event);
        break;
    }
    /* Start the unmap now rather than at the next dispatch or finish; the next dispatch
       that uses the array waits for it (ordering.c). */
    if (call != NULL && error == CL_SUCCESS) {
        zcs__cl.clFlush(ctx->transfer_queue);
        if (impl->unmap_event != NULL)
            zcs__cl.clReleaseEvent(impl->unmap_event);
        impl->unmap_event = event;
    }
    pthread_mutex_unlock(&ctx->queue_lock);
    if (error != CL_SUCCESS)
        return zcs__cl_fail(context, ZCS_ERROR_BACKEND, call, error, NULL);
    if (zcs__cl_array_copies(array) && array->map_access != ZCS_MAP_READ)
        zcs__stats_add_copied(context, array->map_size);
    return ZCS_SUCCESS;
}

zcs_status zcs__backend_array_guard(zcs_array *array, zcs__guard_side side, zcs__guard_copy copy,
                                    unsigned char *bytes)
{
    int back = side == ZCS__GUARD_AFTER;
    int write = copy == ZCS__GUARD_WRITE;
    zcs_context *context = array->context;
    struct zcs__context_impl *ctx = context->impl;
    struct zcs__array_impl *impl = array->impl;
    size_t guard = array->guard_size;
    size_t offset = back ? guard + array->size : 0;
    cl_map_flags flags = write ? CL_MAP_WRITE_INVALIDATE_REGION : CL_MAP_READ;
    cl_int error = CL_SUCCESS;
    const char *call = NULL;

    if (array->tier == ZCS_TIER_STAGED)
        return zcs__cl_staged_guard(array, side, copy, bytes);
    if (array->tier == ZCS_TIER_SVM_FINE) {
        unsigned char *region = (unsigned char *)impl->svm_base + offset;
        memcpy(write ? region : bytes, write ? bytes : region, guard);
        return ZCS_SUCCESS;
    }
    /* Under ZCS_WAIT_POLL the map is enqueued without blocking, polled and waited for, as
       zcs__backend_array_map does; that poll is this one wait's, so the finish after a
       write (of the unmap alone, quick) does not poll again. */
    int poll = context->wait_poll_ns != 0;
    cl_bool blocking = poll ? CL_FALSE : CL_TRUE;
    cl_event mapped = NULL;
    pthread_mutex_lock(&ctx->queue_lock);
    if (array->tier == ZCS_TIER_SVM_COARSE) {
        unsigned char *region = (unsigned char *)impl->svm_base + offset;
        call = "clEnqueueSVMMap";
        error = zcs__cl.clEnqueueSVMMap(ctx->transfer_queue, blocking, flags, region, guard, 0,
                                        NULL, poll ? &mapped : NULL);
        if (poll && error == CL_SUCCESS) {
            error = zcs__cl_wait_command(context, ctx->transfer_queue, mapped);
            if (error != CL_SUCCESS) /* mapped all the same: leave nothing mapped */
                (void)zcs__cl.clEnqueueSVMUnmap(ctx->transfer_queue, region, 0, NULL, NULL);
        } else if (mapped != NULL) {
            zcs__cl.clReleaseEvent(mapped);
        }
        if (error == CL_SUCCESS) {
            memcpy(write ? region : bytes, write ? bytes : region, guard);
            call = "clEnqueueSVMUnmap";
            error = zcs__cl.clEnqueueSVMUnmap(ctx->transfer_queue, region, 0, NULL, NULL);
        }
    } else {
        call = "clEnqueueMapBuffer";
        unsigned char *region =
            zcs__cl.clEnqueueMapBuffer(ctx->transfer_queue, impl->parent, blocking, flags, offset,
                                       guard, 0, NULL, poll ? &mapped : NULL, &error);
        if (poll && region != NULL && error == CL_SUCCESS) {
            error = zcs__cl_wait_command(context, ctx->transfer_queue, mapped);
            if (error != CL_SUCCESS) /* mapped all the same: leave nothing mapped */
                (void)zcs__cl.clEnqueueUnmapMemObject(ctx->transfer_queue, impl->parent, region, 0,
                                                      NULL, NULL);
        } else if (mapped != NULL) {
            zcs__cl.clReleaseEvent(mapped);
        }
        if (region != NULL && error == CL_SUCCESS) {
            memcpy(write ? region : bytes, write ? bytes : region, guard);
            call = "clEnqueueUnmapMemObject";
            error = zcs__cl.clEnqueueUnmapMemObject(ctx->transfer_queue, impl->parent, region, 0,
                                                    NULL, NULL);
        }
    }
    /* Written guards reach the device before any dispatch, which waits for no event of
       this unmap: let the transfer queue finish it. */
    if (error == CL_SUCCESS && write) {
        call = "clFinish";
        error = zcs__cl.clFinish(ctx->transfer_queue);
    }
    pthread_mutex_unlock(&ctx->queue_lock);
    zcs__stats_add_device_wait(context); /* the blocking map (and the finish) */
    if (error != CL_SUCCESS)
        return zcs__cl_fail(context, ZCS_ERROR_BACKEND, call, error, "validation guard bytes");
    return ZCS_SUCCESS;
}

zcs_status zcs__backend_array_device_address(zcs_array *array, uint64_t *out_address)
{
    if (array->tier == ZCS_TIER_STAGED)
        return zcs__fail(array->context, ZCS_ERROR_UNSUPPORTED, 0, "zcs_array_device_address: %s",
                         ZCS__CL_STAGED_NO_ADDRESS_REASON);
    if (array->tier == ZCS_TIER_HOST_PTR || array->impl->svm == NULL)
        return zcs__fail(array->context, ZCS_ERROR_UNSUPPORTED, 0, "zcs_array_device_address: %s",
                         ZCS__CL_NO_ADDRESS_REASON);
    *out_address = (uint64_t)(uintptr_t)array->impl->svm;
    return ZCS_SUCCESS;
}
