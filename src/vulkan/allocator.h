/*
 * Sub-allocation of host-visible device memory. Arrays come from large blocks (one
 * VkDeviceMemory, one VkBuffer over all of it, mapped once and kept mapped), so
 * thousands of small arrays cost neither thousands of vkAllocateMemory calls (drivers
 * cap them: maxMemoryAllocationCount may be 4096) nor thousands of VkBuffers. An array
 * over half a block gets a dedicated block of its own. Free ranges are kept per block,
 * sorted and coalesced (first fit). An empty block is released unless it is the only
 * empty block of its memory type (kept to absorb alloc/free churn).
 */
#ifndef ZCS_VULKAN_ALLOCATOR_H
#define ZCS_VULKAN_ALLOCATOR_H

#include <pthread.h>
#include <stdint.h>
#include <vulkan/vulkan.h>

#include "core/objects.h"

typedef struct zcs__vk_range {
    VkDeviceSize offset;
    VkDeviceSize size;
} zcs__vk_range;

typedef struct zcs__vk_block {
    struct zcs__vk_block *next;
    struct zcs__vk_block *prev;
    VkDeviceMemory memory;
    VkBuffer buffer; /* covers the whole block; arrays are (buffer, offset, range) */
    VkDeviceSize size;
    unsigned char *mapped; /* persistent mapping of the whole block */
    uint32_t memory_type;
    int dedicated;
    VkDeviceSize used;
    zcs__vk_range *free_ranges; /* sorted by offset, never adjacent */
    uint32_t free_count;
    uint32_t free_capacity;
} zcs__vk_block;

typedef struct zcs__vk_allocation {
    zcs__vk_block *block;
    VkDeviceSize offset; /* in the block, a multiple of the allocator's alignment */
    VkDeviceSize size;   /* rounded up to the alignment */
} zcs__vk_allocation;

typedef struct zcs__vk_allocator {
    pthread_mutex_t lock; /* the core creates and frees arrays from several threads */
    zcs_context *context;
    VkDevice device;
    VkDeviceSize block_size;
    VkDeviceSize alignment; /* of every offset and size */
    VkBufferUsageFlags usage;
    zcs__vk_block *blocks[VK_MAX_MEMORY_TYPES]; /* list heads by memory type */
    uint64_t block_count;                       /* live blocks, dedicated included */
    uint64_t dedicated_count;                   /* live dedicated blocks */
    uint64_t memory_allocations;                /* vkAllocateMemory calls ever made */
} zcs__vk_allocator;

zcs_status zcs__vk_allocator_init(zcs__vk_allocator *allocator, zcs_context *context,
                                  VkDevice device, VkDeviceSize block_size, VkDeviceSize alignment,
                                  VkBufferUsageFlags usage);

/* Release every block (all arrays are freed by then). */
void zcs__vk_allocator_destroy(zcs__vk_allocator *allocator);

/* Allocate `size` bytes of memory type `memory_type`; failures are recorded on the context. */
zcs_status zcs__vk_allocator_alloc(zcs__vk_allocator *allocator, uint32_t memory_type,
                                   VkDeviceSize size, zcs__vk_allocation *out_allocation);

void zcs__vk_allocator_free(zcs__vk_allocator *allocator, const zcs__vk_allocation *allocation);

/* For tests: live blocks, live dedicated blocks, vkAllocateMemory calls ever made. */
void zcs__vk_allocator_counts(zcs_context *context, uint64_t *out_blocks, uint64_t *out_dedicated,
                              uint64_t *out_memory_allocations);

#endif /* ZCS_VULKAN_ALLOCATOR_H */
