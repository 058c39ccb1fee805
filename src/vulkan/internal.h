/*
 * The Vulkan backend's private state: what struct zcs__context_impl and friends hold,
 * and the functions its files share (src/opencl/internal.h is its OpenCL twin).
 */
#ifndef ZCS_VULKAN_INTERNAL_H
#define ZCS_VULKAN_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <vulkan/vulkan.h>

#include "backend.h"
#include "core/readahead.h"
#include "vulkan/allocator.h"
#include "vulkan/api.h"
#include "vulkan/spirv.h"

/* Why a device has no ZCS_PTR (array.c, program.c), for messages. */
#define ZCS__VK_NO_ADDRESS_REASON                                                                  \
    "the device does not offer bufferDeviceAddress (Vulkan 1.2), so arrays have no device "        \
    "address a struct may store; use zcs_ref element indices (zcs/layout.h), which work on "       \
    "every backend and tier"

/* Semaphores a submission waits for: binary ones (value 0) and timeline values. */
typedef struct zcs__vk_wait_list {
    VkSemaphore *semaphores;
    uint64_t *values;
    uint32_t count;
    uint32_t capacity;
} zcs__vk_wait_list;

/* Most submissions in flight at once; a dispatch beyond waits for the oldest. */
#define ZCS__VK_MAX_SLOTS 32

typedef enum zcs__vk_slot_state {
    ZCS__VK_SLOT_FREE = 0,      /* ready to record (objects made or not yet made) */
    ZCS__VK_SLOT_RECORDING = 1, /* owned by one dispatching thread */
    ZCS__VK_SLOT_SUBMITTED = 2, /* on the queue; its fence signals when done */
} zcs__vk_slot_state;

/* One submission: its own command pool and descriptor pool, so that a new dispatch records
   while up to ZCS__VK_MAX_SLOTS - 1 earlier ones are still in flight (the core hands the
   backend one dispatch at a time, so only one slot is ever being recorded). */
typedef struct zcs__vk_slot {
    zcs__vk_slot_state state;
    int created;
    VkCommandPool command_pool;
    VkCommandBuffer command_buffer;
    VkDescriptorPool descriptor_pool;
    VkFence fence;
    uint64_t submit_number; /* order of submission, for "wait for the oldest" */
    uint64_t serial;        /* the core's dispatch serial, or 0 (not a dispatch) */
    /* Threads waiting for the fence or polling it outside submit_lock (zcs__vk_wait_dispatch,
       zcs__slot_poll_locked): the fence is reset and the slot retired only once none is
       left. */
    uint32_t waiters;
    /* A wait saw the fence of this submission signalled (not reset yet): a dispatch that
       takes the slot again needs no query (zcs__vk_slot_acquire). */
    int fence_signalled;
    struct zcs__kernel_impl *kernel; /* whose pipeline the submission uses */
    /* Storage-buffer descriptors descriptor_pool holds; 0: ZCS__VK_SLOT_DESCRIPTORS
       (dispatch.c makes a larger pool for kernels with more array arguments). */
    uint32_t descriptor_capacity;
    /* What command_buffer holds, where it is a dispatch that may be submitted again as it
       is (dispatch.c): the recording's key, recorded_length words; 0 words: nothing
       reusable (never recorded, a copy, or a recording that failed). */
    uint64_t *recorded;
    uint32_t recorded_length;
    uint32_t recorded_capacity;
} zcs__vk_slot;

/* Storage-buffer descriptors a slot's descriptor pool starts with. */
#define ZCS__VK_SLOT_DESCRIPTORS 16u

struct zcs__context_impl {
    zcs_context *context;
    VkInstance instance;
    VkDebugUtilsMessengerEXT messenger;
    VkPhysicalDevice physical_device;
    VkPhysicalDeviceProperties properties;
    VkPhysicalDeviceMemoryProperties memory_properties;
    uint32_t api_version; /* min(instance, device) */
    /* bufferDeviceAddress is on: arrays have device addresses (ZCS_PTR in structs). */
    int buffer_device_address;
    /* timelineSemaphore is on (Vulkan 1.2): every dispatch signals `timeline` with its
       serial, which zcs_vulkan_timeline exports (ordering.c). */
    int timeline_semaphores;
    VkSemaphore timeline;
    /* The instance, physical device, device and queue are the application's
       (zcs_vulkan_context_attach): zcs destroys none of them. */
    int attached;
    VkDevice device;
    VkQueue queue;
    uint32_t queue_family;

