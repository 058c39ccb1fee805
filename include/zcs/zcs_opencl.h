/**
 * @file
 * zcs inside an OpenCL application: attach a zcs context to the application's OpenCL
 * objects, get the native objects behind any zcs context and array, and order zcs's work
 * with the application's through cl_events.
 *
 * Usable only with an OpenCL build of zcs (ZCS_BUILT_WITH_OPENCL); including it with a
 * Vulkan build stops the compilation with a message. docs/guide.md, "Using zcs inside an
 * existing application", says how long each native object stays valid and what the
 * application may do with it while zcs also uses it.
 */
#ifndef ZCS_ZCS_OPENCL_H
#define ZCS_ZCS_OPENCL_H

#include "zcs/zcs.h"

#if !ZCS_BUILT_WITH_OPENCL
#error "zcs/zcs_opencl.h needs an OpenCL build of zcs; this one is a Vulkan build"
#endif

#ifndef CL_TARGET_OPENCL_VERSION
/** The OpenCL headers' target version, when the application has not chosen one. */
#define CL_TARGET_OPENCL_VERSION 300
#endif
#include <CL/cl.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Attaching to the application's OpenCL objects                             */
/* ------------------------------------------------------------------------ */

/**
 * The application's OpenCL objects a zcs context attaches to (zcs_opencl_context_attach).
 * Zero-initialise it ({0}) and set the three handles; every other zero field means
 * "default".
 */
typedef struct zcs_opencl_attach_desc {
    /** The application's context. Required. */
    cl_context context;
    /** The device zcs uses: one of the context's devices (CL_CONTEXT_DEVICES). Required. */
    cl_device_id device;
    /** The queue zcs enqueues its kernels on: a queue of `context` and `device`
       (CL_QUEUE_CONTEXT, CL_QUEUE_DEVICE), in order: zcs orders its own work by the queue's
       order, so an out-of-order queue (CL_QUEUE_OUT_OF_ORDER_EXEC_MODE_ENABLE) or a device
       queue gives ZCS_ERROR_UNSUPPORTED; make an in-order queue for zcs on the same context
       and device instead (it shares the memory of every queue of the context). NULL: zcs
       makes an in-order queue of its own on `context` and `device` and releases it at
       zcs_context_destroy. Only zcs enqueues there (until zcs_opencl_context_native hands
       it out), so a dispatch needs no event of the runtime; on the application's queue
       every dispatch asks for one, since the application may enqueue behind it. */
    cl_command_queue queue;
    /** Force an allocation tier, as zcs_context_desc.tier: ZCS_TIER_AUTO (0) takes
       ZCS_TIER, else the best tier the device offers (svm_fine, svm_coarse, host_ptr). A
       forced tier the device lacks gives ZCS_ERROR_UNSUPPORTED naming the missing SVM
       capability. */
    zcs_tier tier;
    /** ZCS_CONTEXT_VALIDATE and ZCS_CONTEXT_IGNORE_ENVIRONMENT (as zcs_context_desc.flags;
       ZCS_DEVICE is never read); 0 for none. ZCS_CONTEXT_DEVICE_INDEX gives
       ZCS_ERROR_INVALID_ARGUMENT: the objects name the device. */
    uint32_t flags;
    /** How waits for the device wait, as zcs_context_desc.wait (ZCS_WAIT_AUTO, 0: ZCS_WAIT,
       else the rule under ZCS_WAIT_AUTO). */
    zcs_wait wait;
    /** The poll budget of ZCS_WAIT_POLL in microseconds, as zcs_context_desc.wait_poll_us
       (0: ZCS_DEFAULT_WAIT_POLL_US). */
    uint32_t wait_poll_us;
} zcs_opencl_attach_desc;

