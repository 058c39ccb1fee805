/*
 * OpenCL backend: the staged tier, for devices with memory of their own. The array is a
 * plain device buffer (no host pointer flag; a sub-buffer between the guards in
 * validation mode) and the host works on a copy: a CL_MEM_ALLOC_HOST_PTR buffer mapped
 * once and kept mapped, which runtimes back with pinned memory that the copy engines
 * reach directly. A map copies the mapped range to the host copy unless it is
 * ZCS_MAP_WRITE_DISCARD; an unmap after a write copies it back; nothing else copies. Every copy
 * goes through zcs__cl_staged_copy, on the queue the map path uses.
 */
#include <stdio.h>
#include <string.h>

#include "opencl/internal.h"

/*
 * Copy `size` bytes between `host` and offset `offset` of `mem`, on the transfer queue of
 * maps and unmaps (ordering.c), so that a map never queues behind dispatches that do not
 * use the array. A read blocks (on the follow queue, behind the array's dispatch `after`,
 * where the core left that wait to the map); a write is enqueued and flushed, the next
 * dispatch of the array waits for its event, and *write_pending is set until a later call
 * waits for the transfer queue.
 */
static zcs_status zcs__cl_staged_copy(zcs_array *array, cl_mem mem, int to_device, size_t offset,
                                      size_t size, void *host, uint64_t after, int *write_pending)
{
    zcs_context *context = array->context;
    struct zcs__context_impl *ctx = context->impl;
    cl_int error = CL_SUCCESS;
    if (to_device) {
        pthread_mutex_lock(&ctx->queue_lock);
        cl_event event = NULL;
        error = zcs__cl.clEnqueueWriteBuffer(ctx->transfer_queue, mem, CL_FALSE, offset, size, host,
                                             0, NULL, &event);
        if (error == CL_SUCCESS) {
            *write_pending = 1;
            /* The next dispatch that uses the array waits for the copy (ordering.c). */
            if (array->impl->unmap_event != NULL)
                zcs__cl.clReleaseEvent(array->impl->unmap_event);
            array->impl->unmap_event = event;
            error = zcs__cl.clFlush(ctx->transfer_queue);
        }
        pthread_mutex_unlock(&ctx->queue_lock);
        if (error != CL_SUCCESS)
            return zcs__cl_fail(context, ZCS_ERROR_BACKEND, "clEnqueueWriteBuffer", error,
                                "copying a staged array's range to the device");
        return ZCS_SUCCESS;
    }
    zcs__cl_map_queue queue;
    zcs_status status = zcs__cl_map_queue_begin(array, after, &queue);
    if (status != ZCS_SUCCESS)
        return status;
    /* Under ZCS_WAIT_POLL the read is enqueued without blocking and its event polled, then
       waited for: the same one wait, under the same lock. */
    int poll = context->wait_poll_ns != 0;
    cl_event read = NULL;
    pthread_mutex_lock(queue.lock);
    error =
        zcs__cl.clEnqueueReadBuffer(queue.queue, mem, poll ? CL_FALSE : CL_TRUE, offset, size, host,
                                    queue.wait_count, queue.wait_list, poll ? &read : NULL);
    if (poll && error == CL_SUCCESS)
        error = zcs__cl_wait_command(context, queue.queue, read);
    else if (read != NULL)
        zcs__cl.clReleaseEvent(read);
    pthread_mutex_unlock(queue.lock);
    zcs__cl_map_queue_end(array, &queue, error);
    status = error != CL_SUCCESS ? zcs__cl_fail(context, ZCS_ERROR_BACKEND, "clEnqueueReadBuffer",
                                                error, "copying a staged array's range to the host")
                                 : ZCS_SUCCESS;
    /* A blocking read on the in-order transfer queue finished every earlier write too; on
       the follow queue, the dispatch it waited for had waited for them. */
    if (status == ZCS_SUCCESS)
        *write_pending = 0;
    return status;
}

/* Wait until an earlier unmap's copy no longer reads the host copy. */
static zcs_status zcs__cl_staged_settle(zcs_array *array)
{
    struct zcs__array_impl *impl = array->impl;
    struct zcs__context_impl *ctx = array->context->impl;
    if (impl->upload_in_dispatch) {
        /* Enqueued ahead of the array's newest dispatch: waiting for that covers the copy. */
        zcs_status status = zcs__backend_array_wait(array, array->last_use_serial);
        if (status != ZCS_SUCCESS)
            return status;
        impl->upload_in_dispatch = 0;
    }
    if (!impl->write_pending)
        return ZCS_SUCCESS;
    pthread_mutex_lock(&ctx->queue_lock);
    zcs__cl_poll_finish(array->context, ctx->transfer_queue, NULL);
    cl_int error = zcs__cl.clFinish(ctx->transfer_queue);
    pthread_mutex_unlock(&ctx->queue_lock);
    zcs__stats_add_device_wait(array->context);
    if (error != CL_SUCCESS)
        return zcs__cl_fail(array->context, ZCS_ERROR_BACKEND, "clFinish", error,
                            "waiting for a staged array's copy to the device");
    impl->write_pending = 0;
    return ZCS_SUCCESS;
}

