/*
 * OpenCL backend: what orders maps, unmaps and dispatches, array by array.
 *
 * Dispatches go to the dispatch queue (zcs's own, or the application's when attached), in
 * order. Maps, unmaps and guard reads go to zcs's own in-order transfer queue, so that a
 * map never queues behind dispatches that do not use its array. Events join the two:
 *  - each array keeps the event of its newest dispatch; a map (and a free) waits for that
 *    event only (zcs__backend_array_wait), never for the whole queue. A map that is a
 *    command of its own (a runtime's map, a staged copy) puts the event in its wait list
 *    instead and blocks once, on a third queue, the follow queue, so that neither the
 *    transfer queue nor queue_lock is held while the kernel runs (zcs__cl_map_queue_begin);
 *  - an unmap's event is waited for by the next dispatch that uses the array;
 *  - application work declared on an array (zcs_opencl_array_used_by) is waited for by the
 *    next map, free or dispatch of it; zcs_opencl_wait_events makes every later dispatch
 *    wait, with a barrier on the dispatch queue.
 * A dispatch asks for no event where zcs alone enqueues on the dispatch queue: its arrays
 * are the users of the queue's *tail*. A map of a tail user waits by finishing the queue
 * (or by queueing its blocking command there, behind the kernel), as a hand-written frame
 * does; other dispatches wait until it is done, so the finish never covers later work.
 * The next dispatch first gives the tail's users a marker as their event, and where
 * something on the queue waits for the application (a finish could then wait for it), a
 * map makes that marker too and waits for it as before.
 * The events of an array are read and written under the context's queue_lock.
 * Under ZCS_WAIT_POLL each of these waits polls before it blocks (dispatch.c): an event
 * list once its queue is flushed, a finish through a marker, a map or staged read as a
 * command enqueued without blocking whose event is polled, under the same locks.
 */
#include <string.h>

#include "core/checks.h"
#include "opencl/internal.h"
#include "zcs/zcs_opencl.h"

zcs_status zcs__cl_transfer_queue_create(zcs_context *context, cl_device_id device)
{
    struct zcs__context_impl *ctx = context->impl;
    cl_int error = CL_SUCCESS;
    ctx->transfer_queue = zcs__cl.clCreateCommandQueue(ctx->cl_context, device, 0, &error);
    if (ctx->transfer_queue == NULL || error != CL_SUCCESS) {
        ctx->transfer_queue = NULL;
        return zcs__cl_fail(context, ZCS_ERROR_BACKEND, "clCreateCommandQueue", error,
                            "zcs's transfer queue");
    }
    ctx->follow_queue = zcs__cl.clCreateCommandQueue(ctx->cl_context, device, 0, &error);
    if (ctx->follow_queue == NULL || error != CL_SUCCESS) {
        ctx->follow_queue = NULL;
        zcs__cl.clReleaseCommandQueue(ctx->transfer_queue);
        ctx->transfer_queue = NULL;
        return zcs__cl_fail(context, ZCS_ERROR_BACKEND, "clCreateCommandQueue", error,
                            "zcs's queue for maps behind a dispatch");
    }
    return ZCS_SUCCESS;
}

static void zcs__cl_release_app_events(struct zcs__array_impl *impl)
{
    for (cl_uint i = 0; i < impl->app_event_count; i++)
        zcs__cl.clReleaseEvent(impl->app_events[i]);
    zcs__free(impl->app_events);
    impl->app_events = NULL;
    impl->app_event_count = 0;
}

/* Take `impl` out of the tail's users. queue_lock held. */
static void zcs__cl_tail_leave(struct zcs__context_impl *ctx, struct zcs__array_impl *impl)
{
    if (!impl->in_tail)
        return;
    impl->in_tail = 0;
    for (uint32_t i = 0; i < ctx->tail_count; i++) {
        if (ctx->tail_users[i] == impl) {
            ctx->tail_users[i] = ctx->tail_users[--ctx->tail_count];
            break;
        }
    }
}

