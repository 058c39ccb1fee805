/*
 * Dispatch and finish: the work-group size, the push constants, and the command buffer
 * recorded per dispatch into a submission slot (submit.c) with the kernel's pipeline
 * (pipeline.c), submitted with the slot's fence.
 *
 * Synchronisation of every submission:
 *  - first, a barrier from host writes and earlier dispatches' shader writes to this
 *    dispatch's shader reads and writes (vkQueueSubmit already makes coherent host
 *    writes available; the barrier orders this dispatch after earlier ones, which
 *    Vulkan does not do by itself across submissions);
 *  - last, a barrier from shader writes to host reads, so that once the fence has
 *    signalled the host sees the results through its mapping.
 */
#include <string.h>

#include "vulkan/internal.h"

/*
 * The work-group size: the caller's, the shader's fixed one, or 64 / 8x8 / 4x4x4, each
 * dimension of a default no larger than the largest power of two within its global size.
 * A grid is rounded up to whole work groups, so without that bound a dimension of global
 * size 1 ran 8 (or 4) work items where OpenCL, which picks a size that divides the grid,
 * runs one, and a kernel that reads only its x index did its work 8 or 16 times. Powers of
 * two keep the pipelines a kernel needs to a handful.
 */
static zcs_status zcs__local_size(zcs_kernel *kernel, uint32_t dims, const size_t *global_size,
                                  const size_t *local_size, uint32_t out_local[3])
{
    static const uint32_t defaults[3][3] = {{64, 1, 1}, {8, 8, 1}, {4, 4, 4}};
    const zcs__spirv_entry *entry = &kernel->impl->entry;
    const VkPhysicalDeviceLimits *limits = &kernel->context->impl->properties.limits;
    for (uint32_t d = 0; d < 3; d++) {
        int fixed = entry->local_size_spec_id[d] < 0;
        if (local_size != NULL && d < dims) {
            if (fixed && local_size[d] != entry->local_size[d])
                return zcs__fail(kernel->context, ZCS_ERROR_INVALID_ARGUMENT, 0,
                                 "zcs_dispatch: kernel \"%s\" fixes its work-group size to "
                                 "%ux%ux%u in the shader; local size %zu in dimension %u "
                                 "differs (pass NULL, or declare local_size_x_id = 0 ...)",
                                 kernel->name, entry->local_size[0], entry->local_size[1],
                                 entry->local_size[2], local_size[d], d);
            if (local_size[d] > limits->maxComputeWorkGroupSize[d])
                return zcs__fail(kernel->context, ZCS_ERROR_INVALID_ARGUMENT, 0,
                                 "zcs_dispatch: local size %zu in dimension %u exceeds the "
                                 "device's maxComputeWorkGroupSize of %u",
                                 local_size[d], d, limits->maxComputeWorkGroupSize[d]);
            out_local[d] = (uint32_t)local_size[d];
        } else {
            out_local[d] = fixed ? entry->local_size[d] : defaults[dims - 1][d];
            while (!fixed && d < dims && out_local[d] > 1 && out_local[d] > global_size[d])
                out_local[d] /= 2;
        }
    }
    if (local_size == NULL) {
        /* Shrink a default the device cannot take (never on real devices: 64 >= 128
           invocations is guaranteed). */
        for (int guard = 0; guard < 32; guard++) {
            uint64_t total = (uint64_t)out_local[0] * out_local[1] * out_local[2];
            uint32_t d = 0;
            for (uint32_t k = 1; k < 3; k++) {
                if (entry->local_size_spec_id[k] >= 0 && out_local[k] > out_local[d])
                    d = k;
            }
            int over = total > limits->maxComputeWorkGroupInvocations ||
                       out_local[d] > limits->maxComputeWorkGroupSize[d];
            if (!over || out_local[d] == 1 || entry->local_size_spec_id[d] < 0)
                break;
            out_local[d] /= 2;
        }
    }
    uint64_t total = (uint64_t)out_local[0] * out_local[1] * out_local[2];
    if (total > limits->maxComputeWorkGroupInvocations)
        return zcs__fail(kernel->context, ZCS_ERROR_INVALID_ARGUMENT, 0,
                         "zcs_dispatch: work-group size %ux%ux%u = %llu invocations exceeds the "
                         "device's maxComputeWorkGroupInvocations of %u",
                         out_local[0], out_local[1], out_local[2], (unsigned long long)total,
                         limits->maxComputeWorkGroupInvocations);
    return ZCS_SUCCESS;
}

/* The push-constant bytes: each value at the offset the shader declares, or by the
   convention (argument order, each aligned to its size: 4, 8 or 16). */