zcs_status zcs__cl_staged_flush(zcs_array *array)
{
    struct zcs__array_impl *impl = array->impl;
    struct zcs__context_impl *ctx = array->context->impl;
    pthread_mutex_lock(&ctx->queue_lock);
    int deferred = impl->upload_deferred;
    impl->upload_deferred = 0;
    pthread_mutex_unlock(&ctx->queue_lock);
    if (!deferred)
        return ZCS_SUCCESS;
    zcs_status status =
        zcs__cl_staged_copy(array, impl->mem, 1, impl->upload_offset, impl->upload_size,
                            impl->host + impl->upload_offset, 0, &impl->write_pending);
    if (status != ZCS_SUCCESS) {
        pthread_mutex_lock(&ctx->queue_lock);
        impl->upload_deferred = 1; /* not enqueued: still owed to the device */
        pthread_mutex_unlock(&ctx->queue_lock);
    }
    return status;
}

zcs_status zcs__cl_staged_dispatch_uploads(zcs_kernel *kernel, uint32_t arg_count)
{
    struct zcs__context_impl *ctx = kernel->context->impl;
    uint32_t total = zcs__dispatch_array_count(kernel, arg_count);
    for (uint32_t i = 0; i < total; i++) {
        zcs_array *array = zcs__dispatch_array(kernel, arg_count, i);
        if (array == NULL || array->tier != ZCS_TIER_STAGED || !array->impl->upload_deferred)
            continue;
        struct zcs__array_impl *impl = array->impl;
        cl_int error = zcs__cl.clEnqueueWriteBuffer(
            ctx->queue, impl->mem, CL_FALSE, impl->upload_offset, impl->upload_size,
            impl->host + impl->upload_offset, 0, NULL, NULL);
        if (error != CL_SUCCESS)
            return zcs__cl_fail(kernel->context, ZCS_ERROR_DISPATCH, "clEnqueueWriteBuffer", error,
                                "copying a staged array to the device ahead of its kernel");
        impl->upload_deferred = 0;
        impl->upload_in_dispatch = 1;
    }
    return ZCS_SUCCESS;
}

void zcs__cl_staged_dispatch_abandoned(zcs_kernel *kernel, uint32_t arg_count)
{
    struct zcs__context_impl *ctx = kernel->context->impl;
    uint32_t total = zcs__dispatch_array_count(kernel, arg_count);
    int enqueued = 0;
    for (uint32_t i = 0; i < total; i++) {
        zcs_array *array = zcs__dispatch_array(kernel, arg_count, i);
        enqueued |=
            array != NULL && array->tier == ZCS_TIER_STAGED && array->impl->upload_in_dispatch;
    }
    /* No kernel follows them, so no dispatch of the arrays covers them: finish them here. */
    if (!enqueued)
        return;
    zcs__cl_poll_finish(kernel->context, ctx->queue, NULL);
    if (zcs__cl.clFinish(ctx->queue) != CL_SUCCESS)
        return;
    zcs__stats_add_device_wait(kernel->context);
    for (uint32_t i = 0; i < total; i++) {
        zcs_array *array = zcs__dispatch_array(kernel, arg_count, i);
        if (array != NULL && array->tier == ZCS_TIER_STAGED)
            array->impl->upload_in_dispatch = 0;
    }
}

void zcs__cl_staged_dispatch_readaheads(zcs_kernel *kernel, uint32_t arg_count, cl_event *event)
{
    struct zcs__context_impl *ctx = kernel->context->impl;
    uint32_t total = zcs__dispatch_array_count(kernel, arg_count);
    for (uint32_t i = 0; i < total; i++) {
        zcs_array *array = zcs__dispatch_array(kernel, arg_count, i);
        if (array == NULL || array->tier != ZCS_TIER_STAGED)
            continue;
        struct zcs__array_impl *impl = array->impl;
        if (!zcs__readahead_dispatch(&impl->readahead, !impl->shared))
            continue;
        size_t offset = (size_t)impl->readahead.offset;
        size_t size = (size_t)impl->readahead.size;
        cl_event read = NULL;
        cl_int error =
            zcs__cl.clEnqueueReadBuffer(ctx->queue, impl->mem, CL_FALSE, offset, size,
                                        impl->host + offset, 0, NULL, event != NULL ? &read : NULL);
        /* Not enqueued: it stays armed, and the map copies as usual. */
        zcs__readahead_submitted(&impl->readahead, error == CL_SUCCESS);
        if (error != CL_SUCCESS)
            continue;
        zcs__stats_add_copied(kernel->context, size);
        if (event != NULL) {
            zcs__cl.clReleaseEvent(*event);
            *event = read;
        }
    }
}