    uint32_t memory_type_default;  /* host-visible, coherent and device-local preferred */
    uint32_t memory_type_readback; /* host-visible and cached preferred */
    /* The staged tier (staged.c): device-local memory for the array (not host-visible
       preferred), and host-visible memory for its host copy (cached, in the host's heap
       preferred). */
    uint32_t memory_type_device;
    uint32_t memory_type_staging;
    VkDeviceSize alignment;
    VkDeviceSize atom_size;          /* nonCoherentAtomSize */
    VkBufferUsageFlags buffer_usage; /* of every block's buffer */
    zcs__vk_allocator allocator;
    int allocator_ready;

    /* import.c: the external-memory extensions enabled on the device, and
       minImportedHostPointerAlignment (VK_EXT_external_memory_host). */
    int memory_host;
    int memory_fd;
    int memory_dma_buf;
    VkDeviceSize host_pointer_alignment;

    /* Submissions: the lock guards the slots, the queue and the submit counter. Waits
       on fences happen under it too, so a fence is never reset while a thread waits. */
    pthread_mutex_t submit_lock;
    int submit_ready;
    zcs__vk_slot slots[ZCS__VK_MAX_SLOTS];
    uint64_t next_submit_number;
    /* Semaphores the next dispatch waits for (zcs_vulkan_wait_semaphore), under
       submit_lock. */
    zcs__vk_wait_list pending_waits;
    /* The serial of the newest dispatch submitted (under submit_lock): the timeline never
       reaches the serial of a dispatch whose submission failed, so waits and exported
       values stop at this one. */
    uint64_t last_submitted_serial;
    /* Counts destroyed buffers and pipelines (zcs__vk_recordings_stale): part of every
       recording's key, so that a command buffer is never submitted again once an object it
       names is gone, even where a new object reuses the handle's value. */
    _Atomic uint64_t recording_epoch;
};

struct zcs__array_impl {
    zcs__vk_allocation allocation;
    /* Offset of the array's first byte in its block: the allocation's offset, plus the
       guard in validation mode. Descriptors and maps use this. */
    VkDeviceSize array_offset;
    int coherent; /* the memory type is HOST_COHERENT: no flush or invalidate */
    /* ZCS_TIER_STAGED (staged.c): `allocation` is device-local; `staging` mirrors it (guards
       included) in host-visible memory; copy_pending: the submission number of an unmap's
       copy to the device that may still read `staging` (0: none). */
    zcs__vk_allocation staging;
    int staging_coherent;
    uint64_t copy_pending;
    /* An unmap's copy to the device not submitted yet, of [upload_offset, + upload_size) of
       the allocation: the next dispatch that uses the array records it ahead of its kernel,
       in the same submission; the next map, guard copy or free submits it alone. Not for
       an array whose buffer the application was given (shared): its unmaps copy at once,
       as zcs_vulkan_array_objects promises. Under the context's submit_lock. */
    int upload_deferred;
    VkDeviceSize upload_offset;
    VkDeviceSize upload_size;
    int shared;
    /* Read-ahead (core/readahead.h): the next dispatch records the copy to the host
       behind its kernel, in its command buffer. Under the context's submit_lock. */
    zcs__readahead readahead;
    /* Application work on the array (zcs_vulkan_array_used_by): timeline values that the
       next map, free or dispatch of it waits for. Under the context's submit_lock. */
    zcs__vk_wait_list app_waits;
    /* import.c: the block is the array's own (imported or exportable memory), released by
       zcs__vk_own_block_release rather than the allocator. */
    int own_block;
};

/* Shared by the program and every kernel made from it (kernels outlive the program). */
struct zcs__program_impl {
    atomic_int references;
    struct zcs__context_impl *context_impl;
    VkShaderModule module;
    zcs__spirv_module spirv;
};

/* One pipeline of a kernel, for one argument layout and one work-group size. */
typedef struct zcs__vk_pipeline {
    struct zcs__vk_pipeline *next;
    /* The argument layout it was made for (zcs__vk_pipeline_key): the argument count, then
       per argument its kind and, for local memory, its bytes (a specialization constant). */
    uint32_t *key;
    uint32_t key_length;
    uint32_t local_size[3];
    VkDescriptorSetLayout set_layout;
    VkPipelineLayout layout;
    VkPipeline pipeline;
} zcs__vk_pipeline;

struct zcs__kernel_impl {
    struct zcs__program_impl *program; /* holds a reference */
    zcs__spirv_entry entry;
    zcs__spirv_params params;
    zcs__vk_pipeline *pipelines; /* the cache, newest first */
};