/* The tail has finished: its users wait for nothing of zcs's any more. queue_lock held. */
static void zcs__cl_tail_done(struct zcs__context_impl *ctx)
{
    for (uint32_t i = 0; i < ctx->tail_count; i++)
        ctx->tail_users[i]->in_tail = 0;
    ctx->tail_count = 0;
}

void zcs__cl_queue_drained(struct zcs__context_impl *ctx)
{
    zcs__cl_tail_done(ctx);
    ctx->external = 0;
}

void zcs__cl_finishers_wait(struct zcs__context_impl *ctx)
{
    while (ctx->finishers > 0)
        pthread_cond_wait(&ctx->finished, &ctx->queue_lock);
}

/* Whether `kernel`'s dispatch uses the array of `impl`. */
static int zcs__cl_dispatch_uses(zcs_kernel *kernel, uint32_t arg_count,
                                 const struct zcs__array_impl *impl)
{
    uint32_t total = zcs__dispatch_array_count(kernel, arg_count);
    for (uint32_t i = 0; i < total; i++) {
        const zcs_array *array = zcs__dispatch_array(kernel, arg_count, i);
        if (array != NULL && array->impl == impl)
            return 1;
    }
    return 0;
}

/* The tail's users, but those the dispatch of `kernel` uses (none where NULL), get a
   marker as their event. queue_lock held. */
static zcs_status zcs__cl_tail_marker_but(zcs_context *context, zcs_kernel *kernel,
                                          uint32_t arg_count)
{
    struct zcs__context_impl *ctx = context->impl;
    uint32_t others = 0;
    for (uint32_t i = 0; i < ctx->tail_count; i++)
        others += kernel == NULL || !zcs__cl_dispatch_uses(kernel, arg_count, ctx->tail_users[i]);
    if (others == 0)
        return ZCS_SUCCESS;
    zcs__cl_finishers_wait(ctx);
    cl_event marker = NULL;
    cl_int error = zcs__cl.clEnqueueMarkerWithWaitList(ctx->queue, 0, NULL, &marker);
    if (error != CL_SUCCESS)
        return zcs__cl_fail(context, ZCS_ERROR_BACKEND, "clEnqueueMarkerWithWaitList", error,
                            "an event for the newest dispatch");
    uint32_t kept = 0;
    for (uint32_t i = 0; i < ctx->tail_count; i++) {
        struct zcs__array_impl *user = ctx->tail_users[i];
        if (kernel != NULL && zcs__cl_dispatch_uses(kernel, arg_count, user)) {
            ctx->tail_users[kept++] = user; /* its newest dispatch is about to be the next */
            continue;
        }
        user->in_tail = 0;
        /* A retain cannot fail on a valid event; if it did, waits fall back to the queue. */
        user->dispatch_event = zcs__cl.clRetainEvent(marker) == CL_SUCCESS ? marker : NULL;
        user->event_lost = user->dispatch_event == NULL;
    }
    ctx->tail_count = kept;
    zcs__cl.clReleaseEvent(marker);
    return ZCS_SUCCESS;
}

zcs_status zcs__cl_tail_marker(zcs_context *context)
{
    return zcs__cl_tail_marker_but(context, NULL, 0);
}

zcs_status zcs__cl_dispatch_begin(zcs_kernel *kernel, uint32_t arg_count, int *out_event_wanted)
{
    zcs_context *context = kernel->context;
    struct zcs__context_impl *ctx = context->impl;
    zcs__cl_finishers_wait(ctx);
    *out_event_wanted = ctx->dispatch_events;
    zcs_status status = zcs__cl_tail_marker_but(context, kernel, arg_count);
    /* Room for every array of the dispatch among the users (those still there included). */
    uint32_t needed = ctx->tail_count + zcs__dispatch_array_count(kernel, arg_count);
    if (status == ZCS_SUCCESS && !ctx->dispatch_events && needed > ctx->tail_capacity) {
        struct zcs__array_impl **users = zcs__malloc(needed * sizeof *users);
        if (users == NULL)
            return zcs__fail(context, ZCS_ERROR_OUT_OF_MEMORY, 0,
                             "zcs_dispatch: out of host memory for kernel \"%s\"", kernel->name);
        if (ctx->tail_count > 0)
            memcpy(users, ctx->tail_users, ctx->tail_count * sizeof *users);
        zcs__free(ctx->tail_users);
        ctx->tail_users = users;
        ctx->tail_capacity = needed;
    }
    return status;
}

