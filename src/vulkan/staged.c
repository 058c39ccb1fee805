/*
 * The staged tier, for devices with memory of their own: the array lives in device-local
 * memory (a range of a block of the allocator, like every array, so descriptors and
 * device addresses work unchanged) and the host works on a copy in host-visible memory
 * (cached where the device offers it), persistently mapped. A map copies the mapped range
 * from the device unless it is ZCS_MAP_WRITE_DISCARD; an unmap after writing copies it
 * back. A frame (map, write, unmap, dispatch, map to read) is two submissions and one wait,
 * like a hand-written staging frame's one submission and one wait:
 *  - the unmap's copy to the device is deferred: the next dispatch that uses the array
 *    records it ahead of its kernel, in its own command buffer (dispatch.c); a map, guard
 *    copy or free before that submits it alone, and so does an array whose buffer the
 *    application was given (zcs_vulkan_array_native), at once;
 *  - a map's copy to the host is submitted behind the kernel and waited for at once: its
 *    first barrier orders it after earlier dispatches and copies, so the core leaves the
 *    wait for the kernel to it (zcs__backend_array_map's `after`).
 * Each copy submitted alone is one command buffer on a submission slot (submit.c), between
 * a barrier from earlier dispatches' shader writes and earlier copies to the copy
 * (submissions are not ordered by themselves) and a barrier from the copy to host reads or
 * to later dispatches' shader reads and writes, and to later copies. A dispatch's uploads
 * have no barrier ahead of them: every submission of zcs's ends with one to later copies.
 * A copy to the device that is still reading the host copy (copy_pending) is waited for
 * before the host may write it again.
 */
#include <stdio.h>
#include <string.h>

#include "vulkan/internal.h"

/* The host copy's byte `offset` of the allocation (guards included). */
static unsigned char *zcs__staging_at(const zcs_array *array, VkDeviceSize offset)
{
    const zcs__vk_allocation *staging = &array->impl->staging;
    return staging->block->mapped + staging->offset + offset;
}

/* Flush (before a copy to the device) or invalidate (after one to the host) a range of a
   host copy that is not host-coherent. */
static zcs_status zcs__staging_sync(zcs_array *array, VkDeviceSize offset, VkDeviceSize size,
                                    int flush)
{
    struct zcs__array_impl *impl = array->impl;
    if (impl->staging_coherent)
        return ZCS_SUCCESS;
    const struct zcs__context_impl *ctx = array->context->impl;
    VkDeviceSize atom = ctx->atom_size;
    VkDeviceSize begin = (impl->staging.offset + offset) / atom * atom;
    VkDeviceSize end = (impl->staging.offset + offset + size + atom - 1) / atom * atom;
    VkMappedMemoryRange range = {
        .sType = VK_STRUCTURE_TYPE_MAPPED_MEMORY_RANGE,
        .memory = impl->staging.block->memory,
        .offset = begin,
        .size = end >= impl->staging.block->size ? VK_WHOLE_SIZE : end - begin,
    };
    VkResult result = flush ? zcs__vk.vkFlushMappedMemoryRanges(ctx->device, 1, &range)
                            : zcs__vk.vkInvalidateMappedMemoryRanges(ctx->device, 1, &range);
    if (result != VK_SUCCESS)
        return zcs__vk_fail(array->context, result,
                            flush ? "vkFlushMappedMemoryRanges" : "vkInvalidateMappedMemoryRanges",
                            "the host copy of a staged array");
    return ZCS_SUCCESS;
}

/* The barrier ahead of copies: earlier dispatches' shader work, earlier copies and host
   writes come first (submissions are not ordered by themselves). */
static void zcs__barrier_before_copies(VkCommandBuffer cb)
{
    VkMemoryBarrier before = {
        .sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
        .srcAccessMask =
            VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT | VK_ACCESS_HOST_WRITE_BIT,
        .dstAccessMask = VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT,
    };
    zcs__vk.vkCmdPipelineBarrier(cb,
                                 VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT |
                                     VK_PIPELINE_STAGE_TRANSFER_BIT | VK_PIPELINE_STAGE_HOST_BIT,
                                 VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 1, &before, 0, NULL, 0, NULL);
}

