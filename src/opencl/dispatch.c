/* OpenCL backend: submission and waiting. */
#include <stdint.h>

#include "opencl/internal.h"

/*
 * Enqueue the grid as the pieces it splits into where the local size does not divide the
 * global size and the runtime refuses non-uniform work groups (OpenCL 1.x programs, PoCL):
 * per dimension the whole work groups, then the remainder as one smaller group at its
 * global offset, as OpenCL 2.0's non-uniform work groups run it. get_global_id and
 * get_local_id are those of one grid; get_group_id, get_num_groups and get_global_size
 * are the piece's. Called with the queue lock held.
 */
static cl_int zcs__cl_enqueue_pieces(struct zcs__context_impl *ctx, cl_kernel cl_kernel,
                                     uint32_t dims, const size_t *global, const size_t *local,
                                     const zcs__cl_wait_list *waits, cl_event *out_event,
                                     int *out_queued)
{
    /* The first piece waits for `waits`; the queue is in order, so the last piece's event
       stands for the whole grid (out_event NULL: no events). */
    int first = 1;
    size_t whole[3] = {0, 0, 0};
    size_t rest[3] = {0, 0, 0};
    for (uint32_t d = 0; d < dims; d++) {
        whole[d] = global[d] / local[d] * local[d];
        rest[d] = global[d] - whole[d];
    }
    /* Bit d of `piece`: the remainder (1) or the whole groups (0) of dimension d. */
    for (uint32_t piece = 0; piece < (1u << dims); piece++) {
        size_t offset[3] = {0, 0, 0};
        size_t size[3] = {1, 1, 1};
        size_t group[3] = {1, 1, 1};
        int empty = 0;
        for (uint32_t d = 0; d < dims; d++) {
            int remainder = (piece >> d) & 1u;
            offset[d] = remainder ? whole[d] : 0;
            size[d] = remainder ? rest[d] : whole[d];
            group[d] = remainder ? rest[d] : local[d];
            empty |= size[d] == 0;
        }
        if (empty)
            continue;
        cl_event event = NULL;
        cl_uint wait_count = first ? waits->count : 0;
        cl_int error = zcs__cl.clEnqueueNDRangeKernel(
            ctx->queue, cl_kernel, dims, offset, size, group, wait_count,
            wait_count > 0 ? waits->events : NULL, out_event != NULL ? &event : NULL);
        if (error != CL_SUCCESS)
            return error; /* *out_event: the pieces already queued, which still run */
        *out_queued = 1;
        if (out_event != NULL) {
            if (*out_event != NULL)
                zcs__cl.clReleaseEvent(*out_event);
            *out_event = event;
        }
        first = 0;
    }
    return CL_SUCCESS;
}

