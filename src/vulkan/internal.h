/*
 * The Vulkan backend's private state: what struct zcs__context_impl and friends hold,
 * and the functions its files share.
 */
#ifndef ZCS_VULKAN_VK_INTERNAL_H
#define ZCS_VULKAN_VK_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <vulkan/vulkan.h>

#include "core/objects.h"
#include "vulkan/vk_allocator.h"
#include "vulkan/vk_api.h"
#include "vulkan/vk_errors.h"
#include "vulkan/vk_spirv.h"

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
    uint64_t submit_number;          /* order of submission, for "wait for the oldest" */
    struct zcs__kernel_impl *kernel; /* whose pipeline the submission uses */
} zcs__vk_slot;

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
    VkDevice device;
    VkQueue queue;
    uint32_t queue_family;

    uint32_t memory_type_default;  /* host-visible, coherent and device-local preferred */
    uint32_t memory_type_readback; /* host-visible and cached preferred */
    VkDeviceSize alignment;
    VkDeviceSize atom_size;          /* nonCoherentAtomSize */
    VkBufferUsageFlags buffer_usage; /* of every block's buffer */
    zcs__vk_allocator allocator;
    int allocator_ready;

    /* Submissions: the lock guards the slots, the queue and the submit counter. Waits
       on fences happen under it too, so a fence is never reset while a thread waits. */
    pthread_mutex_t submit_lock;
    int submit_ready;
    zcs__vk_slot slots[ZCS__VK_MAX_SLOTS];
    uint64_t next_submit_number;
};

struct zcs__array_impl {
    zcs__vk_allocation allocation;
    /* Offset of the array's first byte in its block: the allocation's offset, plus the
       guard in validation mode. Descriptors and maps use this. */
    VkDeviceSize array_offset;
    int coherent; /* the memory type is HOST_COHERENT: no flush or invalidate */
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
    uint32_t buffer_mask; /* bit i: argument i is an array (storage buffer binding i) */
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

/* Drop a reference to a program's module; the last one destroys it. */
void zcs__vk_program_release(struct zcs__program_impl *program);

/* Set up and tear down the submission slots (vk_dispatch.c). */
zcs_status zcs__vk_submit_init(struct zcs__context_impl *impl);
void zcs__vk_submit_destroy(struct zcs__context_impl *impl);

/* Wait for every submission that uses `kernel` (NULL: every submission) and retire it. */
zcs_status zcs__vk_wait_submissions(struct zcs__context_impl *impl,
                                    const struct zcs__kernel_impl *kernel);

#endif /* ZCS_VULKAN_VK_INTERNAL_H */