/* Record the copy of [offset, offset + size) of the allocation (guards included) between
   the device memory and the host copy. */
static void zcs__record_copy(VkCommandBuffer cb, const zcs_array *array, int to_device,
                             VkDeviceSize offset, VkDeviceSize size)
{
    const struct zcs__array_impl *impl = array->impl;
    VkBuffer device_buffer = impl->allocation.block->buffer;
    VkBuffer host_buffer = impl->staging.block->buffer;
    VkBufferCopy region = {
        .srcOffset = (to_device ? impl->staging.offset : impl->allocation.offset) + offset,
        .dstOffset = (to_device ? impl->allocation.offset : impl->staging.offset) + offset,
        .size = size,
    };
    zcs__vk.vkCmdCopyBuffer(cb, to_device ? host_buffer : device_buffer,
                            to_device ? device_buffer : host_buffer, 1, &region);
}

/* Record and submit one copy of [offset, offset + size) of the allocation (guards included)
   between the device memory and the host copy; wait for it when `wait`, else leave its
   number in copy_pending. */
static zcs_status zcs__staged_copy(zcs_array *array, int to_device, VkDeviceSize offset,
                                   VkDeviceSize size, int wait)
{
    zcs_context *context = array->context;
    struct zcs__context_impl *ctx = context->impl;
    struct zcs__array_impl *impl = array->impl;
    const char *what =
        to_device ? "copying a staged array to the device" : "copying a staged array to the host";
    zcs_status status = to_device ? zcs__staging_sync(array, offset, size, 1) : ZCS_SUCCESS;
    if (status != ZCS_SUCCESS)
        return status;
    zcs__vk_slot *slot = NULL;
    status = zcs__vk_slot_acquire(ctx, NULL, 0, &slot, NULL);
    if (status != ZCS_SUCCESS)
        return status;
    VkResult result = zcs__vk.vkResetCommandPool(ctx->device, slot->command_pool, 0);
    const char *call = "vkResetCommandPool";
    VkCommandBuffer cb = slot->command_buffer;
    if (result == VK_SUCCESS) {
        VkCommandBufferBeginInfo begin = {
            .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
            .flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT,
        };
        call = "vkBeginCommandBuffer";
        result = zcs__vk.vkBeginCommandBuffer(cb, &begin);
    }
    if (result == VK_SUCCESS) {
        zcs__barrier_before_copies(cb);
        zcs__record_copy(cb, array, to_device, offset, size);
        /* To the host, or to later kernels; and to later copies, which a dispatch's
           uploads rely on (they have no barrier ahead of them, dispatch.c). */
        VkMemoryBarrier after = {
            .sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
            .srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT,
            .dstAccessMask = (to_device ? VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT
                                        : VK_ACCESS_HOST_READ_BIT) |
                             VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT,
        };
        zcs__vk.vkCmdPipelineBarrier(
            cb, VK_PIPELINE_STAGE_TRANSFER_BIT,
            (to_device ? VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT : VK_PIPELINE_STAGE_HOST_BIT) |
                VK_PIPELINE_STAGE_TRANSFER_BIT,
            0, 1, &after, 0, NULL, 0, NULL);
        call = "vkEndCommandBuffer";
        result = zcs__vk.vkEndCommandBuffer(cb);
    }
    if (result != VK_SUCCESS) {
        zcs__vk_slot_abandon(ctx, slot);
        return zcs__vk_fail(context, result, call, "%s", what);
    }
    uint64_t number = 0;
    result = zcs__vk_slot_submit(ctx, slot, NULL, 0, NULL, &number);
    if (result != VK_SUCCESS)
        return zcs__vk_fail(context, result, "vkQueueSubmit", "%s", what);
    if (!wait) {
        impl->copy_pending = number;
        return ZCS_SUCCESS;
    }
    status = zcs__vk_wait_submission(ctx, number);
    if (status == ZCS_SUCCESS && !to_device)
        status = zcs__staging_sync(array, offset, size, 0);
    return status;
}