zcs_status zcs__backend_dispatch(zcs_kernel *kernel, uint32_t dims, const size_t *global_size,
                                 const size_t *local_size, uint32_t arg_count, uint64_t serial)
{
    /* The arguments are already with the kernel (clSetKernelArg at zcs_kernel_set_*); the
       in-order queue orders dispatches; the wait list adds the unmaps and the application
       work on its arrays. Maps wait for this dispatch alone: as the queue's tail, or by the
       marker the next dispatch puts behind it, or by its event where the application has
       the queue (ordering.c). */
    (void)serial;
    zcs_context *context = kernel->context;
    struct zcs__context_impl *ctx = context->impl;
    zcs_status status = zcs__kernel_check_local(kernel, arg_count);
    if (status != ZCS_SUCCESS)
        return status;
    /* Exactly global_size work items, never rounded up (Vulkan runs the same grid). */
    size_t global[3] = {1, 1, 1};
    size_t local[3] = {1, 1, 1};
    size_t group_items = 1;
    int uniform = 1;
    for (uint32_t d = 0; d < dims; d++) {
        global[d] = global_size[d];
        if (local_size != NULL) {
            local[d] = local_size[d];
            group_items *= local[d];
            uniform &= global[d] % local[d] == 0;
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
    int event_wanted = 0;
    status = zcs__cl_dispatch_begin(kernel, arg_count, &event_wanted);
    if (status != ZCS_SUCCESS) {
        pthread_mutex_unlock(&ctx->queue_lock);
        return status;
    }
    zcs__cl_wait_list waits;
    status = zcs__cl_dispatch_wait_list(kernel, arg_count, &waits);
    if (status != ZCS_SUCCESS) {
        pthread_mutex_unlock(&ctx->queue_lock);
        return status;
    }
    /* Staged arrays' uploads their unmaps left for this dispatch, just ahead of it. */
    status = zcs__cl_staged_dispatch_uploads(kernel, arg_count);
    if (status != ZCS_SUCCESS) {
        zcs__cl_staged_dispatch_abandoned(kernel, arg_count);
        zcs__cl_wait_list_release(&waits);
        pthread_mutex_unlock(&ctx->queue_lock);
        return status;
    }
    cl_event event = NULL;
    cl_event *event_out = event_wanted ? &event : NULL;
    cl_int error = zcs__cl.clEnqueueNDRangeKernel(
        ctx->queue, kernel->impl->kernel, dims, NULL, global, local_size != NULL ? local : NULL,
        waits.count, waits.count > 0 ? waits.events : NULL, event_out);
    int queued = error == CL_SUCCESS;
    /* A local size that does not divide the grid: non-uniform work groups where the
       runtime takes them (the call above), else the grid in pieces. */
    if (error == CL_INVALID_WORK_GROUP_SIZE && !uniform)
        error = zcs__cl_enqueue_pieces(ctx, kernel->impl->kernel, dims, global, local, &waits,
                                       event_out, &queued);
    /* Staged arrays' read-aheads, just behind the kernel (their event stands for it). */
    if (error == CL_SUCCESS)
        zcs__cl_staged_dispatch_readaheads(kernel, arg_count, event_out);
    /* Whatever was queued, maps of the arrays wait for it (a failure may leave pieces). */
    if (queued && (event != NULL || !event_wanted)) {
        zcs__cl.clFlush(ctx->queue);
        zcs__cl_dispatch_record(kernel, arg_count, event);
    } else if (!queued) {
        zcs__cl_staged_dispatch_abandoned(kernel, arg_count);
    }
    if (event != NULL)
        zcs__cl.clReleaseEvent(event);
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
    zcs__cl_finishers_wait(context->impl);
    /* Under ZCS_WAIT_POLL: one poll for both queues, then the finishes (quick by then). */
    zcs__cl_poll_finish(context, context->impl->queue, context->impl->transfer_queue);
    cl_int error = zcs__cl.clFinish(context->impl->queue);
    if (error == CL_SUCCESS)
        zcs__cl_queue_drained(context->impl);
    if (error == CL_SUCCESS)
        error = zcs__cl.clFinish(context->impl->transfer_queue);
    pthread_mutex_unlock(&context->impl->queue_lock);
    zcs__stats_add_device_wait(context);
    if (error != CL_SUCCESS)
        return zcs__cl_fail(context, ZCS_ERROR_BACKEND, "clFinish", error, NULL);
    return ZCS_SUCCESS;
}

/* ------------------------------------------------------------------------ */
/* Waits under ZCS_WAIT_POLL (src/core/wait.c)                               */
/* ------------------------------------------------------------------------ */

/* The events zcs__wait_poll asks about; those before `complete` are known complete. */
typedef struct zcs__cl_event_query {
    const cl_event *events;
    cl_uint count;
    cl_uint complete;
} zcs__cl_event_query;

/* The query zcs__wait_poll runs: 1 when every event is complete, 0 while one still runs,
   -1 when one failed or cannot be asked (the blocking wait that follows reports it). */
static int zcs__cl_events_finished(void *argument)
{
    zcs__cl_event_query *query = argument;
    for (; query->complete < query->count; query->complete++) {
        cl_int ended = CL_COMPLETE;
        cl_int error =
            zcs__cl.clGetEventInfo(query->events[query->complete],
                                   CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof ended, &ended, NULL);
        if (error != CL_SUCCESS || ended < 0)
            return -1;
        if (ended != CL_COMPLETE)
            return 0;
    }
    return 1;
}

int zcs__cl_poll_events(zcs_context *context, cl_uint count, const cl_event *events)
{
    if (context->wait_poll_ns == 0 || count == 0)
        return 0;
    zcs__cl_event_query query = {events, count, 0};
    return zcs__wait_poll(context, zcs__cl_events_finished, &query);
}

void zcs__cl_poll_finish(zcs_context *context, cl_command_queue queue, cl_command_queue second)
{
    if (context->wait_poll_ns == 0)
        return;
    /* A marker with no wait list completes once everything before it on its in-order
       queue has; flushed, or some runtimes never start it while the host polls. A marker
       that cannot be made or flushed skips the poll: the finish still waits. */
    cl_command_queue queues[2] = {queue, second};
    cl_event markers[2] = {NULL, NULL};
    cl_uint made = 0;
    cl_int error = CL_SUCCESS;
    for (cl_uint i = 0; i < 2 && queues[i] != NULL && error == CL_SUCCESS; i++) {
        error = zcs__cl.clEnqueueMarkerWithWaitList(queues[i], 0, NULL, &markers[made]);
        if (error == CL_SUCCESS) {
            made++;
            error = zcs__cl.clFlush(queues[i]);
        }
    }
    if (error == CL_SUCCESS)
        (void)zcs__cl_poll_events(context, made, markers);
    for (cl_uint i = 0; i < made; i++)
        zcs__cl.clReleaseEvent(markers[i]);
}

cl_int zcs__cl_wait_command(zcs_context *context, cl_command_queue queue, cl_event event)
{
    if (event == NULL) /* a runtime that made none: the queue's finish covers the command */
        return zcs__cl.clFinish(queue);
    /* Flushed first: a poll of a command still in the host's queue may never end. */
    int done = 0;
    if (zcs__cl.clFlush(queue) == CL_SUCCESS)
        done = zcs__cl_poll_events(context, 1, &event);
    cl_int error = done ? CL_SUCCESS : zcs__cl.clWaitForEvents(1, &event);
    if (error == CL_SUCCESS)
        error = zcs__cl_event_end(event);
    zcs__cl.clReleaseEvent(event);
    return error;
}

cl_int zcs__cl_event_end(cl_event event)
{
    cl_int ended = CL_COMPLETE;
    if (zcs__cl.clGetEventInfo(event, CL_EVENT_COMMAND_EXECUTION_STATUS, sizeof ended, &ended,
                               NULL) != CL_SUCCESS)
        return CL_SUCCESS;
    return ended < 0 ? ended : CL_SUCCESS;
}