void zcs__cl_array_events_release(struct zcs__context_impl *ctx, struct zcs__array_impl *impl)
{
    zcs__cl_tail_leave(ctx, impl);
    if (impl->dispatch_event != NULL)
        zcs__cl.clReleaseEvent(impl->dispatch_event);
    if (impl->unmap_event != NULL)
        zcs__cl.clReleaseEvent(impl->unmap_event);
    impl->dispatch_event = NULL;
    impl->unmap_event = NULL;
    zcs__cl_release_app_events(impl);
}

/* An empty list, using its inline room. */
static void zcs__cl_wait_list_init(zcs__cl_wait_list *list)
{
    list->events = list->inline_events;
    list->count = 0;
    list->capacity = (cl_uint)(sizeof list->inline_events / sizeof list->inline_events[0]);
}

/* Append `event` (retained here) to the list, growing it past its inline room. */
static zcs_status zcs__cl_wait_list_add(zcs_context *context, zcs__cl_wait_list *list,
                                        cl_event event)
{
    for (cl_uint i = 0; i < list->count; i++)
        if (list->events[i] == event)
            return ZCS_SUCCESS;
    if (list->count == list->capacity) {
        cl_uint grown = list->capacity * 2;
        cl_event *events = zcs__malloc(grown * sizeof *events);
        if (events == NULL)
            return zcs__fail(context, ZCS_ERROR_OUT_OF_MEMORY, 0,
                             "zcs_dispatch: out of host memory for a wait list");
        memcpy(events, list->events, list->count * sizeof *events);
        if (list->events != list->inline_events)
            zcs__free(list->events);
        list->events = events;
        list->capacity = grown;
    }
    cl_int error = zcs__cl.clRetainEvent(event);
    if (error != CL_SUCCESS)
        return zcs__cl_fail(context, ZCS_ERROR_BACKEND, "clRetainEvent", error, "a wait list");
    list->events[list->count++] = event;
    return ZCS_SUCCESS;
}

void zcs__cl_wait_list_release(zcs__cl_wait_list *list)
{
    for (cl_uint i = 0; i < list->count; i++)
        zcs__cl.clReleaseEvent(list->events[i]);
    if (list->events != list->inline_events)
        zcs__free(list->events);
    zcs__cl_wait_list_init(list);
}

zcs_status zcs__cl_dispatch_wait_list(zcs_kernel *kernel, uint32_t arg_count,
                                      zcs__cl_wait_list *out_list)
{
    zcs_context *context = kernel->context;
    zcs__cl_wait_list_init(out_list);
    uint32_t total = zcs__dispatch_array_count(kernel, arg_count);
    for (uint32_t i = 0; i < total; i++) {
        zcs_array *array = zcs__dispatch_array(kernel, arg_count, i);
        if (array == NULL)
            continue;
        struct zcs__array_impl *impl = array->impl;
        zcs_status status = ZCS_SUCCESS;
        if (impl->unmap_event != NULL)
            status = zcs__cl_wait_list_add(context, out_list, impl->unmap_event);
        for (cl_uint e = 0; e < impl->app_event_count && status == ZCS_SUCCESS; e++)
            status = zcs__cl_wait_list_add(context, out_list, impl->app_events[e]);
        if (status != ZCS_SUCCESS) {
            zcs__cl_wait_list_release(out_list);
            return status;
        }
    }
    return ZCS_SUCCESS;
}