/* Wait until an unmap's copy to the device no longer reads the host copy. */
static zcs_status zcs__staged_settle(zcs_array *array)
{
    struct zcs__array_impl *impl = array->impl;
    if (impl->copy_pending == 0)
        return ZCS_SUCCESS;
    zcs_status status = zcs__vk_wait_submission(array->context->impl, impl->copy_pending);
    impl->copy_pending = 0;
    return status;
}

zcs_status zcs__vk_staged_flush(zcs_array *array)
{
    struct zcs__context_impl *ctx = array->context->impl;
    struct zcs__array_impl *impl = array->impl;
    pthread_mutex_lock(&ctx->submit_lock);
    int deferred = impl->upload_deferred;
    VkDeviceSize offset = impl->upload_offset;
    VkDeviceSize size = impl->upload_size;
    impl->upload_deferred = 0;
    pthread_mutex_unlock(&ctx->submit_lock);
    if (!deferred)
        return ZCS_SUCCESS;
    zcs_status status = zcs__staged_copy(array, 1, offset, size, 0);
    if (status != ZCS_SUCCESS) {
        /* Not submitted: still owed to the device. */
        pthread_mutex_lock(&ctx->submit_lock);
        impl->upload_deferred = 1;
        pthread_mutex_unlock(&ctx->submit_lock);
    }
    return status;
}

uint32_t zcs__vk_staged_take_uploads(zcs_kernel *kernel, uint32_t arg_count, zcs__vk_upload *out)
{
    struct zcs__context_impl *ctx = kernel->context->impl;
    uint32_t count = 0;
    pthread_mutex_lock(&ctx->submit_lock);
    uint32_t total = zcs__dispatch_array_count(kernel, arg_count);
    for (uint32_t i = 0; i < total; i++) {
        zcs_array *array = zcs__dispatch_array(kernel, arg_count, i);
        if (array == NULL || array->tier != ZCS_TIER_STAGED)
            continue;
        struct zcs__array_impl *impl = array->impl;
        /* An array passed twice is copied once: taking clears what was owed. */
        if (impl->upload_deferred) {
            impl->upload_deferred = 0;
            out[count++] = (zcs__vk_upload){array, impl->upload_offset, impl->upload_size, 1};
        }
        if (zcs__readahead_dispatch(&impl->readahead, !impl->shared))
            out[count++] = (zcs__vk_upload){array, impl->readahead.offset, impl->readahead.size, 0};
    }
    pthread_mutex_unlock(&ctx->submit_lock);
    return count;
}

void zcs__vk_staged_record_uploads(VkCommandBuffer cb, const zcs__vk_upload *uploads,
                                   uint32_t count)
{
    /* No barrier ahead: every earlier submission of zcs's ends with one to later copies
       (dispatch.c), and application work on the array (through its device address,
       ordered by zcs_vulkan_wait_semaphore or zcs_vulkan_array_used_by) is waited for at
       the transfer stage too (submit.c). An array whose buffer the application was given
       uploads alone, at once. */
    for (uint32_t i = 0; i < count; i++)
        if (uploads[i].to_device)
            zcs__record_copy(cb, uploads[i].array, 1, uploads[i].offset, uploads[i].size);
}

void zcs__vk_staged_record_readaheads(VkCommandBuffer cb, const zcs__vk_upload *copies,
                                      uint32_t count)
{
    int barrier = 0;
    for (uint32_t i = 0; i < count; i++) {
        if (copies[i].to_device)
            continue;
        if (!barrier) {
            VkMemoryBarrier after_kernel = {
                .sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
                .srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT,
                .dstAccessMask = VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT,
            };
            zcs__vk.vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                                         VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 1, &after_kernel, 0,
                                         NULL, 0, NULL);
        }
        barrier = 1;
        zcs__record_copy(cb, copies[i].array, 0, copies[i].offset, copies[i].size);
    }
}