static void zcs__cl_staged_release(zcs_context *context, struct zcs__array_impl *impl)
{
    struct zcs__context_impl *ctx = context->impl;
    if (impl->host_mem != NULL) {
        if (impl->host != NULL) {
            pthread_mutex_lock(&ctx->queue_lock);
            if (zcs__cl.clEnqueueUnmapMemObject(ctx->transfer_queue, impl->host_mem, impl->host, 0,
                                                NULL, NULL) == CL_SUCCESS) {
                zcs__cl_poll_finish(context, ctx->transfer_queue, NULL);
                zcs__cl.clFinish(ctx->transfer_queue);
            }
            pthread_mutex_unlock(&ctx->queue_lock);
        }
        zcs__cl.clReleaseMemObject(impl->host_mem);
    }
    if (impl->mem != NULL)
        zcs__cl.clReleaseMemObject(impl->mem);
    if (impl->parent != NULL)
        zcs__cl.clReleaseMemObject(impl->parent);
    zcs__free(impl);
}

zcs_status zcs__cl_staged_create(zcs_array *array)
{
    zcs_context *context = array->context;
    struct zcs__context_impl *ctx = context->impl;
    struct zcs__array_impl *impl = zcs__calloc(1, sizeof *impl);
    if (impl == NULL)
        return zcs__fail(context, ZCS_ERROR_OUT_OF_MEMORY, 0,
                         "zcs_array_create: out of host memory");
    cl_mem_flags access = zcs__cl_device_access(array->flags);
    cl_int error = CL_SUCCESS;
    impl->mem = zcs__cl.clCreateBuffer(ctx->cl_context, access, array->size + 2 * array->guard_size,
                                       NULL, &error);
    if (impl->mem == NULL || error != CL_SUCCESS) {
        impl->mem = NULL;
        zcs__cl_staged_release(context, impl);
        return zcs__cl_fail(context, ZCS_ERROR_BACKEND, "clCreateBuffer", error,
                            "the device buffer of a staged array");
    }
    if (array->guard_size != 0) {
        cl_buffer_region region = {array->guard_size, array->size};
        impl->parent = impl->mem;
        impl->mem = zcs__cl.clCreateSubBuffer(impl->parent, 0, CL_BUFFER_CREATE_TYPE_REGION,
                                              &region, &error);
        if (impl->mem == NULL || error != CL_SUCCESS) {
            impl->mem = NULL;
            zcs__cl_staged_release(context, impl);
            return zcs__cl_fail(context, ZCS_ERROR_BACKEND, "clCreateSubBuffer", error,
                                "the staged array between its guards");
        }
    }
    impl->host_mem = zcs__cl.clCreateBuffer(
        ctx->cl_context, CL_MEM_ALLOC_HOST_PTR | CL_MEM_READ_WRITE, array->size, NULL, &error);
    if (impl->host_mem == NULL || error != CL_SUCCESS) {
        impl->host_mem = NULL;
        zcs__cl_staged_release(context, impl);
        return zcs__cl_fail(context, ZCS_ERROR_BACKEND, "clCreateBuffer", error,
                            "the host copy of a staged array");
    }
    /* Blocking under every wait policy: a fresh buffer, no device work to wait for (and no
       device wait counted). */
    pthread_mutex_lock(&ctx->queue_lock);
    impl->host = zcs__cl.clEnqueueMapBuffer(ctx->transfer_queue, impl->host_mem, CL_TRUE,
                                            CL_MAP_READ | CL_MAP_WRITE, 0, array->size, 0, NULL,
                                            NULL, &error);
    pthread_mutex_unlock(&ctx->queue_lock);
    if (impl->host == NULL || error != CL_SUCCESS) {
        impl->host = NULL;
        zcs__cl_staged_release(context, impl);
        return zcs__cl_fail(context, ZCS_ERROR_BACKEND, "clEnqueueMapBuffer", error,
                            "mapping the host copy of a staged array");
    }
    array->impl = impl;
    array->zero_copy = 0;
    snprintf(array->reason, sizeof array->reason,
             "staged: the array lives in device memory (a cl_mem without a host pointer) and zcs "
             "copies the mapped range from the device at a map that reads and back at an unmap "
             "after writing, through a pinned host copy%s",
             context->info.unified_memory ? " (forced: this device shares memory with the host)"
                                          : "");
    return ZCS_SUCCESS;
}