void zcs__cl_dispatch_record(zcs_kernel *kernel, uint32_t arg_count, cl_event event)
{
    struct zcs__context_impl *ctx = kernel->context->impl;
    if (event == NULL)
        ctx->tail_ticket++;
    uint32_t total = zcs__dispatch_array_count(kernel, arg_count);
    for (uint32_t i = 0; i < total; i++) {
        zcs_array *array = zcs__dispatch_array(kernel, arg_count, i);
        if (array == NULL)
            continue;
        struct zcs__array_impl *impl = array->impl;
        /* The dispatch waited for these; waiting for it now covers them. */
        if (impl->unmap_event != NULL)
            zcs__cl.clReleaseEvent(impl->unmap_event);
        impl->unmap_event = NULL;
        /* Application events among the dispatch's waits: a finish of the queue could wait
           for them from now on. */
        ctx->external |= impl->app_event_count > 0;
        zcs__cl_release_app_events(impl);
        if (event == NULL) {
            /* The tail's user (zcs__cl_dispatch_begin made room, and emptied the list). */
            if (impl->dispatch_event != NULL)
                zcs__cl.clReleaseEvent(impl->dispatch_event);
            impl->dispatch_event = NULL;
            impl->event_lost = 0;
            if (!impl->in_tail && ctx->tail_count < ctx->tail_capacity) {
                impl->in_tail = 1;
                ctx->tail_users[ctx->tail_count++] = impl;
            }
            continue;
        }
        if (impl->dispatch_event == event)
            continue; /* an array passed twice */
        /* A retain cannot fail on a valid event; if it did, keep the old event out of the
           way and let waits fall back to the queue (see zcs__backend_array_wait). */
        if (impl->dispatch_event != NULL)
            zcs__cl.clReleaseEvent(impl->dispatch_event);
        impl->dispatch_event = zcs__cl.clRetainEvent(event) == CL_SUCCESS ? event : NULL;
        impl->event_lost = impl->dispatch_event == NULL;
    }
}

zcs_status zcs__cl_map_queue_begin(zcs_array *array, uint64_t after, zcs__cl_map_queue *out)
{
    struct zcs__context_impl *ctx = array->context->impl;
    memset(out, 0, sizeof *out);
    out->queue = ctx->transfer_queue;
    out->lock = &ctx->queue_lock;
    if (after == 0)
        return ZCS_SUCCESS;
    pthread_mutex_lock(&ctx->queue_lock);
    struct zcs__array_impl *impl = array->impl;
    zcs_status status = ZCS_SUCCESS;
    if (impl->in_tail && !ctx->external) {
        /* Behind the kernel on the dispatch queue itself, with no event, as a finisher:
           nothing else is queued there until the map is done. */
        ctx->finishers++;
        out->finisher = 1;
        out->ticket = ctx->tail_ticket;
        out->queue = ctx->queue;
        out->lock = &ctx->follow_lock;
        pthread_mutex_unlock(&ctx->queue_lock);
        return ZCS_SUCCESS;
    }
    if (impl->in_tail)
        status = zcs__cl_tail_marker(array->context);
    cl_event event = impl->dispatch_event;
    if (event != NULL && zcs__cl.clRetainEvent(event) != CL_SUCCESS)
        event = NULL;
    /* The map waits on the follow queue for an event of the dispatch queue: OpenCL asks for
       a flush of the queue that holds the event before another queue waits on it (a
       runtime may otherwise never start the marker just made), and a poll of the event
       needs it as much. A finisher's clFinish flushes the queue anyway. */
    if (event != NULL && ctx->finishers == 0)
        zcs__cl.clFlush(ctx->queue);
    pthread_mutex_unlock(&ctx->queue_lock);
    if (status != ZCS_SUCCESS)
        return status;
    if (event == NULL) /* none pending, or no event was kept for it: wait on the host */
        return zcs__backend_array_wait(array, after);
    out->queue = ctx->follow_queue;
    out->lock = &ctx->follow_lock;
    out->dispatch = event;
    out->wait_count = 1;
    out->wait_list = &out->dispatch;
    return ZCS_SUCCESS;
}

