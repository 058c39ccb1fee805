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

/**
 * Device features and extensions the application enabled on its VkDevice, as
 * zcs_vulkan_attach_desc.features declares them: Vulkan cannot be asked what a VkDevice was
 * created with (VMA's VmaAllocatorCreateInfo.flags works the same way). Declare only what
 * you enabled: zcs checks that the physical device offers it, not that you enabled it.
 * zcs enables on its own devices each of them the device offers.
 */
typedef enum zcs_vulkan_device_features {
    /** bufferDeviceAddress (VkPhysicalDeviceVulkan12Features or
       VkPhysicalDeviceBufferDeviceAddressFeatures), needs vulkan_api_version 1.2 or later.
       Optional: without it arrays have no device address (zcs_array_device_address,
       zcs_kernel_set_indirect and zcs_vulkan_array_objects.device_address then report
       ZCS_ERROR_UNSUPPORTED or 0). */
    ZCS_VULKAN_FEATURE_BUFFER_DEVICE_ADDRESS = 0x1,
    /** timelineSemaphore (VkPhysicalDeviceVulkan12Features), needs vulkan_api_version 1.2
       or later. Optional: the ordering calls of this header use it where they can. */
    ZCS_VULKAN_FEATURE_TIMELINE_SEMAPHORE = 0x2,
    /** The device extension VK_EXT_external_memory_host, enabled (Vulkan 1.1 is enough, as
       for the two below). Optional: it makes zcs_array_import_host zero-copy where the
       address and size meet the rule of zcs_import_requirements_get; without it imports
       copy, and ZCS_ARRAY_REQUIRE_ZERO_COPY refuses them. */
    ZCS_VULKAN_FEATURE_EXTERNAL_MEMORY_HOST = 0x4,
    /** VK_KHR_external_memory_fd, enabled. Optional: it gives ZCS_ARRAY_EXPORTABLE,
       zcs_array_export_fd and zcs_array_import_fd of ZCS_FD_OPAQUE; without it they report
       ZCS_ERROR_UNSUPPORTED. */
    ZCS_VULKAN_FEATURE_EXTERNAL_MEMORY_FD = 0x8,
    /** VK_EXT_external_memory_dma_buf, enabled; as the extension requires
       VK_KHR_external_memory_fd, this bit requires ZCS_VULKAN_FEATURE_EXTERNAL_MEMORY_FD.
       Optional: it gives zcs_array_import_fd of ZCS_FD_DMA_BUF. */
    ZCS_VULKAN_FEATURE_EXTERNAL_MEMORY_DMA_BUF = 0x10,
} zcs_vulkan_device_features;

/**
 * The application's Vulkan objects a zcs context attaches to (zcs_vulkan_context_attach).
 * Zero-initialise it ({0}) and set the handles, the queue and what the device enabled;
 * every other zero field means "default". zcs owns none of these objects and destroys none:
 * they must outlive the zcs context.
 */
typedef struct zcs_vulkan_attach_desc {
    /** The application's instance. Required. */
    VkInstance instance;
    /** The physical device of `device`, one of `instance`'s. Required. */
    VkPhysicalDevice physical_device;
    /** The application's logical device, created on `physical_device`. Required. */
    VkDevice device;
    /** The queue family of the queue zcs submits to; it must support compute. */
    uint32_t queue_family_index;
    /** The index of that queue in its family (vkGetDeviceQueue); the device must have been
       created with more than this many queues of the family. */
    uint32_t queue_index;
    /** The Vulkan version the application uses: the lower of its VkApplicationInfo.apiVersion
       and the physical device's apiVersion (as VmaAllocatorCreateInfo.vulkanApiVersion).
       0 means Vulkan 1.0, which zcs refuses: it needs 1.1. */
    uint32_t vulkan_api_version;
    /** zcs_vulkan_device_features bits: what the device was created with; 0 for none.
       Without the EXTERNAL_MEMORY bits the context imports and exports nothing zero-copy
       (zcs_import_requirements_get says so). */
    uint32_t features;
    /** ZCS_TIER_AUTO (0), ZCS_TIER_VULKAN_MAPPED or ZCS_TIER_STAGED, as zcs_context_desc.tier. */
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
} zcs_vulkan_attach_desc;