void zcs__cl_staged_destroy(zcs_array *array)
{
    struct zcs__array_impl *impl = array->impl;
    if (impl == NULL)
        return;
    /* Nothing can see a deferred upload any more: drop it. The host copy must outlive a
       copy still reading it. */
    impl->upload_deferred = 0;
    (void)zcs__cl_staged_settle(array);
    zcs__stats_add_device_wait(array->context); /* the release's finish */
    zcs__cl_staged_release(array->context, impl);
    array->impl = NULL;
}

zcs_status zcs__cl_staged_map(zcs_array *array, zcs_access access, size_t offset, size_t size,
                              uint64_t after, void **out_ptr)
{
    struct zcs__array_impl *impl = array->impl;
    /* An unmap's upload that no dispatch took: the device memory gets it first, on the
       transfer queue, where the copy below follows it. (No dispatch of the array can be
       pending then: the map that came before the unmap waited for it.) */
    zcs_status status = zcs__cl_staged_flush(array);
    if (status == ZCS_SUCCESS && impl->write_pending && after != 0) {
        status = zcs__backend_array_wait(array, after);
        after = 0;
    }
    if (status != ZCS_SUCCESS)
        return status;
    struct zcs__context_impl *ctx = array->context->impl;
    pthread_mutex_lock(&ctx->queue_lock);
    int read_ahead = zcs__readahead_map(&impl->readahead, access, after,
                                        array->guard_size == 0 && !impl->shared, offset, size);
    pthread_mutex_unlock(&ctx->queue_lock);
    if (read_ahead) {
        /* The dispatch copied the range behind its kernel (counted then): wait for it. Its
           upload, ahead of the kernel, is done then too. */
        status = after != 0 ? zcs__backend_array_wait(array, after) : ZCS_SUCCESS;
        if (status == ZCS_SUCCESS)
            impl->upload_in_dispatch = 0;
    } else if (access != ZCS_MAP_WRITE_DISCARD) {
        /* Every access but WRITE_DISCARD preserves the contents (ZCS_MAP_WRITE too: the
           unmap copies the whole range back, so the bytes the host leaves alone must be
           current): the copy waits for the array's dispatch (`after`) in its wait list. */
        status = zcs__cl_staged_copy(array, impl->mem, 0, offset, size, impl->host + offset, after,
                                     &impl->write_pending);
        if (status == ZCS_SUCCESS) {
            impl->upload_in_dispatch = 0; /* the copy followed that dispatch */
            zcs__stats_add_copied(array->context, size);
        }
    } else {
        /* Nothing to copy: wait for the kernels on the host. */
        status = after != 0 ? zcs__backend_array_wait(array, after) : ZCS_SUCCESS;
        if (status == ZCS_SUCCESS)
            status = zcs__cl_staged_settle(array);
    }
    if (status != ZCS_SUCCESS)
        return status;
    *out_ptr = impl->host + offset;
    return ZCS_SUCCESS;
}

zcs_status zcs__cl_staged_unmap(zcs_array *array)
{
    struct zcs__array_impl *impl = array->impl;
    if (array->map_access == ZCS_MAP_READ)
        return ZCS_SUCCESS;
    struct zcs__context_impl *ctx = array->context->impl;
    zcs_status status = ZCS_SUCCESS;
    pthread_mutex_lock(&ctx->queue_lock);
    int shared = impl->shared;
    if (!shared) {
        /* Left for the next dispatch of the array to enqueue ahead of its kernel, on the
           same queue: no event, no wait across queues (a map between enqueues it alone). */
        impl->upload_deferred = 1;
        impl->upload_offset = array->map_offset;
        impl->upload_size = array->map_size;
    }
    pthread_mutex_unlock(&ctx->queue_lock);
    if (shared) /* the application may use the buffer itself: copy now */
        status = zcs__cl_staged_copy(array, impl->mem, 1, array->map_offset, array->map_size,
                                     impl->host + array->map_offset, 0, &impl->write_pending);
    if (status == ZCS_SUCCESS)
        zcs__stats_add_copied(array->context, array->map_size);
    return status;
}

zcs_status zcs__cl_staged_guard(zcs_array *array, zcs__guard_side side, zcs__guard_copy copy,
                                unsigned char *bytes)
{
    struct zcs__array_impl *impl = array->impl;
    size_t guard = array->guard_size;
    size_t offset = side == ZCS__GUARD_AFTER ? guard + array->size : 0;
    int write = copy == ZCS__GUARD_WRITE;
    /* Validation's own bytes, not the application's: not counted in bytes_copied. The
       write is waited for at once: `bytes` is the caller's. */
    zcs_status status = zcs__cl_staged_flush(array);
    if (status != ZCS_SUCCESS)
        return status;
    status = zcs__cl_staged_copy(array, impl->parent, write, offset, guard, bytes, 0,
                                 &impl->write_pending);
    if (status == ZCS_SUCCESS && write)
        status = zcs__cl_staged_settle(array);
    return status;
}