void zcs__cl_map_queue_end(zcs_array *array, zcs__cl_map_queue *queue, cl_int error)
{
    if (error == CL_SUCCESS) /* the enqueue blocked */
        zcs__stats_add_device_wait(array->context);
    if (queue->finisher) {
        struct zcs__context_impl *ctx = array->context->impl;
        pthread_mutex_lock(&ctx->queue_lock);
        /* Done behind the tail, so the tail is done (unless the map failed). */
        if (error == CL_SUCCESS && ctx->tail_ticket == queue->ticket)
            zcs__cl_tail_done(ctx);
        ctx->finishers--;
        pthread_cond_broadcast(&ctx->finished);
        pthread_mutex_unlock(&ctx->queue_lock);
        queue->finisher = 0;
    }
    if (queue->dispatch != NULL)
        zcs__cl.clReleaseEvent(queue->dispatch);
    queue->dispatch = NULL;
}

zcs_status zcs__backend_array_wait(zcs_array *array, uint64_t serial)
{
    zcs_context *context = array->context;
    struct zcs__context_impl *ctx = context->impl;
    struct zcs__array_impl *impl = array->impl;
    zcs__cl_wait_list list;
    zcs__cl_wait_list_init(&list);
    zcs_status status = ZCS_SUCCESS;
    int whole_queue = 0;

    int finisher = 0;
    pthread_mutex_lock(&ctx->queue_lock);
    if (serial != 0 && impl->in_tail) {
        if (!ctx->external)
            finisher = 1; /* finish the queue, below */
        else
            status = zcs__cl_tail_marker(context); /* it may wait for the application */
    }
    if (serial != 0 && !finisher && status == ZCS_SUCCESS) {
        if (impl->dispatch_event != NULL)
            status = zcs__cl_wait_list_add(context, &list, impl->dispatch_event);
        else
            whole_queue = impl->event_lost;
    }
    for (cl_uint e = 0; e < impl->app_event_count && status == ZCS_SUCCESS; e++)
        status = zcs__cl_wait_list_add(context, &list, impl->app_events[e]);
    /* Under ZCS_WAIT_POLL the events below are polled before the wait: the dispatch queue
       is flushed first (a marker zcs__cl_tail_marker made, behind an application barrier,
       may not be yet, and a poll of unflushed work never ends on some runtimes). Not while
       a thread finishes the queue: nothing else calls on it then, and the finish flushes. */
    if (context->wait_poll_ns != 0 && status == ZCS_SUCCESS && list.count > 0 &&
        ctx->finishers == 0)
        zcs__cl.clFlush(ctx->queue);
    if (finisher && status == ZCS_SUCCESS) {
        /* The array's dispatch is the tail and nothing on the queue waits for the
           application: finish the queue, as a hand-written frame does, with nothing
           enqueued behind the tail meanwhile. */
        ctx->finishers++;
        pthread_mutex_unlock(&ctx->queue_lock);
        /* follow_lock: one finisher at a time on the queue (a map's blocking command there
           included; PoCL has aborted on a finish beside an enqueue on one queue). */
        pthread_mutex_lock(&ctx->follow_lock);
        zcs__cl_poll_finish(context, ctx->queue, NULL);
        cl_int error = zcs__cl.clFinish(ctx->queue);
        pthread_mutex_unlock(&ctx->follow_lock);
        zcs__stats_add_device_wait(context);
        pthread_mutex_lock(&ctx->queue_lock);
        if (error == CL_SUCCESS)
            zcs__cl_queue_drained(ctx);
        ctx->finishers--;
        pthread_cond_broadcast(&ctx->finished);
        if (error != CL_SUCCESS)
            status = zcs__cl_fail(context, ZCS_ERROR_BACKEND, "clFinish", error,
                                  "waiting for the dispatch that uses an array");
    }
    pthread_mutex_unlock(&ctx->queue_lock);

    if (status == ZCS_SUCCESS && list.count > 0) {
        /* Polled done: the loop below still asks each event how it ended. */
        int done = zcs__cl_poll_events(context, list.count, list.events);
        cl_int error = done ? CL_SUCCESS : zcs__cl.clWaitForEvents(list.count, list.events);
        zcs__stats_add_device_wait(context);
        if (error != CL_SUCCESS)
            status = zcs__cl_fail(context, ZCS_ERROR_BACKEND, "clWaitForEvents", error,
                                  "waiting for the work that uses an array");
        /* Not every runtime reports a failed event through the wait (NVIDIA's returns
           CL_SUCCESS for a user event set to an error): ask each event how it ended. */
        for (cl_uint e = 0; e < list.count && status == ZCS_SUCCESS; e++) {
            cl_int ended = zcs__cl_event_end(list.events[e]);
            if (ended < 0)
                status = zcs__fail(context, ZCS_ERROR_BACKEND, ended,
                                   "clWaitForEvents: the work that uses an array failed (an "
                                   "event it waited for ended with status %d)",
                                   (int)ended);
        }
    }
    zcs__cl_wait_list_release(&list);
    if (status == ZCS_SUCCESS && whole_queue) {
        /* No event was kept for the dispatch (its retain failed): wait for the queue. */
        pthread_mutex_lock(&ctx->queue_lock);
        zcs__cl_finishers_wait(ctx);
        zcs__cl_poll_finish(context, ctx->queue, NULL);
        cl_int error = zcs__cl.clFinish(ctx->queue);
        zcs__stats_add_device_wait(context);
        if (error == CL_SUCCESS) {
            zcs__cl_queue_drained(ctx);
            impl->event_lost = 0;
        }
        pthread_mutex_unlock(&ctx->queue_lock);
        if (error != CL_SUCCESS)
            status = zcs__cl_fail(context, ZCS_ERROR_BACKEND, "clFinish", error, NULL);
    }
    /* Waited for, or failed: a failure of the application's work is reported once, and
       the array is usable again afterwards. */
    pthread_mutex_lock(&ctx->queue_lock);
    zcs__cl_release_app_events(impl);
    pthread_mutex_unlock(&ctx->queue_lock);
    return status;
}