static zcs_status zcs__push_data(zcs_kernel *kernel, uint32_t arg_count,
                                 unsigned char push[ZCS_MAX_VALUE_BYTES], uint32_t *out_buffer_mask)
{
    const zcs__spirv_params *params = &kernel->impl->params;
    uint32_t buffer_mask = 0;
    size_t cursor = 0;
    memset(push, 0, ZCS_MAX_VALUE_BYTES);
    for (uint32_t i = 0; i < arg_count; i++) {
        const zcs__kernel_arg *arg = &kernel->args[i];
        if (arg->kind == ZCS__ARG_ARRAY) {
            buffer_mask |= 1u << i;
            continue;
        }
        size_t offset;
        if (params->known) {
            offset = params->value_offset[i];
        } else {
            size_t alignment = arg->size > 8   ? 16
                               : arg->size > 4 ? 8
                               : arg->size > 2 ? 4
                                               : arg->size;
            offset = (cursor + alignment - 1) / alignment * alignment;
        }
        if (offset + arg->size > ZCS_MAX_VALUE_BYTES)
            return zcs__fail(kernel->context, ZCS_ERROR_KERNEL_ARGUMENT, 0,
                             "zcs_dispatch: value argument %u of kernel \"%s\" ends at byte %zu "
                             "of the push-constant block; at most %d bytes are passed",
                             i, kernel->name, offset + arg->size, ZCS_MAX_VALUE_BYTES);
        memcpy(push + offset, arg->value, arg->size);
        cursor = offset + arg->size;
    }
    *out_buffer_mask = buffer_mask;
    return ZCS_SUCCESS;
}

/* Record the slot's command buffer. */
static zcs_status zcs__record(zcs_kernel *kernel, zcs__vk_slot *slot,
                              const zcs__vk_pipeline *pipeline, uint32_t arg_count,
                              const unsigned char *push, const uint64_t groups[3])
{
    zcs_context *context = kernel->context;
    struct zcs__context_impl *impl = context->impl;
    VkResult result = zcs__vk.vkResetCommandPool(impl->device, slot->command_pool, 0);
    if (result != VK_SUCCESS)
        return zcs__vk_fail(context, result, "vkResetCommandPool", "kernel \"%s\"", kernel->name);
    result = zcs__vk.vkResetDescriptorPool(impl->device, slot->descriptor_pool, 0);
    if (result != VK_SUCCESS)
        return zcs__vk_fail(context, result, "vkResetDescriptorPool", "kernel \"%s\"",
                            kernel->name);
    VkDescriptorSet set = VK_NULL_HANDLE;
    if (pipeline->buffer_mask != 0) {
        VkDescriptorSetAllocateInfo set_info = {
            .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
            .descriptorPool = slot->descriptor_pool,
            .descriptorSetCount = 1,
            .pSetLayouts = &pipeline->set_layout,
        };
        result = zcs__vk.vkAllocateDescriptorSets(impl->device, &set_info, &set);
        if (result != VK_SUCCESS)
            return zcs__vk_fail(context, result, "vkAllocateDescriptorSets", "kernel \"%s\"",
                                kernel->name);
        VkDescriptorBufferInfo infos[ZCS_MAX_KERNEL_ARGS];
        VkWriteDescriptorSet writes[ZCS_MAX_KERNEL_ARGS];
        uint32_t write_count = 0;
        for (uint32_t i = 0; i < arg_count; i++) {
            if (kernel->args[i].kind != ZCS__ARG_ARRAY)
                continue;
            const zcs_array *buffer = kernel->args[i].buffer;
            const zcs__vk_allocation *allocation = &buffer->impl->allocation;
            infos[write_count] = (VkDescriptorBufferInfo){
                .buffer = allocation->block->buffer,
                .offset = buffer->impl->array_offset,
                .range = buffer->size,
            };
            writes[write_count] = (VkWriteDescriptorSet){
                .sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET,
                .dstSet = set,
                .dstBinding = i,
                .descriptorCount = 1,
                .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                .pBufferInfo = &infos[write_count],
            };
            write_count++;
        }
        zcs__vk.vkUpdateDescriptorSets(impl->device, write_count, writes, 0, NULL);
    }

    VkCommandBuffer cb = slot->command_buffer;
    VkCommandBufferBeginInfo begin = {
        .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
        .flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT,
    };
    result = zcs__vk.vkBeginCommandBuffer(cb, &begin);
    if (result != VK_SUCCESS)
        return zcs__vk_fail(context, result, "vkBeginCommandBuffer", "kernel \"%s\"", kernel->name);
    VkMemoryBarrier before = {
        .sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
        .srcAccessMask = VK_ACCESS_HOST_WRITE_BIT | VK_ACCESS_SHADER_WRITE_BIT,
        .dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT,
    };
    zcs__vk.vkCmdPipelineBarrier(
        cb, VK_PIPELINE_STAGE_HOST_BIT | VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
        VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0, 1, &before, 0, NULL, 0, NULL);
    zcs__vk.vkCmdBindPipeline(cb, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline->pipeline);
    if (set != VK_NULL_HANDLE)
        zcs__vk.vkCmdBindDescriptorSets(cb, VK_PIPELINE_BIND_POINT_COMPUTE, pipeline->layout, 0, 1,
                                        &set, 0, NULL);
    zcs__vk.vkCmdPushConstants(cb, pipeline->layout, VK_SHADER_STAGE_COMPUTE_BIT, 0,
                               ZCS_MAX_VALUE_BYTES, push);
    /* Grids larger than maxComputeWorkGroupCount go in pieces; gl_GlobalInvocationID
       counts from the base group, so kernels see one grid. */
    const uint32_t *max = impl->properties.limits.maxComputeWorkGroupCount;
    for (uint64_t z = 0; z < groups[2]; z += max[2]) {
        for (uint64_t y = 0; y < groups[1]; y += max[1]) {
            for (uint64_t x = 0; x < groups[0]; x += max[0]) {
                uint64_t nx = groups[0] - x < max[0] ? groups[0] - x : max[0];
                uint64_t ny = groups[1] - y < max[1] ? groups[1] - y : max[1];
                uint64_t nz = groups[2] - z < max[2] ? groups[2] - z : max[2];
                zcs__vk.vkCmdDispatchBase(cb, (uint32_t)x, (uint32_t)y, (uint32_t)z, (uint32_t)nx,
                                          (uint32_t)ny, (uint32_t)nz);
            }
        }
    }
    VkMemoryBarrier after = {
        .sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
        .srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT,
        .dstAccessMask = VK_ACCESS_HOST_READ_BIT,
    };
    zcs__vk.vkCmdPipelineBarrier(cb, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                                 VK_PIPELINE_STAGE_HOST_BIT, 0, 1, &after, 0, NULL, 0, NULL);
    result = zcs__vk.vkEndCommandBuffer(cb);
    if (result != VK_SUCCESS)
        return zcs__vk_fail(context, result, "vkEndCommandBuffer", "kernel \"%s\"", kernel->name);
    return ZCS_SUCCESS;
}