/**
 * Create a zcs context on the application's OpenCL context, device and queue (or a queue
 * of zcs's own on them, desc->queue NULL). zcs checks them, retains them (clRetainContext,
 * clRetainDevice, clRetainCommandQueue) and releases them at zcs_context_destroy; the
 * application's own references stay valid and its own, so it may release them at any time
 * after this call. Arrays are allocated in the application's context (SVM or buffers, per
 * tier); zcs's kernels are built for `device` and run on `queue`. Everything else works as
 * on a context of zcs_context_create, and zcs_context_info describes the device
 * (device_index is its place in zcs_device_get_info's numbering, or UINT32_MAX for a
 * device zcs does not list, such as a sub-device).
 *
 * The queue stays usable by the application: its own commands and zcs's run in the queue's
 * order. OpenCL lets several threads enqueue on one queue, but zcs serialises its own calls
 * on it (runtimes have raced there): while a zcs call on the context may run in another
 * thread, enqueue your own work on another in-order queue of the same context, or wait for
 * the zcs call to return.
 *
 * Sharing the application's context, rather than letting zcs_context_create make a second
 * one, also spares waits on some drivers: on NVIDIA's, every wait for the GPU took 130 us
 * longer while two OpenCL contexts were in use in one process (docs/benchmarks.md).
 *
 * Returns ZCS_SUCCESS, ZCS_ERROR_NULL_HANDLE (desc, out_context, desc->context or
 * desc->device is NULL), ZCS_ERROR_INVALID_ARGUMENT (the device is not one of the
 * context's, the queue belongs to another context or device, unknown flag bits or tier, a
 * ZCS_TIER, ZCS_VALIDATE or ZCS_WAIT value or a wait zcs does not know; the message says
 * which),
 * ZCS_ERROR_UNSUPPORTED (an out-of-order or device queue, a device without an OpenCL C
 * compiler or older than OpenCL 1.2, a forced tier the device lacks; the message names
 * what is missing), ZCS_ERROR_OUT_OF_MEMORY, ZCS_ERROR_BACKEND (an OpenCL query failed:
 * for example an object that is not a live one of its kind, CL_INVALID_CONTEXT). On
 * failure nothing is retained and the application's objects are untouched.
 */
ZCS_API zcs_status zcs_opencl_context_attach(const zcs_opencl_attach_desc *desc,
                                             zcs_context **out_context);

/* ------------------------------------------------------------------------ */
/* Native objects of a context and of an array                               */
/* ------------------------------------------------------------------------ */

/**
 * The OpenCL objects behind a zcs context (zcs_opencl_context_native). Not retained for
 * the caller: each is valid while the zcs context lives (the application's own, for an
 * attached context, as long as it keeps them); clRetain* one to keep it longer.
 */
typedef struct zcs_opencl_context_objects {
    cl_platform_id platform; /**< The device's platform. */
    cl_context context;      /**< The context every array of the zcs context lives in. */
    cl_device_id device;     /**< The device zcs builds and runs kernels for. */
    /** The in-order queue zcs enqueues its kernels on. The application may enqueue its own
       work there (it runs in queue order with zcs's) from a thread that is not in a zcs
       call on the context at the same time (see zcs_opencl_context_attach). */
    cl_command_queue queue;
} zcs_opencl_context_objects;

/**
 * Fill *out_objects with the OpenCL objects of any zcs context, attached or made by
 * zcs_context_create.
 * Returns ZCS_SUCCESS, ZCS_ERROR_NULL_HANDLE (context or out_objects),
 * ZCS_ERROR_INVALID_HANDLE.
 */
ZCS_API zcs_status zcs_opencl_context_native(zcs_context *context,
                                             zcs_opencl_context_objects *out_objects);

/**
 * What another OpenCL library needs to use an array in place (zcs_opencl_array_native).
 *
 * Validity: `buffer` and `svm_pointer` stay valid, and the same, until the array is
 * destroyed (zcs_array_destroy or zcs_context_destroy); they are not retained for the
 * caller, and the application must not release `buffer`. Work the application enqueued on
 * them must have finished by then.
 *
 * Sharing with zcs: the memory is zcs's array itself, nothing is copied. The application
 * may read and write it from its own kernels or library calls (on any queue of the
 * context) while the array is not mapped, as long as that work has finished, or is ordered
 * before, when zcs maps the array or dispatches a kernel that uses it, and zcs's kernels
 * on the array have finished (zcs_finish, or the ordering calls of this header) before
 * the application's work starts: zcs cannot see the application's work. While the array is
 * mapped (zcs_array_map) the application must not use it on the device at all.
 */
typedef struct zcs_opencl_array_objects {
    /** A buffer holding the array: on the host_ptr tier the array's own CL_MEM_ALLOC_HOST_PTR
       buffer; on the SVM tiers a buffer made once, at the first call, over the array's SVM
       memory (clCreateBuffer with CL_MEM_USE_HOST_PTR: the same memory, zero-copy),
       released with the array. For kernels and libraries that take a cl_mem (CLBlast,
       clFFT). */
    cl_mem buffer;
    /** Bytes from the start of `buffer` to the array's first element: 0, except in
       validation mode on the SVM tiers, where the buffer covers the guard bytes before the
       array too. Pass it as the library's offset argument. */
    size_t offset;
    /** Bytes of the array (zcs_array_size). */
    size_t size;
    /** SVM tiers: the array's first byte, for clSetKernelArgSVMPointer and SVM-aware
       libraries (the pointer zcs_array_map returns for the whole array). NULL on the
       host_ptr tier, whose memory has no shared address. */
    void *svm_pointer;
} zcs_opencl_array_objects;

