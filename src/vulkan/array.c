/*
 * Arrays: a range of a persistently mapped block (allocator.c). Map returns a
 * pointer into the mapping; only where the memory type is not host-coherent do map
 * and unmap call the driver, to invalidate and flush the mapped range. Stored pointers
 * (ZCS_PTR) are buffer device addresses (VK_KHR_buffer_device_address, core in 1.2).
 */
#include <stdatomic.h>

#include <string.h>

#include "vulkan/array.h"
#include "vulkan/internal.h"

static atomic_int zcs__assume_noncoherent;
static atomic_uint_fast64_t zcs__flushes;
static atomic_uint_fast64_t zcs__invalidates;

void zcs__vk_assume_noncoherent(int on)
{
    atomic_store(&zcs__assume_noncoherent, on != 0);
}

int zcs__vk_assumes_noncoherent(void)
{
    return atomic_load(&zcs__assume_noncoherent);
}

uint64_t zcs__vk_flush_count(void)
{
    return (uint64_t)atomic_load(&zcs__flushes);
}

uint64_t zcs__vk_invalidate_count(void)
{
    return (uint64_t)atomic_load(&zcs__invalidates);
}

zcs_status zcs__backend_array_create(zcs_array *buffer)
{
    if (buffer->flags & ZCS_ARRAY_EXPORTABLE)
        return zcs__vk_array_create_exportable(buffer);
    struct zcs__context_impl *impl = buffer->context->impl;
    struct zcs__array_impl *buffer_impl = zcs__calloc(1, sizeof *buffer_impl);
    if (buffer_impl == NULL)
        return zcs__fail(buffer->context, ZCS_ERROR_OUT_OF_MEMORY, 0,
                         "zcs_array_create: out of host memory");
    if (buffer->tier == ZCS_TIER_STAGED) {
        buffer->impl = buffer_impl;
        zcs_status staged = zcs__vk_staged_create(buffer);
        if (staged != ZCS_SUCCESS) {
            zcs__free(buffer_impl);
            buffer->impl = NULL;
        }
        return staged;
    }
    /* Arrays the host reads back prefer cached memory. On a device with memory of its own
       that includes arrays the host reads and writes (flags 0): its device-local
       host-visible memory sits behind the PCIe BAR, uncached, where every host read is a
       bus round trip (measured on an H100: a 4 MiB frame took 100 times longer than
       copying). Only arrays the host just writes stay in device-local memory there. */
    int host_reads = (buffer->flags & ZCS_ARRAY_HOST_WRITE_ONLY) == 0;
    int cached = (buffer->flags & ZCS_ARRAY_HOST_READ_ONLY) ||
                 (!buffer->context->info.unified_memory && host_reads);
    uint32_t memory_type = cached ? impl->memory_type_readback : impl->memory_type_default;
    zcs_status status =
        zcs__vk_allocator_alloc(&impl->allocator, memory_type,
                                buffer->size + 2 * buffer->guard_size, &buffer_impl->allocation);
    if (status != ZCS_SUCCESS) {
        zcs__free(buffer_impl);
        return status;
    }
    buffer_impl->array_offset = buffer_impl->allocation.offset + buffer->guard_size;
    VkMemoryPropertyFlags flags = impl->memory_properties.memoryTypes[memory_type].propertyFlags;
    buffer_impl->coherent = (flags & VK_MEMORY_PROPERTY_HOST_COHERENT_BIT) != 0 &&
                            !atomic_load(&zcs__assume_noncoherent);
    buffer->impl = buffer_impl;
    return ZCS_SUCCESS;
}

void zcs__backend_array_destroy(zcs_array *buffer)
{
    struct zcs__array_impl *buffer_impl = buffer->impl;
    if (buffer_impl == NULL)
        return;
    if (buffer->tier == ZCS_TIER_STAGED)
        zcs__vk_staged_destroy(buffer);
    if (buffer_impl->own_block)
        zcs__vk_own_block_release(buffer);
    else
        zcs__vk_allocator_free(&buffer->context->impl->allocator, &buffer_impl->allocation);
    zcs__vk_wait_list_free(&buffer_impl->app_waits);
    zcs__free(buffer_impl);
    buffer->impl = NULL;
}

/* The range [begin, begin + size) of the buffer's block (offsets in the block), widened
   to whole nonCoherentAtomSize units as vkFlush/vkInvalidateMappedMemoryRanges require.
   Allocations start and end on atom boundaries, so the widening never reaches another. */
static VkMappedMemoryRange zcs__atom_range(const zcs_array *buffer, VkDeviceSize begin, size_t size)
{
    const struct zcs__context_impl *impl = buffer->context->impl;
    const zcs__vk_allocation *allocation = &buffer->impl->allocation;
    VkDeviceSize atom = impl->atom_size;
    VkDeviceSize end = begin + size;
    begin = begin / atom * atom;
    end = (end + atom - 1) / atom * atom;
    VkMappedMemoryRange range = {
        .sType = VK_STRUCTURE_TYPE_MAPPED_MEMORY_RANGE,
        .memory = allocation->block->memory,
        .offset = begin,
        .size = end - begin,
    };
    if (end >= allocation->block->size)
        range.size = VK_WHOLE_SIZE; /* the block's end need not be a multiple of the atom */
    return range;
}