void zcs__vk_staged_uploads_done(struct zcs__context_impl *ctx, const zcs__vk_upload *uploads,
                                 uint32_t count, uint64_t number)
{
    if (count == 0)
        return;
    pthread_mutex_lock(&ctx->submit_lock);
    for (uint32_t i = 0; i < count; i++) {
        struct zcs__array_impl *impl = uploads[i].array->impl;
        if (uploads[i].to_device) {
            if (number != 0)
                impl->copy_pending = number; /* reads the host copy until it completes */
            else
                impl->upload_deferred = 1;
        } else {
            zcs__readahead_submitted(&impl->readahead, number != 0);
        }
    }
    pthread_mutex_unlock(&ctx->submit_lock);
    for (uint32_t i = 0; i < count; i++)
        if (!uploads[i].to_device && number != 0)
            zcs__stats_add_copied(uploads[i].array->context, uploads[i].size);
}

zcs_status zcs__vk_staged_create(zcs_array *array)
{
    zcs_context *context = array->context;
    struct zcs__context_impl *ctx = context->impl;
    struct zcs__array_impl *impl = array->impl;
    VkDeviceSize total = array->size + 2 * array->guard_size;
    zcs_status status =
        zcs__vk_allocator_alloc(&ctx->allocator, ctx->memory_type_device, total, &impl->allocation);
    if (status != ZCS_SUCCESS)
        return status;
    status =
        zcs__vk_allocator_alloc(&ctx->allocator, ctx->memory_type_staging, total, &impl->staging);
    if (status != ZCS_SUCCESS) {
        zcs__vk_allocator_free(&ctx->allocator, &impl->allocation);
        return status;
    }
    impl->array_offset = impl->allocation.offset + array->guard_size;
    VkMemoryPropertyFlags flags =
        ctx->memory_properties.memoryTypes[ctx->memory_type_staging].propertyFlags;
    impl->staging_coherent = (flags & VK_MEMORY_PROPERTY_HOST_COHERENT_BIT) != 0;
    impl->coherent = 1; /* array.c's flush and invalidate never run for this tier */
    array->zero_copy = 0;
    snprintf(array->reason, sizeof array->reason,
             "staged: the array lives in device-local memory (type %u) and zcs copies the mapped "
             "range through a host copy (type %u) at map and unmap%s",
             ctx->memory_type_device, ctx->memory_type_staging,
             context->info.unified_memory ? " (forced: this device shares memory with the host)"
                                          : "");
    return ZCS_SUCCESS;
}

void zcs__vk_staged_destroy(zcs_array *array)
{
    struct zcs__array_impl *impl = array->impl;
    /* Nothing can see a deferred upload any more: drop it. The host copy must outlive a
       copy still reading it. */
    impl->upload_deferred = 0;
    (void)zcs__staged_settle(array);
    zcs__vk_allocator_free(&array->context->impl->allocator, &impl->staging);
}