/* ------------------------------------------------------------------------ */
/* The ordering calls of zcs/zcs_opencl.h                                    */
/* ------------------------------------------------------------------------ */

/* Check an application's event list: count and events agree, no NULL event. */
static zcs_status zcs__cl_check_events(zcs_context *context, const char *function, cl_uint count,
                                       const cl_event *events)
{
    if (count > 0 && events == NULL)
        return zcs__fail(context, ZCS_ERROR_NULL_HANDLE, 0, "%s: %u events but the list is NULL",
                         function, (unsigned)count);
    for (cl_uint i = 0; i < count; i++) {
        if (events[i] == NULL)
            return zcs__fail(context, ZCS_ERROR_NULL_HANDLE, 0, "%s: event %u of %u is NULL",
                             function, (unsigned)i, (unsigned)count);
        cl_context owner = NULL;
        cl_int error =
            zcs__cl.clGetEventInfo(events[i], CL_EVENT_CONTEXT, sizeof owner, &owner, NULL);
        if (error != CL_SUCCESS)
            return zcs__cl_fail(context, ZCS_ERROR_INVALID_ARGUMENT, "clGetEventInfo", error,
                                "an application event");
        if (owner != context->impl->cl_context)
            return zcs__fail(context, ZCS_ERROR_INVALID_ARGUMENT, 0,
                             "%s: event %u belongs to another OpenCL context than the zcs "
                             "context's",
                             function, (unsigned)i);
    }
    return ZCS_SUCCESS;
}