/**
 * Create a zcs context on the application's Vulkan instance, physical device, device and
 * queue. zcs loads its Vulkan functions through the loader with the application's
 * instance, allocates its arrays from `device` (memory blocks, buffers, command and
 * descriptor pools, fences and pipelines of its own, all destroyed by zcs_context_destroy)
 * and submits its kernels to the queue. It destroys none of the application's objects.
 *
 * Kernels may use the shader features (shaderInt64, 8- and 16-bit storage,
 * scalarBlockLayout...) the application enabled on its device; zcs enables on its own
 * devices every one the device offers. The application's VkInstance carries the validation
 * layer, if any: ZCS_VULKAN_VALIDATION has no effect on an attached context, whose
 * zcs_context_info.validation_layer is 0 (the application's own messenger sees every
 * message, zcs's calls included).
 *
 * The queue: Vulkan requires calls on one VkQueue (vkQueueSubmit, vkQueueWaitIdle) to be
 * externally synchronised. zcs holds a lock of its own around its calls on it, which the
 * application cannot take: submit to that queue only from a thread that is not in a zcs
 * call on the context at the same time, or give zcs a queue of its own.
 *
 * Returns ZCS_SUCCESS, ZCS_ERROR_NULL_HANDLE (desc, out_context or a handle in desc),
 * ZCS_ERROR_INVALID_ARGUMENT (the physical device is not one of the instance's, a queue
 * family or index the physical device does not have, a declared feature or extension the
 * physical device does not offer or that needs a later vulkan_api_version,
 * ZCS_VULKAN_FEATURE_EXTERNAL_MEMORY_DMA_BUF without ZCS_VULKAN_FEATURE_EXTERNAL_MEMORY_FD,
 * unknown feature or flag bits, a tier of the other backend, an unknown wait or ZCS_WAIT
 * value; the message says which),
 * ZCS_ERROR_UNSUPPORTED (Vulkan older than 1.1, a queue family without compute, no host-visible
 * memory for storage buffers; the message names what is missing), ZCS_ERROR_OUT_OF_MEMORY,
 * ZCS_ERROR_BACKEND. On failure nothing of zcs's is left on the device.
 */
ZCS_API zcs_status zcs_vulkan_context_attach(const zcs_vulkan_attach_desc *desc,
                                             zcs_context **out_context);

/* ------------------------------------------------------------------------ */
/* Native objects of a context and of an array                               */
/* ------------------------------------------------------------------------ */

/**
 * The Vulkan objects behind a zcs context (zcs_vulkan_context_native). Valid while the zcs
 * context lives, or, for an attached context, as long as the application keeps them. The
 * application must not destroy the objects of a context zcs made.
 */
typedef struct zcs_vulkan_context_objects {
    VkInstance instance;              /**< The instance. */
    VkPhysicalDevice physical_device; /**< The physical device. */
    VkDevice device;                  /**< The logical device every array lives on. */
    /** The queue zcs submits its kernels to (see zcs_vulkan_context_attach on sharing it). */
    VkQueue queue;
    uint32_t queue_family_index; /**< The family of `queue`. */
    uint32_t vulkan_api_version; /**< The Vulkan version zcs uses on the device. */
    /** zcs_vulkan_device_features bits enabled on the device and used by zcs. */
    uint32_t features;
} zcs_vulkan_context_objects;

/**
 * Fill *out_objects with the Vulkan objects of any zcs context, attached or made by
 * zcs_context_create.
 * Returns ZCS_SUCCESS, ZCS_ERROR_NULL_HANDLE (context or out_objects),
 * ZCS_ERROR_INVALID_HANDLE.
 */
ZCS_API zcs_status zcs_vulkan_context_native(zcs_context *context,
                                             zcs_vulkan_context_objects *out_objects);

/**
 * What another Vulkan program needs to use an array in place (zcs_vulkan_array_native).
 *
 * Validity: the buffer and address stay valid, and the same, until the array is destroyed
 * (zcs_array_destroy or zcs_context_destroy); command buffers that use them must have
 * completed by then. The buffer is zcs's and is shared with other arrays: never destroy
 * it, and touch only [offset, offset + range). It was created with the STORAGE_BUFFER,
 * TRANSFER_SRC and TRANSFER_DST usages (and SHADER_DEVICE_ADDRESS where the device has
 * buffer device addresses), in exclusive sharing mode on the context's queue family.
 *
 * Sharing with zcs: the memory is zcs's array itself, nothing is copied. The application
 * may read and write the range from its own command buffers while the array is not mapped,
 * as long as that work has completed, or is ordered before, when zcs maps the array or
 * submits a kernel that uses it, and zcs's kernels on the array have finished (zcs_finish,
 * or the ordering calls of this header) before the application's work starts: zcs cannot
 * see the application's submissions. While the array is mapped (zcs_array_map) the
 * application must not use it on the device at all.
 */
typedef struct zcs_vulkan_array_objects {
    VkBuffer buffer;     /**< A buffer that holds the array (and, beside it, other arrays). */
    VkDeviceSize offset; /**< Bytes from the start of `buffer` to the array's first element. */
    VkDeviceSize range;  /**< Bytes of the array (zcs_array_size). */
    /** The array's first byte as a buffer device address, as zcs_array_device_address gives
       it; 0 when the device has no buffer device addresses. */
    VkDeviceAddress device_address;
} zcs_vulkan_array_objects;

/**
 * Fill *out_objects with the Vulkan objects of a live array (see zcs_vulkan_array_objects
 * for how long they stay valid and how the application may use them). The same rule as
 * the other calls on one array: one thread at a time.
 * Returns ZCS_SUCCESS, ZCS_ERROR_NULL_HANDLE (array or out_objects),
 * ZCS_ERROR_INVALID_HANDLE, ZCS_ERROR_BUSY (another thread is in a call on the array).
 */
ZCS_API zcs_status zcs_vulkan_array_native(zcs_array *array, zcs_vulkan_array_objects *out_objects);

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