zcs_status zcs__vk_staged_map(zcs_array *array, zcs_access access, size_t offset, size_t size,
                              uint64_t after, void **out_ptr)
{
    /* An unmap's upload that no dispatch took: the device memory gets it first. */
    zcs_status status = zcs__vk_staged_flush(array);
    if (status != ZCS_SUCCESS)
        return status;
    struct zcs__context_impl *ctx = array->context->impl;
    struct zcs__array_impl *impl = array->impl;
    VkDeviceSize begin = array->guard_size + offset;
    pthread_mutex_lock(&ctx->submit_lock);
    int read_ahead = zcs__readahead_map(&impl->readahead, access, after,
                                        array->guard_size == 0 && !impl->shared, begin, size);
    pthread_mutex_unlock(&ctx->submit_lock);
    if (read_ahead) {
        /* The dispatch copied the range behind its kernel (counted then): wait for it. Its
           upload, ahead of the kernel, is done then too. */
        status = after != 0 ? zcs__backend_array_wait(array, after) : ZCS_SUCCESS;
        if (status == ZCS_SUCCESS) {
            impl->copy_pending = 0;
            status = zcs__staging_sync(array, begin, size, 0);
        }
    } else if (access != ZCS_MAP_WRITE_DISCARD) {
        /* Every access but WRITE_DISCARD preserves the contents (ZCS_MAP_WRITE too: the
           unmap copies the whole range back, so the bytes the host leaves alone must be
           current). The copy is submitted after the array's dispatch `after` and an
           earlier unmap's copy, and its first barrier orders it after both: waiting for
           it waits for them, once. */
        status = zcs__staged_copy(array, 0, begin, size, 1);
        if (status == ZCS_SUCCESS) {
            impl->copy_pending = 0;
            zcs__stats_add_copied(array->context, size);
        }
    } else {
        /* Nothing to copy: wait for the kernels, and for an unmap's copy still reading the
           host copy the host is about to write. */
        status = after != 0 ? zcs__backend_array_wait(array, after) : ZCS_SUCCESS;
        if (status == ZCS_SUCCESS)
            status = zcs__staged_settle(array);
    }
    if (status != ZCS_SUCCESS)
        return status;
    *out_ptr = zcs__staging_at(array, array->guard_size + offset);
    return ZCS_SUCCESS;
}

zcs_status zcs__vk_staged_unmap(zcs_array *array)
{
    if (array->map_access == ZCS_MAP_READ)
        return ZCS_SUCCESS;
    struct zcs__array_impl *impl = array->impl;
    VkDeviceSize offset = array->guard_size + array->map_offset;
    VkDeviceSize size = array->map_size;
    zcs_status status = ZCS_SUCCESS;
    pthread_mutex_lock(&array->context->impl->submit_lock);
    int shared = impl->shared;
    pthread_mutex_unlock(&array->context->impl->submit_lock);
    if (shared) {
        /* The application may use the buffer from its own submissions: copy now. */
        status = zcs__staged_copy(array, 1, offset, size, 0);
    } else {
        /* Left for the next dispatch of the array to record ahead of its kernel, in one
           submission (a map between submits it alone first). The host's writes are made
           visible now: the host copy is not touched again before the copy has read it. */
        status = zcs__staging_sync(array, offset, size, 1);
        if (status == ZCS_SUCCESS) {
            pthread_mutex_lock(&array->context->impl->submit_lock);
            impl->upload_deferred = 1;
            impl->upload_offset = offset;
            impl->upload_size = size;
            pthread_mutex_unlock(&array->context->impl->submit_lock);
        }
    }
    if (status == ZCS_SUCCESS)
        zcs__stats_add_copied(array->context, size);
    return status;
}

zcs_status zcs__vk_staged_guard(zcs_array *array, zcs__guard_side side, zcs__guard_copy copy,
                                unsigned char *bytes)
{
    size_t guard = array->guard_size;
    VkDeviceSize offset = side == ZCS__GUARD_AFTER ? guard + array->size : 0;
    int write = copy == ZCS__GUARD_WRITE;
    /* Validation's own bytes, through the guard's part of the host copy; not counted in
       bytes_copied. */
    zcs_status status = zcs__vk_staged_flush(array);
    if (status == ZCS_SUCCESS)
        status = zcs__staged_settle(array);
    if (status != ZCS_SUCCESS)
        return status;
    if (write) {
        memcpy(zcs__staging_at(array, offset), bytes, guard);
        return zcs__staged_copy(array, 1, offset, guard, 1);
    }
    status = zcs__staged_copy(array, 0, offset, guard, 1);
    if (status == ZCS_SUCCESS)
        memcpy(bytes, zcs__staging_at(array, offset), guard);
    return status;
}