/* ---- shared between the files of src/vulkan/ ---- */

/* errors.c: VkResult names and the failure messages. */

/* "VK_ERROR_OUT_OF_DEVICE_MEMORY" for VK_ERROR_OUT_OF_DEVICE_MEMORY; "VK_RESULT_UNKNOWN" else. */
const char *zcs__vk_result_name(VkResult result);

/* The zcs status a failing VkResult maps to (out of memory, device lost, else backend). */
zcs_status zcs__vk_result_status(VkResult result);

/*
 * Record "<call> failed: <VK_NAME> (<code>): <what>" on `context` with the VkResult as
 * the backend error, and return the mapped status. `what` (printf format) says what
 * the library was doing.
 */
zcs_status zcs__vk_fail(zcs_context *context, VkResult result, const char *call, const char *what,
                        ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* device.c: the instance and the choice of a physical device. */

/*
 * Load the loader's global functions and create impl->instance (at most Vulkan 1.3; the
 * version goes to *out_version). `allow_validation`: whether ZCS_VULKAN_VALIDATION may
 * turn the layer on, with a messenger that counts into impl->context's statistics
 * (device enumeration never does: its scratch contexts have no lock).
 */
zcs_status zcs__vk_create_instance(zcs_context *context, struct zcs__context_impl *impl,
                                   uint32_t *out_version, int allow_validation);

/*
 * Choose the physical device `choice` asks for among those of impl->instance and fill
 * impl (physical_device, properties, memory_properties, queue_family, api_version) and
 * context (device and platform names, info.device_index).
 */
zcs_status zcs__vk_choose_device(zcs_context *context, struct zcs__context_impl *impl,
                                 uint32_t instance_version, const zcs__device_choice *choice);

/*
 * Attach: check that `physical_device` is one of impl->instance's and that zcs can use it
 * with Vulkan `api_version` and queue family `queue_family`, then fill impl and context as
 * zcs__vk_choose_device does (physical_device, properties, memory_properties, queue_family,
 * api_version, names, info.device_index: the index among the instance's devices).
 * queue_index must be below the family's queue count.
 */
zcs_status zcs__vk_adopt_device(zcs_context *context, struct zcs__context_impl *impl,
                                VkPhysicalDevice physical_device, uint32_t api_version,
                                uint32_t queue_family, uint32_t queue_index);

/* context.c */

/*
 * Everything context creation and device description share: instance, device choice,
 * logical device, memory types, limits and the tier reason, into context->info.
 * The caller destroys impl (zcs__backend_context_destroy) whatever the status.
 */
zcs_status zcs__vk_open(zcs_context *context, struct zcs__context_impl *impl,
                        const zcs__device_choice *choice, zcs_tier tier, int allow_validation);

/*
 * What a context needs once its device exists, its own or the application's: memory types,
 * limits, the tier reason, the sub-allocator and the submission slots. The caller destroys
 * impl (zcs__backend_context_destroy) whatever the status.
 */
zcs_status zcs__vk_start(zcs_context *context, struct zcs__context_impl *impl, zcs_tier tier);

/* interop.c: check a zcs_vulkan_attach_desc and open the application's device in impl
   (instance, physical device, device, queue, features), owning none of them. */
zcs_status zcs__vk_attach(zcs_context *context, struct zcs__context_impl *impl,
                          const void *native_desc);

/* memory.c: memory types, alignment and limits. */

/*
 * The best memory type among `allowed` for arrays (readback: for arrays the host reads),
 * or VK_MAX_MEMORY_TYPES when none fits.
 */
uint32_t zcs__vk_choose_memory_type(const VkPhysicalDeviceMemoryProperties *memory,
                                    uint32_t allowed, int readback);

/* Choose the memory types and the alignment; fill info (the allocator starts later). */
zcs_status zcs__vk_setup_memory(zcs_context *context, struct zcs__context_impl *impl);

/* Write the sentence of zcs_context_info.tier_reason (`tier`: what was asked for). */
void zcs__vk_write_tier_reason(zcs_context *context, struct zcs__context_impl *impl, zcs_tier tier);

/* import.c: imported and exportable memory. */

/* Most device extensions zcs__vk_import_extensions names. */
#define ZCS__VK_IMPORT_MAX_EXTENSIONS 4

/* The zcs_vulkan_device_features bits of the external-memory extensions (for files that
   include zcs/zcs_vulkan.h). */
#define ZCS__VK_IMPORT_FEATURES                                                                    \
    (ZCS_VULKAN_FEATURE_EXTERNAL_MEMORY_HOST | ZCS_VULKAN_FEATURE_EXTERNAL_MEMORY_FD |             \
     ZCS_VULKAN_FEATURE_EXTERNAL_MEMORY_DMA_BUF)

/* The external-memory extensions the device offers, into `names` (for vkCreateDevice),
   recorded in impl->memory_host, memory_fd and memory_dma_buf; returns their count. */
uint32_t zcs__vk_import_extensions(struct zcs__context_impl *impl,
                                   const char *names[ZCS__VK_IMPORT_MAX_EXTENSIONS]);

/* The same on an attached device for the extensions the application `declared`
   (ZCS__VK_IMPORT_FEATURES bits; others are ignored): ZCS_ERROR_INVALID_ARGUMENT, naming
   the bit and the extension, for one the physical device does not offer or zcs lacks the
   functions of. */
zcs_status zcs__vk_attach_imports(zcs_context *context, struct zcs__context_impl *impl,
                                  uint32_t declared);

/* zcs__backend_array_create for ZCS_ARRAY_EXPORTABLE: memory of its own, exportable. */
zcs_status zcs__vk_array_create_exportable(zcs_array *array);

/* Release an array's own block (struct zcs__array_impl.own_block). */
void zcs__vk_own_block_release(zcs_array *array);

/* program.c: drop a reference to a program's module; the last one destroys it. */
void zcs__vk_program_release(struct zcs__program_impl *program);

/* pipeline.c: the cached pipeline of `kernel` for this argument layout and work-group
   size, made on first use. */
zcs_status zcs__vk_pipeline_get(zcs_kernel *kernel, const uint32_t *key, uint32_t key_length,
                                const uint32_t local_size[3], zcs__vk_pipeline **out_pipeline);

/* The key of the argument layout of arguments 0 to arg_count - 1 (1 + 2 * arg_count
   words, heap); NULL when out of memory. */
uint32_t *zcs__vk_pipeline_key(const zcs_kernel *kernel, uint32_t arg_count, uint32_t *out_length);

/* Destroy every pipeline of a kernel's cache (no submission uses them any more). */
void zcs__vk_pipelines_destroy(struct zcs__context_impl *impl, struct zcs__kernel_impl *kernel);

/* submit.c: the ring of submission slots. */

/* Set up and tear down the submission slots. */
zcs_status zcs__vk_submit_init(struct zcs__context_impl *impl);
void zcs__vk_submit_destroy(struct zcs__context_impl *impl);

/*
 * Take a slot for recording: a free one, else the oldest submission's once done. A
 * dispatch passes the key of what it would record (`key`, `key_length` words): a free
 * slot whose command buffer holds that recording comes first, and *out_recorded says so
 * (then the caller submits it as it is). Copies pass NULL, 0, NULL; the slot forgets its
 * recording either way unless it is reused.
 */
zcs_status zcs__vk_slot_acquire(struct zcs__context_impl *impl, const uint64_t *key,
                                uint32_t key_length, zcs__vk_slot **out_slot, int *out_recorded);

/* Keep a key as what a slot's command buffer now holds (after a successful recording):
   the slot takes *words (`length` of *capacity words) and gives back its old buffer in
   their place, for the caller to free. */
void zcs__vk_slot_keep_recording(zcs__vk_slot *slot, uint64_t **words, uint32_t length,
                                 uint32_t *capacity);

/* A buffer or pipeline is being destroyed: no recording made before may be submitted
   again. */
void zcs__vk_recordings_stale(struct zcs__context_impl *impl);

/* Give back a slot taken for recording that will not be submitted. */
void zcs__vk_slot_abandon(struct zcs__context_impl *impl, zcs__vk_slot *slot);

/*
 * Submit a recorded slot for `kernel` and return vkQueueSubmit's result (on failure the
 * slot is free again). A dispatch passes its serial (the submission signals the timeline
 * with it and takes the pending semaphore waits) and the waits of its arrays
 * (array_waits, or NULL); other submissions (a staged array's copy, staged.c) pass NULL,
 * 0 and NULL. The submission's number goes to *out_number where it is not NULL.
 */
VkResult zcs__vk_slot_submit(struct zcs__context_impl *impl, zcs__vk_slot *slot,
                             struct zcs__kernel_impl *kernel, uint64_t serial,
                             const zcs__vk_wait_list *array_waits, uint64_t *out_number);

/* Wait until the dispatch of `serial` has finished, by its slot's fence, outside
   submit_lock (the slot is retired later, with the others). A serial no slot holds any more has
   finished; a failed dispatch (never submitted) is covered by the newest submitted one before it.
   zcs's own waits use fences rather than the timeline: NVIDIA's vkWaitSemaphores (driver 580) took
   about 170 us longer per wait than vkWaitForFences on the same work. */
zcs_status zcs__vk_wait_dispatch(struct zcs__context_impl *impl, uint64_t serial);

/* ordering.c: the timeline semaphore, semaphore waits, and per-array waits. */

/* Create impl->timeline where impl->timeline_semaphores; destroy it. */
zcs_status zcs__vk_ordering_init(struct zcs__context_impl *impl);
void zcs__vk_ordering_destroy(struct zcs__context_impl *impl);

/* Append (semaphore, value) to a list; free a list's storage. */
zcs_status zcs__vk_wait_list_add(zcs_context *context, zcs__vk_wait_list *list,
                                 VkSemaphore semaphore, uint64_t value);
void zcs__vk_wait_list_free(zcs__vk_wait_list *list);

/* The waits of the arrays a dispatch of `kernel` uses (their app_waits), copied into
 *out_list (zeroed by the caller, freed by the caller). Takes submit_lock. */
zcs_status zcs__vk_dispatch_waits(zcs_kernel *kernel, uint32_t arg_count,
                                  zcs__vk_wait_list *out_list);

/* After the dispatch was submitted: its arrays' app_waits are covered by it. Takes
   submit_lock. */
void zcs__vk_dispatch_waits_done(zcs_kernel *kernel, uint32_t arg_count);

/* Wait for submission `number` if it is still in flight, and retire it. */
zcs_status zcs__vk_wait_submission(struct zcs__context_impl *impl, uint64_t number);

/* staged.c: the staged tier (device-local memory plus a host-visible copy). */
zcs_status zcs__vk_staged_create(zcs_array *array);
void zcs__vk_staged_destroy(zcs_array *array);
/* A staged array's copy that a dispatch records: a deferred upload, ahead of its kernel
   (to_device), or a read-ahead, behind it. */
typedef struct zcs__vk_upload {
    zcs_array *array;
    VkDeviceSize offset;
    VkDeviceSize size;
    int to_device;
} zcs__vk_upload;
/* Take the deferred uploads and armed read-aheads of the arrays a dispatch uses (arguments
   and indirect arrays, each once) into `out`, which has room for twice
   zcs__dispatch_array_count; returns how many. */
uint32_t zcs__vk_staged_take_uploads(zcs_kernel *kernel, uint32_t arg_count, zcs__vk_upload *out);
/* Record the uploads (to_device): a barrier from earlier work on the device memory, then
   the copies (the dispatch's own first barrier orders its kernel after them). */
void zcs__vk_staged_record_uploads(VkCommandBuffer cb, const zcs__vk_upload *uploads,
                                   uint32_t count);
/* Record the read-aheads (the others), behind the kernel: a barrier from its shader writes,
   then the copies; the dispatch's last barrier makes them visible to the host. */
void zcs__vk_staged_record_readaheads(VkCommandBuffer cb, const zcs__vk_upload *copies,
                                      uint32_t count);
/* After the dispatch's submission: submission `number` reads the uploads' host copies and
   writes the read-aheads'; 0 when it failed, and the uploads are deferred again. */
void zcs__vk_staged_uploads_done(struct zcs__context_impl *ctx, const zcs__vk_upload *uploads,
                                 uint32_t count, uint64_t number);
/* Submit a deferred upload alone (before the application is given the buffer). */
zcs_status zcs__vk_staged_flush(zcs_array *array);
zcs_status zcs__vk_staged_map(zcs_array *array, zcs_access access, size_t offset, size_t size,
                              uint64_t after, void **out_ptr);
zcs_status zcs__vk_staged_unmap(zcs_array *array);
zcs_status zcs__vk_staged_guard(zcs_array *array, zcs__guard_side side, zcs__guard_copy copy,
                                unsigned char *bytes);

/* Wait for every submission that uses `kernel` (NULL: every submission) and retire it. */
zcs_status zcs__vk_wait_submissions(struct zcs__context_impl *impl,
                                    const struct zcs__kernel_impl *kernel);

#endif /* ZCS_VULKAN_INTERNAL_H */
