/* Sub-allocation of host-visible memory in large, persistently mapped blocks. */
#include <string.h>

#include "vulkan/api.h"
#include "vulkan/allocator.h"
#include "vulkan/internal.h"

static VkDeviceSize zcs__round_up(VkDeviceSize value, VkDeviceSize alignment)
{
    return (value + alignment - 1) / alignment * alignment;
}

zcs_status zcs__vk_allocator_init(zcs__vk_allocator *allocator, zcs_context *context,
                                  VkDevice device, VkDeviceSize block_size, VkDeviceSize alignment,
                                  VkBufferUsageFlags usage)
{
    memset(allocator, 0, sizeof *allocator);
    if (pthread_mutex_init(&allocator->lock, NULL) != 0)
        return zcs__fail(context, ZCS_ERROR_OUT_OF_MEMORY, 0,
                         "zcs_context_create: cannot create the allocator's mutex");
    allocator->context = context;
    allocator->device = device;
    allocator->block_size = block_size;
    allocator->alignment = alignment;
    allocator->usage = usage;
    return ZCS_SUCCESS;
}

static void zcs__block_release(zcs__vk_allocator *allocator, zcs__vk_block *block)
{
    if (block->buffer != VK_NULL_HANDLE) {
        zcs__vk_recordings_stale(allocator->context != NULL ? allocator->context->impl : NULL);
        zcs__vk.vkDestroyBuffer(allocator->device, block->buffer, NULL);
    }
    if (block->mapped != NULL)
        zcs__vk.vkUnmapMemory(allocator->device, block->memory);
    if (block->memory != VK_NULL_HANDLE)
        zcs__vk.vkFreeMemory(allocator->device, block->memory, NULL);
    zcs__free(block->free_ranges);
    zcs__free(block);
}

/* Make a block of `size` bytes of `memory_type`: memory, a buffer over it, the mapping. */
static zcs_status zcs__block_create(zcs__vk_allocator *allocator, uint32_t memory_type,
                                    VkDeviceSize size, int dedicated, zcs__vk_block **out_block)
{
    zcs_context *context = allocator->context;
    zcs__vk_block *block = zcs__calloc(1, sizeof *block);
    if (block == NULL)
        return zcs__fail(context, ZCS_ERROR_OUT_OF_MEMORY, 0,
                         "zcs_array_create: out of host memory for a memory block");
    block->size = size;
    block->memory_type = memory_type;
    block->dedicated = dedicated;
    block->free_capacity = 4;
    block->free_ranges = zcs__calloc(block->free_capacity, sizeof *block->free_ranges);
    if (block->free_ranges == NULL) {
        zcs__free(block);
        return zcs__fail(context, ZCS_ERROR_OUT_OF_MEMORY, 0,
                         "zcs_array_create: out of host memory for a memory block");
    }
    block->free_ranges[0].offset = 0;
    block->free_ranges[0].size = size;
    block->free_count = 1;

    VkBufferCreateInfo buffer_info = {
        .sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
        .size = size,
        .usage = allocator->usage,
        .sharingMode = VK_SHARING_MODE_EXCLUSIVE,
    };
    VkResult result = zcs__vk.vkCreateBuffer(allocator->device, &buffer_info, NULL, &block->buffer);
    if (result != VK_SUCCESS) {
        block->buffer = VK_NULL_HANDLE;
        zcs__block_release(allocator, block);
        return zcs__vk_fail(context, result, "vkCreateBuffer", "a buffer of %llu bytes",
                            (unsigned long long)size);
    }
    VkMemoryRequirements requirements;
    zcs__vk.vkGetBufferMemoryRequirements(allocator->device, block->buffer, &requirements);
    if ((requirements.memoryTypeBits & (1u << memory_type)) == 0) {
        zcs__block_release(allocator, block);
        return zcs__fail(
            context, ZCS_ERROR_BACKEND, 0,
            "zcs_array_create: the device refuses memory type %u for a storage buffer of "
            "%llu bytes (allowed types 0x%x)",
            memory_type, (unsigned long long)size, requirements.memoryTypeBits);
    }
    /* Buffers with device addresses need memory allocated for them. */
    VkMemoryAllocateFlagsInfo flags_info = {
        .sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_FLAGS_INFO,
        .flags = VK_MEMORY_ALLOCATE_DEVICE_ADDRESS_BIT,
    };
    VkMemoryAllocateInfo allocate_info = {
        .sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
        .pNext =
            (allocator->usage & VK_BUFFER_USAGE_SHADER_DEVICE_ADDRESS_BIT) ? &flags_info : NULL,
        .allocationSize = requirements.size,
        .memoryTypeIndex = memory_type,
    };
    result = zcs__vk.vkAllocateMemory(allocator->device, &allocate_info, NULL, &block->memory);
    if (result != VK_SUCCESS) {
        block->memory = VK_NULL_HANDLE;
        zcs__block_release(allocator, block);
        return zcs__vk_fail(
            context, result, "vkAllocateMemory", "a %s block of %llu bytes of memory type %u",
            dedicated ? "dedicated" : "shared", (unsigned long long)requirements.size, memory_type);
    }
    allocator->memory_allocations++;
    result = zcs__vk.vkBindBufferMemory(allocator->device, block->buffer, block->memory, 0);
    if (result != VK_SUCCESS) {
        zcs__block_release(allocator, block);
        return zcs__vk_fail(context, result, "vkBindBufferMemory", "a block of %llu bytes",
                            (unsigned long long)size);
    }
    /* Device-only memory (the staged tier's) has no mapping. */
    const struct zcs__context_impl *impl = context->impl;
    if ((impl->memory_properties.memoryTypes[memory_type].propertyFlags &
         VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT) == 0) {
        *out_block = block;
        return ZCS_SUCCESS;
    }
    /* Mapped once for the block's whole life: map and unmap never call the driver. */
    void *mapped = NULL;
    result = zcs__vk.vkMapMemory(allocator->device, block->memory, 0, VK_WHOLE_SIZE, 0, &mapped);
    if (result != VK_SUCCESS || mapped == NULL) {
        zcs__block_release(allocator, block);
        return zcs__vk_fail(context, result == VK_SUCCESS ? VK_ERROR_MEMORY_MAP_FAILED : result,
                            "vkMapMemory", "a block of %llu bytes of memory type %u",
                            (unsigned long long)size, memory_type);
    }
    block->mapped = mapped;
    *out_block = block;
    return ZCS_SUCCESS;
}