zcs_status zcs__backend_array_map(zcs_array *buffer, zcs_access access, size_t offset, size_t size,
                                  uint64_t after, void **out_ptr)
{
    if (buffer->tier == ZCS_TIER_STAGED)
        return zcs__vk_staged_map(buffer, access, offset, size, after, out_ptr);
    /* The host reads the memory the kernels write: wait for them on the host. */
    zcs_status status = after != 0 ? zcs__backend_array_wait(buffer, after) : ZCS_SUCCESS;
    if (status != ZCS_SUCCESS)
        return status;
    struct zcs__array_impl *buffer_impl = buffer->impl;
    const zcs__vk_allocation *allocation = &buffer_impl->allocation;
    /* Kernels have finished (the core waited) and their writes reached the host domain
       (the barrier at the end of every command buffer); non-coherent memory must still
       drop stale cache lines. Even for WRITE_DISCARD: the flush at unmap writes whole
       atoms back, and a stale line at the edge of the range would overwrite a kernel's
       result next to it. */
    (void)access;
    if (!buffer_impl->coherent) {
        VkMappedMemoryRange range =
            zcs__atom_range(buffer, buffer_impl->array_offset + offset, size);
        VkResult result =
            zcs__vk.vkInvalidateMappedMemoryRanges(buffer->context->impl->device, 1, &range);
        atomic_fetch_add(&zcs__invalidates, 1);
        if (result != VK_SUCCESS)
            return zcs__vk_fail(buffer->context, result, "vkInvalidateMappedMemoryRanges",
                                "mapping %zu bytes at offset %zu of an array", size, offset);
    }
    *out_ptr = allocation->block->mapped + buffer_impl->array_offset + offset;
    return ZCS_SUCCESS;
}

zcs_status zcs__backend_array_unmap(zcs_array *buffer)
{
    if (buffer->tier == ZCS_TIER_STAGED)
        return zcs__vk_staged_unmap(buffer);
    struct zcs__array_impl *buffer_impl = buffer->impl;
    /* Host writes to coherent memory are visible to the next vkQueueSubmit by itself;
       non-coherent memory needs the range flushed first. */
    if (buffer_impl->coherent || buffer->map_access == ZCS_MAP_READ)
        return ZCS_SUCCESS;
    VkMappedMemoryRange range =
        zcs__atom_range(buffer, buffer_impl->array_offset + buffer->map_offset, buffer->map_size);
    VkResult result = zcs__vk.vkFlushMappedMemoryRanges(buffer->context->impl->device, 1, &range);
    atomic_fetch_add(&zcs__flushes, 1);
    if (result != VK_SUCCESS)
        return zcs__vk_fail(buffer->context, result, "vkFlushMappedMemoryRanges",
                            "unmapping %zu bytes at offset %zu of an array", buffer->map_size,
                            buffer->map_offset);
    return ZCS_SUCCESS;
}

zcs_status zcs__backend_array_guard(zcs_array *buffer, zcs__guard_side side, zcs__guard_copy copy,
                                    unsigned char *bytes)
{
    if (buffer->tier == ZCS_TIER_STAGED)
        return zcs__vk_staged_guard(buffer, side, copy, bytes);
    struct zcs__array_impl *buffer_impl = buffer->impl;
    const zcs__vk_allocation *allocation = &buffer_impl->allocation;
    VkDevice device = buffer->context->impl->device;
    size_t guard = buffer->guard_size;
    VkDeviceSize begin = allocation->offset + (side == ZCS__GUARD_AFTER ? guard + buffer->size : 0);
    unsigned char *region = allocation->block->mapped + begin;
    VkMappedMemoryRange range = zcs__atom_range(buffer, begin, guard);
    VkResult result = VK_SUCCESS;
    int write = copy == ZCS__GUARD_WRITE;
    if (write) {
        memcpy(region, bytes, guard);
        if (!buffer_impl->coherent)
            result = zcs__vk.vkFlushMappedMemoryRanges(device, 1, &range);
    } else {
        if (!buffer_impl->coherent)
            result = zcs__vk.vkInvalidateMappedMemoryRanges(device, 1, &range);
        memcpy(bytes, region, guard);
    }
    if (result != VK_SUCCESS)
        return zcs__vk_fail(buffer->context, result,
                            write ? "vkFlushMappedMemoryRanges" : "vkInvalidateMappedMemoryRanges",
                            "validation guard bytes");
    return ZCS_SUCCESS;
}

zcs_status zcs__backend_array_device_address(zcs_array *buffer, uint64_t *out_address)
{
    struct zcs__context_impl *impl = buffer->context->impl;
    if (!impl->buffer_device_address)
        return zcs__fail(buffer->context, ZCS_ERROR_UNSUPPORTED, 0, "zcs_array_device_address: %s",
                         ZCS__VK_NO_ADDRESS_REASON);
    /* Each block is one VkBuffer; the array lies array_offset bytes into it. */
    VkBufferDeviceAddressInfo info = {
        .sType = VK_STRUCTURE_TYPE_BUFFER_DEVICE_ADDRESS_INFO,
        .buffer = buffer->impl->allocation.block->buffer,
    };
    VkDeviceAddress base = zcs__vk.vkGetBufferDeviceAddress(impl->device, &info);
    *out_address = (uint64_t)base + (uint64_t)buffer->impl->array_offset;
    return ZCS_SUCCESS;
}
