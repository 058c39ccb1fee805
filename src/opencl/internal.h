/*
 * The OpenCL backend's private state and helpers (src/opencl/). The files mirror
 * src/vulkan/: api (the call table), errors, device (inspection and choice), context,
 * array, program (programs and kernels), dispatch (submission and waiting), include
 * (#include "zcs/layout.h" in kernels built at run time).
 */
#ifndef ZCS_OPENCL_INTERNAL_H
#define ZCS_OPENCL_INTERNAL_H

#include <pthread.h>

#include "backend.h"
#include "core/readahead.h"
#include "opencl/api.h"

struct zcs__context_impl {
    cl_platform_id platform;
    cl_device_id device;
    cl_context cl_context;
    cl_command_queue queue; /* where dispatches go, in order */
    /* zcs's own in-order queue for maps, unmaps and guard reads (ordering.c), so that a map
       never queues behind dispatches that do not use its array. */
    cl_command_queue transfer_queue;
    /* zcs's in-order queue for maps that wait for their array's dispatch on the device
       (zcs__cl_map_queue_begin): apart, so they never hold up the transfer queue. */
    cl_command_queue follow_queue;
    /* zcs holds one reference to each of cl_context and queue, made or retained; and to
       the device when retained_device (attach retains it, for sub-devices). */
    int retained_device;
    int attached; /* the objects are the application's (zcs_opencl_context_attach) */
    /* Serialises every call on `queue`: OpenCL allows several threads on one queue, but
       runtimes have raced there (PoCL 3.1 aborts in pocl_lock_events_inorder when threads
       enqueue and clFinish one in-order queue at once), and zcs promises thread safety. */
    pthread_mutex_t queue_lock;
    /* Serialises the blocking maps of follow_queue, held while they block: they would wait
       for each other anyway on that in-order queue, and it keeps queue_lock free meanwhile.
       Finishers of the dispatch queue (ordering.c) hold it too, one at a time. */
    pthread_mutex_t follow_lock;
    /* Serialises clSVMAlloc and clSVMFree: NVIDIA's OpenCL (driver 580) returned NULL for
       small clSVMAlloc calls made from 64 threads at once. */
    pthread_mutex_t svm_lock;
    /*
     * Dispatches without events (ordering.c), under queue_lock. A dispatch asks the runtime
     * for no event, as a hand-written frame does: its arrays are the tail's users, and a map
     * of one waits for the tail by finishing `queue` (or with a blocking command on it).
     * Before anything else is queued behind the tail, a marker takes its place as the users'
     * dispatch event, so that a map never waits for later work. `tail_ticket` counts tails;
     * `external`: something on `queue` waits for application events and was not finished
     * yet, so a finish could wait
     * for the application: markers then. `finishers`: threads waiting on `queue` without
     * queue_lock; nothing is enqueued there meanwhile (`finished` signals the end).
     * `dispatch_events`: every dispatch asks for an event (the application has the queue).
     */
    struct zcs__array_impl **tail_users;
    uint32_t tail_count;
    uint32_t tail_capacity;
    uint64_t tail_ticket;
    int external;
    uint32_t finishers;
    pthread_cond_t finished;
    int dispatch_events;
    /* 64 bytes of SVM that an emptied indirect list declares (program.c), or NULL. */
    void *svm_sentinel;
    /* 1 if the device reports OpenCL 2.1 or later and an IL (clCreateProgramWithIL). */
    int supports_il;
    size_t max_work_group_size;
    size_t max_work_item_sizes[3]; /* per dimension (CL_DEVICE_MAX_WORK_ITEM_SIZES) */
};