zcs_status zcs_opencl_wait_events(zcs_context *context_handle, cl_uint count,
                                  const cl_event *events)
{
    ZCS__RESOLVE_CONTEXT(context, context_handle, "zcs_opencl_wait_events");
    zcs_status status = zcs__cl_check_events(context, "zcs_opencl_wait_events", count, events);
    if (status != ZCS_SUCCESS || count == 0)
        return status;
    struct zcs__context_impl *ctx = context->impl;
    /* Under dispatch_lock: the barrier falls between two dispatches, never inside one. */
    pthread_mutex_lock(&context->dispatch_lock);
    pthread_mutex_lock(&ctx->queue_lock);
    zcs__cl_finishers_wait(ctx);
    /* Maps of the tail's users must not wait for the application: give them a marker. */
    status = zcs__cl_tail_marker(context);
    cl_int error = CL_SUCCESS;
    if (status == ZCS_SUCCESS)
        error = zcs__cl.clEnqueueBarrierWithWaitList(ctx->queue, count, events, NULL);
    if (status == ZCS_SUCCESS && error == CL_SUCCESS)
        ctx->external = 1;
    pthread_mutex_unlock(&ctx->queue_lock);
    pthread_mutex_unlock(&context->dispatch_lock);
    if (status != ZCS_SUCCESS)
        return status;
    if (error != CL_SUCCESS)
        return zcs__cl_fail(context, ZCS_ERROR_BACKEND, "clEnqueueBarrierWithWaitList", error,
                            "zcs_opencl_wait_events");
    return ZCS_SUCCESS;
}

zcs_status zcs_opencl_array_used_by(zcs_array *array_handle, cl_uint count, const cl_event *events)
{
    ZCS__CLAIM(zcs_array, array, array_handle, ZCS__MAGIC_ARRAY, 1, "array",
               "zcs_opencl_array_used_by");
    zcs_context *context = array->context;
    struct zcs__context_impl *ctx = context->impl;
    struct zcs__array_impl *impl = array->impl;
    zcs_status status = zcs__cl_check_events(context, "zcs_opencl_array_used_by", count, events);
    if (status == ZCS_SUCCESS && array->mapped)
        status = zcs__fail(context, ZCS_ERROR_MAPPED, 0,
                           "zcs_opencl_array_used_by: the array is mapped; the application may "
                           "use it only while it is unmapped");
    if (status != ZCS_SUCCESS || count == 0) {
        zcs__handle_release(array_handle);
        return status;
    }
    pthread_mutex_lock(&ctx->queue_lock);
    cl_event *grown = zcs__malloc((impl->app_event_count + count) * sizeof *grown);
    if (grown == NULL) {
        status = zcs__fail(context, ZCS_ERROR_OUT_OF_MEMORY, 0,
                           "zcs_opencl_array_used_by: out of host memory");
    } else {
        cl_uint kept = 0;
        for (cl_uint i = 0; i < count && status == ZCS_SUCCESS; i++) {
            cl_int error = zcs__cl.clRetainEvent(events[i]);
            if (error != CL_SUCCESS)
                status = zcs__cl_fail(context, ZCS_ERROR_BACKEND, "clRetainEvent", error,
                                      "zcs_opencl_array_used_by");
            else
                grown[kept++] = events[i];
        }
        if (status != ZCS_SUCCESS) {
            for (cl_uint i = 0; i < kept; i++)
                zcs__cl.clReleaseEvent(grown[i]);
            zcs__free(grown);
        } else {
            if (impl->app_event_count > 0)
                memcpy(grown + count, impl->app_events, impl->app_event_count * sizeof *grown);
            zcs__free(impl->app_events);
            impl->app_events = grown;
            impl->app_event_count += count;
            zcs__readahead_forget(&impl->readahead);
        }
    }
    pthread_mutex_unlock(&ctx->queue_lock);
    if (status == ZCS_SUCCESS)
        zcs__array_note_app_use(array);
    zcs__handle_release(array_handle);
    return status;
}

