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

/* ------------------------------------------------------------------------ */
/* Native objects of a context and of an array                               */
/* ------------------------------------------------------------------------ */

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