struct zcs__array_impl {
    void *svm;        /* SVM tiers: the array's first byte, as host and kernels see it */
    void *svm_base;   /* SVM tiers: the allocation (svm less the guard in validation mode) */
    cl_mem mem;       /* ZCS_TIER_HOST_PTR: the array's buffer (a sub-buffer when guarded) */
    cl_mem parent;    /* ZCS_TIER_HOST_PTR, guarded: the whole allocation; else NULL */
    void *stable_ptr; /* ZCS_TIER_HOST_PTR: the array's start as the first map returned it */
    int staged;       /* ZCS_TIER_HOST_PTR: a later map moved it, so the runtime copies */
    /* ZCS_TIER_STAGED (staged.c): `mem` and `parent` are plain device buffers; the host copy
       is `host` (array->size bytes) inside `host_mem`, a CL_MEM_ALLOC_HOST_PTR buffer mapped
       once (pinned memory where the runtime has it). write_pending: an unmap's
       host-to-device copy may still read `host`. */
    cl_mem host_mem;
    unsigned char *host;
    int write_pending;
    /* An unmap's copy to the device not enqueued yet, of [upload_offset, + upload_size): the
       next dispatch that uses the array enqueues it on the dispatch queue just ahead of its
       kernel, with no event of its own (upload_in_dispatch then says the dispatch's event
       covers it); the next map, guard copy or free enqueues it alone on the transfer queue.
       Not for an array whose buffer the application was given (shared): its unmaps copy
       at once. Under the context's queue_lock. */
    int upload_deferred;
    int upload_in_dispatch;
    int shared;
    size_t upload_offset;
    size_t upload_size;
    /* Read-ahead (core/readahead.h): the next dispatch enqueues the copy to the host just
       behind its kernel, and its event, the dispatch's, covers both. Under the context's
       queue_lock. */
    zcs__readahead readahead;
    /* Ordering (ordering.c), under the context's queue_lock: */
    cl_event dispatch_event; /* the newest dispatch that uses the array, or NULL */
    int in_tail;             /* that dispatch is the tail, with no event (tail_users) */
    int event_lost;          /* a retain of its event failed: waits finish the queue */
    cl_event unmap_event;    /* the newest unmap, until a dispatch has waited for it */
    /* Application work on the array (zcs_opencl_array_used_by) that neither a map nor a
       dispatch has waited for yet. */
    cl_event *app_events;
    cl_uint app_event_count;
    int has_fd; /* import.c: an imported file descriptor zcs closes at destroy */
    int owned_fd;
    /* SVM tiers: a CL_MEM_USE_HOST_PTR buffer over svm_base, made at the first
       zcs_opencl_array_native (interop.c), released with the array; else NULL. */
    cl_mem svm_buffer;
};

struct zcs__program_impl {
    cl_program program;
};

struct zcs__kernel_impl {
    cl_kernel kernel;
    size_t work_group_size; /* CL_KERNEL_WORK_GROUP_SIZE: the most items a group may have */
};

/* Why the host_ptr tier has no shared pointer, for the messages of array.c and program.c. */
#define ZCS__CL_NO_ADDRESS_REASON                                                                  \
    "arrays of the host_ptr tier are cl_mem buffers: OpenCL 1.2 gives them no device "             \
    "address the host may store, and the runtime may move them between dispatches; use "           \
    "zcs_ref element indices (zcs/layout.h), which work on every tier, or an SVM tier"

/* Why the staged tier has no shared pointer (array.c, program.c). */
#define ZCS__CL_STAGED_NO_ADDRESS_REASON                                                           \
    "arrays of the staged tier live in a device buffer (cl_mem) and zcs copies at map and "        \
    "unmap: there is no SVM pointer the host may store; use zcs_ref element indices "              \
    "(zcs/layout.h), which work on every tier, or a ZCS_ARRAY_STREAMED array on an SVM tier"

/* ---- staged.c: the staged tier (device buffer plus a host copy) ---- */

zcs_status zcs__cl_staged_create(zcs_array *array);
void zcs__cl_staged_destroy(zcs_array *array);
/* Enqueue the deferred uploads of the arrays a dispatch uses on the dispatch queue (queue_lock
   held), ahead of its kernel. */
zcs_status zcs__cl_staged_dispatch_uploads(zcs_kernel *kernel, uint32_t arg_count);
/* A dispatch enqueued no kernel after its uploads (queue_lock held): wait until the
   uploads no longer read the host copies. */
void zcs__cl_staged_dispatch_abandoned(zcs_kernel *kernel, uint32_t arg_count);
/* Enqueue the armed read-aheads of the arrays a dispatch uses just behind its kernel
   (queue_lock held); where one is enqueued, *event (the kernel's) is replaced by the last
   read-ahead's, which the in-order queue completes after the kernel. `event` NULL: the
   dispatch has no event, and neither have the read-aheads (the tail covers them). */
void zcs__cl_staged_dispatch_readaheads(zcs_kernel *kernel, uint32_t arg_count, cl_event *event);
/* Enqueue an array's deferred upload alone (before the application is given its buffer). */
zcs_status zcs__cl_staged_flush(zcs_array *array);
zcs_status zcs__cl_staged_map(zcs_array *array, zcs_access access, size_t offset, size_t size,
                              uint64_t after, void **out_ptr);
zcs_status zcs__cl_staged_unmap(zcs_array *array);
zcs_status zcs__cl_staged_guard(zcs_array *array, zcs__guard_side side, zcs__guard_copy copy,
                                unsigned char *bytes);

/* ---- dispatch.c: waits under ZCS_WAIT_POLL (zcs__wait_poll, src/core/wait.c) ----
 *
 * Under ZCS_WAIT_BLOCK (context->wait_poll_ns 0) these call nothing and the waits block in
 * the runtime as before. Under ZCS_WAIT_POLL a wait first polls the work's events
 * (CL_EVENT_COMMAND_EXECUTION_STATUS) for up to the budget, then blocks as usual (at once
 * where the poll saw the work done); each polled wait counts once in polled_waits.
 */