/* A marker on the transfer queue that completes once `list` has: zcs's work so far. */
static zcs_status zcs__cl_marker(zcs_context *context, const char *function,
                                 zcs__cl_wait_list *list, cl_event *out_event)
{
    struct zcs__context_impl *ctx = context->impl;
    cl_event event = NULL;
    pthread_mutex_lock(&ctx->queue_lock);
    cl_int error = zcs__cl.clEnqueueMarkerWithWaitList(
        ctx->transfer_queue, list->count, list->count > 0 ? list->events : NULL, &event);
    if (error == CL_SUCCESS)
        zcs__cl.clFlush(ctx->transfer_queue);
    pthread_mutex_unlock(&ctx->queue_lock);
    zcs__cl_wait_list_release(list);
    if (error != CL_SUCCESS)
        return zcs__cl_fail(context, ZCS_ERROR_BACKEND, "clEnqueueMarkerWithWaitList", error,
                            function);
    *out_event = event;
    return ZCS_SUCCESS;
}

zcs_status zcs_opencl_array_event(zcs_array *array_handle, cl_event *out_event)
{
    ZCS__CLAIM(zcs_array, array, array_handle, ZCS__MAGIC_ARRAY, 0, "array",
               "zcs_opencl_array_event");
    zcs_context *context = array->context;
    zcs_status status = ZCS_SUCCESS;
    if (out_event == NULL) {
        zcs__handle_release(array_handle);
        return zcs__fail(context, ZCS_ERROR_NULL_HANDLE, 0,
                         "zcs_opencl_array_event: out_event is NULL");
    }
    /* A dispatch being handed to the backend on another thread is part of "so far". */
    pthread_mutex_lock(&context->dispatch_lock);
    struct zcs__context_impl *ctx = context->impl;
    struct zcs__array_impl *impl = array->impl;
    zcs__cl_wait_list list;
    zcs__cl_wait_list_init(&list);
    pthread_mutex_lock(&ctx->queue_lock);
    if (impl->in_tail)
        status = zcs__cl_tail_marker(context);
    if (status == ZCS_SUCCESS && impl->dispatch_event != NULL)
        status = zcs__cl_wait_list_add(context, &list, impl->dispatch_event);
    pthread_mutex_unlock(&ctx->queue_lock);
    pthread_mutex_unlock(&context->dispatch_lock);
    /* The transfer queue is in order: the marker also follows the array's unmaps. */
    if (status == ZCS_SUCCESS)
        status = zcs__cl_marker(context, "zcs_opencl_array_event", &list, out_event);
    else
        zcs__cl_wait_list_release(&list);
    zcs__handle_release(array_handle);
    return status;
}

zcs_status zcs_opencl_context_event(zcs_context *context_handle, cl_event *out_event)
{
    ZCS__RESOLVE_CONTEXT(context, context_handle, "zcs_opencl_context_event");
    if (out_event == NULL)
        return zcs__fail(context, ZCS_ERROR_NULL_HANDLE, 0,
                         "zcs_opencl_context_event: out_event is NULL");
    struct zcs__context_impl *ctx = context->impl;
    cl_event dispatches = NULL;
    pthread_mutex_lock(&context->dispatch_lock);
    pthread_mutex_lock(&ctx->queue_lock);
    zcs__cl_finishers_wait(ctx);
    cl_int error = zcs__cl.clEnqueueMarkerWithWaitList(ctx->queue, 0, NULL, &dispatches);
    if (error == CL_SUCCESS)
        zcs__cl.clFlush(ctx->queue);
    pthread_mutex_unlock(&ctx->queue_lock);
    pthread_mutex_unlock(&context->dispatch_lock);
    if (error != CL_SUCCESS)
        return zcs__cl_fail(context, ZCS_ERROR_BACKEND, "clEnqueueMarkerWithWaitList", error,
                            "zcs_opencl_context_event");
    zcs__cl_wait_list list;
    zcs__cl_wait_list_init(&list);
    list.inline_events[list.count++] = dispatches; /* the list's reference */
    return zcs__cl_marker(context, "zcs_opencl_context_event", &list, out_event);
}
