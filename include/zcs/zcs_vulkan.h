/**
 * @file
 * zcs inside a Vulkan application: attach a zcs context to the application's Vulkan
 * instance, physical device, device and queue, get the native objects behind any zcs
 * context and array, and order zcs's work with the application's through semaphores.
 *
 * Usable only with a Vulkan build of zcs (ZCS_BUILT_WITH_VULKAN); including it with an
 * OpenCL build stops the compilation with a message. docs/guide.md, "Using zcs inside an
 * existing application", says how long each native object stays valid and what the
 * application may do with it while zcs also uses it.
 */
#ifndef ZCS_ZCS_VULKAN_H
#define ZCS_ZCS_VULKAN_H

#include "zcs/zcs.h"

#if !ZCS_BUILT_WITH_VULKAN
#error "zcs/zcs_vulkan.h needs a Vulkan build of zcs; this one is an OpenCL build"
#endif

#include <vulkan/vulkan.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Attaching to the application's Vulkan objects                             */
/* ------------------------------------------------------------------------ */

/* ------------------------------------------------------------------------ */
/* Native objects of a context and of an array                               */
/* ------------------------------------------------------------------------ */

/* ------------------------------------------------------------------------ */
/* Ordering with the application's work                                      */
/* ------------------------------------------------------------------------ */

/*
 * zcs records a barrier before each dispatch, so its dispatches run one after another in
 * the order they were made. Where the device has timeline semaphores (Vulkan 1.2's
 * timelineSemaphore, which zcs enables on its own devices), each dispatch signals the
 * context's timeline semaphore with a value that grows by one per dispatch; a map waits
 * for the value of its array's newest dispatch, never for the others. What the
 * application submits itself is not known to zcs: these calls tell it.
 */

/**
 * Make the next zcs dispatch (and so every later one) wait for `semaphore` at the compute
 * stage: a binary semaphore when `value` is 0 (signalled once by the application, waited
 * for once), else a timeline semaphore's value. Maps of arrays those dispatches do not use
 * do not wait.
 * Returns ZCS_SUCCESS, ZCS_ERROR_NULL_HANDLE, ZCS_ERROR_INVALID_HANDLE,
 * ZCS_ERROR_INVALID_ARGUMENT (the same binary semaphore twice before a dispatch),
 * ZCS_ERROR_UNSUPPORTED (a value without timeline semaphores), ZCS_ERROR_OUT_OF_MEMORY.
 */
ZCS_API zcs_status zcs_vulkan_wait_semaphore(zcs_context *context, VkSemaphore semaphore,
                                             uint64_t value);

/**
 * Declare application work on `array` that completes when the timeline semaphore
 * `timeline` reaches `value` (for example the application's own submission that writes
 * the array's VkBuffer): the next map and free of the array wait for it on the host, and
 * the next zcs dispatch that uses the array waits for it on the device. The array must not
 * be mapped.
 * Returns ZCS_SUCCESS, ZCS_ERROR_NULL_HANDLE, ZCS_ERROR_INVALID_HANDLE,
 * ZCS_ERROR_INVALID_ARGUMENT (value 0), ZCS_ERROR_MAPPED, ZCS_ERROR_BUSY,
 * ZCS_ERROR_UNSUPPORTED (no timeline semaphores), ZCS_ERROR_OUT_OF_MEMORY.
 */
ZCS_API zcs_status zcs_vulkan_array_used_by(zcs_array *array, VkSemaphore timeline, uint64_t value);

/**
 * The context's timeline semaphore and the value it reaches once every zcs dispatch made
 * so far has finished (either pointer may be NULL). The semaphore belongs to zcs and lives
 * until zcs_context_destroy: wait on it (vkWaitSemaphores, or a submission's wait) but
 * never signal it.
 * Returns ZCS_SUCCESS, ZCS_ERROR_NULL_HANDLE (both pointers NULL), ZCS_ERROR_INVALID_HANDLE,
 * ZCS_ERROR_UNSUPPORTED (no timeline semaphores).
 */
ZCS_API zcs_status zcs_vulkan_timeline(zcs_context *context, VkSemaphore *out_timeline,
                                       uint64_t *out_value);

/**
 * The value of the context's timeline semaphore (zcs_vulkan_timeline) at which the zcs
 * dispatches made so far that use `array` have finished (0: none has used it).
 * Returns ZCS_SUCCESS, ZCS_ERROR_NULL_HANDLE, ZCS_ERROR_INVALID_HANDLE, ZCS_ERROR_BUSY,
 * ZCS_ERROR_UNSUPPORTED (no timeline semaphores).
 */
ZCS_API zcs_status zcs_vulkan_array_timeline_value(zcs_array *array, uint64_t *out_value);

#ifdef __cplusplus
}
#endif

#endif /* ZCS_ZCS_VULKAN_H */