zcs_status zcs__backend_dispatch(zcs_kernel *kernel, uint32_t dims, const size_t *global_size,
                                 const size_t *local_size, uint32_t arg_count, uint64_t serial)
{
    zcs_context *context = kernel->context;
    struct zcs__context_impl *impl = context->impl;

    uint32_t local[3];
    zcs_status status = zcs__local_size(kernel, dims, global_size, local_size, local);
    if (status != ZCS_SUCCESS)
        return status;
    uint64_t groups[3];
    for (uint32_t d = 0; d < 3; d++) {
        uint64_t global = d < dims ? (uint64_t)global_size[d] : 1;
        /* Without `global + local - 1`, which wraps for sizes near 2^64. */
        groups[d] = global / local[d] + (global % local[d] != 0);
        /* Rounded up to whole groups, the last invocation id must still fit 32 bits. */
        if (groups[d] * local[d] > (uint64_t)UINT32_MAX + 1)
            return zcs__fail(context, ZCS_ERROR_INVALID_ARGUMENT, 0,
                             "zcs_dispatch: global size %llu in dimension %u exceeds the 32-bit "
                             "invocation ids of Vulkan",
                             (unsigned long long)global, d);
    }
    unsigned char push[ZCS_MAX_VALUE_BYTES];
    uint32_t buffer_mask = 0;
    status = zcs__push_data(kernel, arg_count, push, &buffer_mask);
    if (status != ZCS_SUCCESS)
        return status;
    zcs__vk_pipeline *pipeline = NULL;
    status = zcs__vk_pipeline_get(kernel, buffer_mask, local, &pipeline);
    if (status != ZCS_SUCCESS)
        return status;

    zcs__vk_slot *slot = NULL;
    status = zcs__vk_slot_acquire(impl, &slot);
    if (status != ZCS_SUCCESS)
        return status;
    status = zcs__record(kernel, slot, pipeline, arg_count, push, groups);
    if (status != ZCS_SUCCESS) {
        zcs__vk_slot_abandon(impl, slot);
        return status;
    }
    zcs__vk_wait_list array_waits = {0};
    status = zcs__vk_dispatch_waits(kernel, arg_count, &array_waits);
    if (status != ZCS_SUCCESS) {
        zcs__vk_slot_abandon(impl, slot);
        return status;
    }
    VkResult result = zcs__vk_slot_submit(impl, slot, kernel->impl, serial, &array_waits);
    zcs__vk_wait_list_free(&array_waits);
    if (result == VK_SUCCESS)
        zcs__vk_dispatch_waits_done(kernel, arg_count);
    if (result != VK_SUCCESS) {
        /* As on OpenCL: a refused submission is a failed dispatch, unless memory or the
           device itself is the cause (zcs__vk_fail maps those). */
        zcs_status mapped = zcs__vk_result_status(result);
        if (mapped == ZCS_ERROR_OUT_OF_MEMORY || mapped == ZCS_ERROR_DEVICE_LOST)
            return zcs__vk_fail(context, result, "vkQueueSubmit", "dispatching kernel \"%s\"",
                                kernel->name);
        return zcs__fail(context, ZCS_ERROR_DISPATCH, (int64_t)result,
                         "vkQueueSubmit failed: %s (%d): dispatching kernel \"%s\"",
                         zcs__vk_result_name(result), (int)result, kernel->name);
    }
    return ZCS_SUCCESS;
}

zcs_status zcs__backend_finish(zcs_context *context)
{
    return zcs__vk_wait_submissions(context->impl, NULL);
}