/* Poll `events` (on queues already flushed); 1 when all completed while polling, 0 when
   the budget ran out, one failed (the blocking wait reports it) or the wait blocks. */
int zcs__cl_poll_events(zcs_context *context, cl_uint count, const cl_event *events);

/* Before a clFinish of `queue` (and of `second`, unless NULL), made under the lock the
   caller holds for it: a marker on each, flushed, polled together, released. */
void zcs__cl_poll_finish(zcs_context *context, cl_command_queue queue, cl_command_queue second);

/* Wait for a command enqueued without blocking on `queue` (the caller holds that queue's
   lock): flush, poll its event, clWaitForEvents unless done, and its end status. Releases
   `event`; returns CL_SUCCESS, the wait's error, or the command's negative status. For the
   maps and staged reads that block under ZCS_WAIT_BLOCK. */
cl_int zcs__cl_wait_command(zcs_context *context, cl_command_queue queue, cl_event event);

/* How a finished command ended: its negative status if it failed, else CL_SUCCESS (also
   where the runtime cannot say). Not every runtime reports a failed command through its
   wait (NVIDIA's returns CL_SUCCESS for a user event set to an error): ask the event. */
cl_int zcs__cl_event_end(cl_event event);

/* ---- errors.c ---- */

/* "CL_INVALID_VALUE" for -30; "CL_UNKNOWN_ERROR" for codes OpenCL does not define. */
const char *zcs__cl_error_name(cl_int error);

/*
 * Record a failed OpenCL call: the message names the call, the error and the code
 * ("clCreateBuffer failed: CL_INVALID_VALUE (-30)"), optionally with context text.
 * Out-of-memory errors map to ZCS_ERROR_OUT_OF_MEMORY, others to `status`.
 */
zcs_status zcs__cl_fail(zcs_context *context, zcs_status status, const char *call, cl_int error,
                        const char *what);

/* ---- device.c: what context creation shares with device enumeration ---- */

/* What the device choice learns of one device. */
typedef struct zcs__cl_candidate {
    cl_platform_id platform;
    cl_device_id device;
    char platform_name[256];
    char device_name[256];
    cl_device_type type;
    char device_version[128]; /* CL_DEVICE_VERSION */
    char driver_version[256]; /* CL_DRIVER_VERSION */
    int is_gpu;
    int unified_memory;
    int version_major;
    int version_minor;
    cl_device_svm_capabilities svm;
    /* Why the device cannot be used, or "" when it can. */
    char refusal[160];
} zcs__cl_candidate;

/* Fill the rest of a candidate whose platform and device are set: names, versions, SVM
   capabilities and, when zcs cannot use it, the refusal. */
void zcs__cl_inspect_device(zcs__cl_candidate *candidate);

/* The index of `device` in zcs_device_get_info's numbering, or UINT32_MAX when OpenCL does
   not list it (a sub-device). */
zcs_status zcs__cl_device_index(zcs_context *context, cl_device_id device, uint32_t *out_index);

/* Pick the device asked for (by index, or the best usable one matching the name filter);
   NO_DEVICE lists every refusal. */
zcs_status zcs__cl_choose_device(zcs_context *context, const zcs__device_choice *choice,
                                 zcs__cl_candidate *out_choice, uint32_t *out_index);

/* Choose the tier: the forced one (of this backend) if the device has it, else the best
   it offers; the reason text goes to `reason`. */
zcs_status zcs__cl_choose_tier(zcs_context *context, const zcs__cl_candidate *device,
                               zcs_tier forced, const char *tier_source, char *reason,
                               size_t reason_size, zcs_tier *out_tier);

/* The best tier in host memory the device offers (svm_fine, svm_coarse, host_ptr): the
   automatic tier of a unified-memory device, and of ZCS_ARRAY_STREAMED arrays elsewhere. */
zcs_tier zcs__cl_host_tier(const zcs__cl_candidate *device);

/* The limits of zcs_device_limits and the array alignment (zcs_context_info.alignment). */
zcs_status zcs__cl_query_limits(zcs_context *context, const zcs__cl_candidate *device,
                                zcs_device_limits *limits, size_t *out_alignment);

/* 1 if the device takes SPIR-V: OpenCL 2.1 or later and an IL it names (3.0 makes it
   optional). */
int zcs__cl_supports_il(const zcs__cl_candidate *device);

/* ---- import.c ---- */

/* Release what an imported array holds beside its cl_mem (a file descriptor). */
void zcs__cl_import_release(struct zcs__array_impl *impl);

/* ---- interop.c ---- */

/*
 * Check a zcs_opencl_attach_desc (native_desc, not NULL): its handles, that they belong
 * together, an in-order host queue, a device zcs can use; describe the device into
 * *out_device and its index into *out_index. Retains nothing.
 */