static void zcs__block_link(zcs__vk_allocator *allocator, zcs__vk_block *block)
{
    zcs__vk_block **head = &allocator->blocks[block->memory_type];
    block->prev = NULL;
    block->next = *head;
    if (*head != NULL)
        (*head)->prev = block;
    *head = block;
    allocator->block_count++;
    if (block->dedicated)
        allocator->dedicated_count++;
}

static void zcs__block_unlink(zcs__vk_allocator *allocator, zcs__vk_block *block)
{
    if (block->prev != NULL)
        block->prev->next = block->next;
    else
        allocator->blocks[block->memory_type] = block->next;
    if (block->next != NULL)
        block->next->prev = block->prev;
    allocator->block_count--;
    if (block->dedicated)
        allocator->dedicated_count--;
}

/* First fit in one block; returns 1 and the offset when `size` fits. */
static int zcs__block_take(zcs__vk_block *block, VkDeviceSize size, VkDeviceSize *out_offset)
{
    for (uint32_t i = 0; i < block->free_count; i++) {
        zcs__vk_range *range = &block->free_ranges[i];
        if (range->size < size)
            continue;
        *out_offset = range->offset;
        range->offset += size;
        range->size -= size;
        if (range->size == 0) {
            memmove(range, range + 1, (block->free_count - i - 1) * sizeof *range);
            block->free_count--;
        }
        block->used += size;
        return 1;
    }
    return 0;
}

/* Give [offset, offset + size) back, merging with its neighbours. 0 if out of memory. */
static int zcs__block_give(zcs__vk_block *block, VkDeviceSize offset, VkDeviceSize size)
{
    uint32_t i = 0;
    while (i < block->free_count && block->free_ranges[i].offset < offset)
        i++;
    int merge_prev =
        i > 0 && block->free_ranges[i - 1].offset + block->free_ranges[i - 1].size == offset;
    int merge_next = i < block->free_count && offset + size == block->free_ranges[i].offset;
    if (merge_prev && merge_next) {
        block->free_ranges[i - 1].size += size + block->free_ranges[i].size;
        memmove(&block->free_ranges[i], &block->free_ranges[i + 1],
                (block->free_count - i - 1) * sizeof block->free_ranges[0]);
        block->free_count--;
    } else if (merge_prev) {
        block->free_ranges[i - 1].size += size;
    } else if (merge_next) {
        block->free_ranges[i].offset = offset;
        block->free_ranges[i].size += size;
    } else {
        if (block->free_count == block->free_capacity) {
            uint32_t capacity = block->free_capacity * 2;
            zcs__vk_range *ranges = zcs__calloc(capacity, sizeof *ranges);
            if (ranges == NULL)
                return 0;
            memcpy(ranges, block->free_ranges, block->free_count * sizeof *ranges);
            zcs__free(block->free_ranges);
            block->free_ranges = ranges;
            block->free_capacity = capacity;
        }
        memmove(&block->free_ranges[i + 1], &block->free_ranges[i],
                (block->free_count - i) * sizeof block->free_ranges[0]);
        block->free_ranges[i].offset = offset;
        block->free_ranges[i].size = size;
        block->free_count++;
    }
    block->used -= size;
    return 1;
}