/**
 * Fill *out_objects with the OpenCL objects of a live array (see zcs_opencl_array_objects
 * for how long they stay valid and how the application may use them). The same rule as
 * the other calls on one array: one thread at a time.
 * Returns ZCS_SUCCESS, ZCS_ERROR_NULL_HANDLE (array or out_objects),
 * ZCS_ERROR_INVALID_HANDLE, ZCS_ERROR_BUSY (another thread is in a call on the array),
 * ZCS_ERROR_OUT_OF_MEMORY, ZCS_ERROR_BACKEND (clCreateBuffer refused the SVM memory; the
 * message gives its error).
 */
ZCS_API zcs_status zcs_opencl_array_native(zcs_array *array, zcs_opencl_array_objects *out_objects);

/* ------------------------------------------------------------------------ */
/* Ordering with the application's work                                      */
/* ------------------------------------------------------------------------ */

/*
 * zcs runs its dispatches in order on the dispatch queue (its own, or the application's
 * when attached) and its maps, unmaps and guard reads on a second in-order queue of its
 * own. A map waits for the dispatches that use its array, never for the others. What the
 * application enqueues itself is not known to zcs: these calls tell it.
 */

/**
 * Make every zcs dispatch enqueued after this call wait for `events` (of the context's
 * cl_context): a barrier on the dispatch queue. Maps of arrays those dispatches do not
 * use do not wait. count 0 does nothing.
 * Returns ZCS_SUCCESS, ZCS_ERROR_NULL_HANDLE (context, or a NULL list or event),
 * ZCS_ERROR_INVALID_HANDLE, ZCS_ERROR_INVALID_ARGUMENT (an event of another cl_context, or
 * not an event), ZCS_ERROR_BACKEND.
 */
ZCS_API zcs_status zcs_opencl_wait_events(zcs_context *context, cl_uint count,
                                          const cl_event *events);

/**
 * Declare application work on `array` that completes with `events` (for example the
 * event of the application's own clEnqueueNDRangeKernel on the array's cl_mem): the next
 * map and free of the array wait for them, and so does the next zcs dispatch that uses
 * it. zcs retains the events until then. The array must not be mapped (the application
 * may use an array only while it is unmapped). count 0 does nothing.
 * Returns ZCS_SUCCESS, ZCS_ERROR_NULL_HANDLE, ZCS_ERROR_INVALID_HANDLE,
 * ZCS_ERROR_INVALID_ARGUMENT (as zcs_opencl_wait_events), ZCS_ERROR_MAPPED,
 * ZCS_ERROR_BUSY (another thread is in a call on the array), ZCS_ERROR_OUT_OF_MEMORY,
 * ZCS_ERROR_BACKEND.
 */
ZCS_API zcs_status zcs_opencl_array_used_by(zcs_array *array, cl_uint count,
                                            const cl_event *events);

/**
 * An event that completes once the zcs work on `array` enqueued so far has: the newest
 * dispatch that uses it and its newest unmap. Give it to the application's own commands
 * as a wait-list entry before they use the array; release it with clReleaseEvent.
 * Returns ZCS_SUCCESS, ZCS_ERROR_NULL_HANDLE, ZCS_ERROR_INVALID_HANDLE, ZCS_ERROR_BUSY,
 * ZCS_ERROR_BACKEND.
 */
ZCS_API zcs_status zcs_opencl_array_event(zcs_array *array, cl_event *out_event);

/**
 * An event that completes once every zcs dispatch, map and unmap of the context enqueued
 * so far has. Release it with clReleaseEvent.
 * Returns ZCS_SUCCESS, ZCS_ERROR_NULL_HANDLE, ZCS_ERROR_INVALID_HANDLE, ZCS_ERROR_BACKEND.
 */
ZCS_API zcs_status zcs_opencl_context_event(zcs_context *context, cl_event *out_event);

#ifdef __cplusplus
}
#endif

#endif /* ZCS_ZCS_OPENCL_H */