zcs_status zcs__cl_check_attach(zcs_context *context, const void *native_desc,
                                zcs__cl_candidate *out_device, uint32_t *out_index);

/* ---- include.c ---- */

/*
 * The directory holding zcs/layout.h for -I, made at the first call (once per process);
 * "" where it could not be written (builds then go without it).
 */
const char *zcs__cl_include_dir(void);

/* array.c: the cl_mem_flags of an array's zcs_array_flags: kernel access (CL_MEM_READ_ONLY,
   _WRITE_ONLY or _READ_WRITE, for clSVMAlloc and clCreateBuffer) and host access
   (CL_MEM_HOST_WRITE_ONLY, _READ_ONLY or 0, for clCreateBuffer). */
cl_mem_flags zcs__cl_device_access(uint32_t flags);
cl_mem_flags zcs__cl_host_access(uint32_t flags);

/* ordering.c: the transfer queue and the events that order maps, unmaps and dispatches. */

/* Create ctx->transfer_queue on `device` (after ctx->cl_context). */
zcs_status zcs__cl_transfer_queue_create(zcs_context *context, cl_device_id device);

/* Release an array's events and leave the tail's users (at its destroy; queue_lock held). */
void zcs__cl_array_events_release(struct zcs__context_impl *ctx, struct zcs__array_impl *impl);

/*
 * The events a dispatch of `kernel` must wait for (unmaps and application work on its
 * arrays), retained, in a list the caller gives back with zcs__cl_wait_list_release.
 * Called with queue_lock held; the lists of the arrays are emptied.
 */
typedef struct zcs__cl_wait_list {
    cl_event *events; /* inline_events, or heap storage once more are needed */
    cl_uint count;
    cl_uint capacity;
    cl_event inline_events[8];
} zcs__cl_wait_list;
zcs_status zcs__cl_dispatch_wait_list(zcs_kernel *kernel, uint32_t arg_count,
                                      zcs__cl_wait_list *out_list);
void zcs__cl_wait_list_release(zcs__cl_wait_list *list);

/*
 * Where a map's blocking command goes. Usually the transfer queue, under queue_lock. For a
 * map the core left the wait to (zcs__backend_array_map's `after`): the follow queue, under
 * follow_lock, with the array's dispatch event in its wait list, so the one blocking call
 * waits for the kernel and the map, as a hand-written frame's blocking map does; a queue
 * of its own, so that the transfer queue and queue_lock are never held while a kernel
 * runs. Where zcs kept no event for the dispatch, begin waits on the host and the map
 * goes to the transfer queue. The caller locks `lock` around the enqueue.
 */
typedef struct zcs__cl_map_queue {
    cl_command_queue queue;
    pthread_mutex_t *lock;
    cl_uint wait_count;        /* 1 with `dispatch` */
    const cl_event *wait_list; /* &dispatch, or NULL */
    cl_event dispatch;         /* retained */
    /* The dispatch is the tail (no event): the map goes on the dispatch queue itself,
       behind it, as a finisher; `ticket` is the tail's. */
    int finisher;
    uint64_t ticket;
} zcs__cl_map_queue;
zcs_status zcs__cl_map_queue_begin(zcs_array *array, uint64_t after, zcs__cl_map_queue *out);
/* After the map's blocking enqueue (`error` its result): count the wait, release the event. */
void zcs__cl_map_queue_end(zcs_array *array, zcs__cl_map_queue *queue, cl_int error);

/* Before a dispatch is enqueued, queue_lock held: wait until no thread finishes the
   dispatch queue, give the tail's users a marker, and make room for the new dispatch's
   arrays among them. On failure nothing was enqueued. *out_event_wanted: ask the runtime
   for the dispatch's event (only where the application has the queue). */
zcs_status zcs__cl_dispatch_begin(zcs_kernel *kernel, uint32_t arg_count, int *out_event_wanted);

/* Record the dispatch just enqueued as the newest use of each of its arrays: `event`, or
   NULL for a dispatch without one (the arrays become the tail's users); one that waited for
   application events marks the queue `external`. queue_lock held. */
void zcs__cl_dispatch_record(zcs_kernel *kernel, uint32_t arg_count, cl_event event);

/* Wait, queue_lock held, until no thread finishes the dispatch queue (before enqueueing on
   it). */
void zcs__cl_finishers_wait(struct zcs__context_impl *ctx);

/* The dispatch queue was finished (clFinish succeeded, queue_lock held): no tail is
   pending and nothing waits for the application there. */
void zcs__cl_queue_drained(struct zcs__context_impl *ctx);

/* Give the tail's users a marker on the dispatch queue as their dispatch event (the
   application is given the queue, or an event is asked for). queue_lock held. */
zcs_status zcs__cl_tail_marker(zcs_context *context);

#endif /* ZCS_OPENCL_INTERNAL_H */