zcs_status zcs__vk_allocator_alloc(zcs__vk_allocator *allocator, uint32_t memory_type,
                                   VkDeviceSize size, zcs__vk_allocation *out_allocation)
{
    VkDeviceSize rounded = zcs__round_up(size, allocator->alignment);
    zcs__vk_block *block = NULL;
    zcs_status status = ZCS_SUCCESS;
    pthread_mutex_lock(&allocator->lock);
    if (rounded > allocator->block_size / 2) {
        /* Large arrays: a block of their own, returned to the driver when freed. */
        status = zcs__block_create(allocator, memory_type, rounded, 1, &block);
        if (status == ZCS_SUCCESS) {
            zcs__block_link(allocator, block);
            zcs__block_take(block, rounded, &out_allocation->offset);
        }
    } else {
        VkDeviceSize offset = 0;
        for (block = allocator->blocks[memory_type]; block != NULL; block = block->next) {
            if (!block->dedicated && zcs__block_take(block, rounded, &offset))
                break;
        }
        if (block == NULL) {
            status = zcs__block_create(allocator, memory_type, allocator->block_size, 0, &block);
            if (status == ZCS_SUCCESS) {
                zcs__block_link(allocator, block);
                zcs__block_take(block, rounded, &offset);
            }
        }
        out_allocation->offset = offset;
    }
    pthread_mutex_unlock(&allocator->lock);
    if (status != ZCS_SUCCESS)
        return status;
    out_allocation->block = block;
    out_allocation->size = rounded;
    return ZCS_SUCCESS;
}

/* Whether another empty shared block of the same memory type exists besides `block`. */
static int zcs__other_empty_block(const zcs__vk_allocator *allocator, const zcs__vk_block *block)
{
    for (const zcs__vk_block *other = allocator->blocks[block->memory_type]; other != NULL;
         other = other->next) {
        if (other != block && !other->dedicated && other->used == 0)
            return 1;
    }
    return 0;
}

void zcs__vk_allocator_free(zcs__vk_allocator *allocator, const zcs__vk_allocation *allocation)
{
    zcs__vk_block *block = allocation->block;
    if (block == NULL)
        return;
    pthread_mutex_lock(&allocator->lock);
    int release = 0;
    if (block->dedicated) {
        release = 1;
    } else if (!zcs__block_give(block, allocation->offset, allocation->size)) {
        /* No host memory to record the free range: the range leaks inside the block
           until the block is empty... which it can now never be; release the block
           only when the context goes. Rare enough (calloc of a few bytes failing). */
        block->used -= allocation->size;
    } else if (block->used == 0 && zcs__other_empty_block(allocator, block)) {
        release = 1;
    }
    if (release)
        zcs__block_unlink(allocator, block);
    pthread_mutex_unlock(&allocator->lock);
    if (release)
        zcs__block_release(allocator, block);
}

void zcs__vk_allocator_destroy(zcs__vk_allocator *allocator)
{
    for (uint32_t t = 0; t < VK_MAX_MEMORY_TYPES; t++) {
        while (allocator->blocks[t] != NULL) {
            zcs__vk_block *block = allocator->blocks[t];
            zcs__block_unlink(allocator, block);
            zcs__block_release(allocator, block);
        }
    }
    pthread_mutex_destroy(&allocator->lock);
}

void zcs__vk_allocator_counts(zcs_context *context, uint64_t *out_blocks, uint64_t *out_dedicated,
                              uint64_t *out_memory_allocations)
{
    zcs__vk_allocator *allocator = &context->impl->allocator;
    pthread_mutex_lock(&allocator->lock);
    if (out_blocks != NULL)
        *out_blocks = allocator->block_count;
    if (out_dedicated != NULL)
        *out_dedicated = allocator->dedicated_count;
    if (out_memory_allocations != NULL)
        *out_memory_allocations = allocator->memory_allocations;
    pthread_mutex_unlock(&allocator->lock);
}
