/*
 * Dispatch: pipelines (created at the first dispatch, cached per kernel by argument
 * layout and work-group size), command buffers recorded per dispatch and submitted
 * with a fence, and zcs_finish.
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

#include "backend.h"
#include "vulkan/vk_internal.h"

/* ---- submission slots ---- */

zcs_status zcs__vk_submit_init(struct zcs__context_impl *impl)
{
    if (pthread_mutex_init(&impl->submit_lock, NULL) != 0)
        return zcs__fail(impl->context, ZCS_ERROR_OUT_OF_MEMORY, 0,
                         "zcs_context_create: cannot create a mutex");
    impl->submit_ready = 1;
    return ZCS_SUCCESS;
}

static void zcs__slot_destroy(struct zcs__context_impl *impl, zcs__vk_slot *slot)
{
    if (slot->fence != VK_NULL_HANDLE)
        zcs__vk.vkDestroyFence(impl->device, slot->fence, NULL);
    if (slot->descriptor_pool != VK_NULL_HANDLE)
        zcs__vk.vkDestroyDescriptorPool(impl->device, slot->descriptor_pool, NULL);
    if (slot->command_pool != VK_NULL_HANDLE) /* frees the command buffer too */
        zcs__vk.vkDestroyCommandPool(impl->device, slot->command_pool, NULL);
    memset(slot, 0, sizeof *slot);
}

void zcs__vk_submit_destroy(struct zcs__context_impl *impl)
{
    if (!impl->submit_ready)
        return;
    zcs__vk_wait_submissions(impl, NULL);
    /* Whatever the fence waits said, nothing may still run when the pools go. */
    zcs__vk.vkDeviceWaitIdle(impl->device);
    for (uint32_t i = 0; i < ZCS__VK_MAX_SLOTS; i++)
        zcs__slot_destroy(impl, &impl->slots[i]);
    pthread_mutex_destroy(&impl->submit_lock);
    impl->submit_ready = 0;
}

/* Make a slot's objects: made on first use, so an idle context holds none. */
static zcs_status zcs__slot_create(struct zcs__context_impl *impl, zcs__vk_slot *slot)
{
    zcs_context *context = impl->context;
    VkCommandPoolCreateInfo pool_info = {
        .sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
        .flags = VK_COMMAND_POOL_CREATE_TRANSIENT_BIT,
        .queueFamilyIndex = impl->queue_family,
    };
    VkResult result =
        zcs__vk.vkCreateCommandPool(impl->device, &pool_info, NULL, &slot->command_pool);
    if (result != VK_SUCCESS) {
        slot->command_pool = VK_NULL_HANDLE;
        zcs__slot_destroy(impl, slot);
        return zcs__vk_fail(context, result, "vkCreateCommandPool", "preparing a dispatch");
    }
    VkCommandBufferAllocateInfo buffer_info = {
        .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
        .commandPool = slot->command_pool,
        .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
        .commandBufferCount = 1,
    };
    result = zcs__vk.vkAllocateCommandBuffers(impl->device, &buffer_info, &slot->command_buffer);
    if (result != VK_SUCCESS) {
        zcs__slot_destroy(impl, slot);
        return zcs__vk_fail(context, result, "vkAllocateCommandBuffers", "preparing a dispatch");
    }
    VkDescriptorPoolSize pool_size = {
        .type = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
        .descriptorCount = ZCS_MAX_KERNEL_ARGS,
    };
    VkDescriptorPoolCreateInfo descriptor_info = {
        .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
        .maxSets = 1,
        .poolSizeCount = 1,
        .pPoolSizes = &pool_size,
    };
    result = zcs__vk.vkCreateDescriptorPool(impl->device, &descriptor_info, NULL,
                                            &slot->descriptor_pool);
    if (result != VK_SUCCESS) {
        slot->descriptor_pool = VK_NULL_HANDLE;
        zcs__slot_destroy(impl, slot);
        return zcs__vk_fail(context, result, "vkCreateDescriptorPool", "preparing a dispatch");
    }
    VkFenceCreateInfo fence_info = {.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
    result = zcs__vk.vkCreateFence(impl->device, &fence_info, NULL, &slot->fence);
    if (result != VK_SUCCESS) {
        slot->fence = VK_NULL_HANDLE;
        zcs__slot_destroy(impl, slot);
        return zcs__vk_fail(context, result, "vkCreateFence", "preparing a dispatch");
    }
    slot->created = 1;
    return ZCS_SUCCESS;
}

/* Wait for submitted slots (those of `kernel`, or all) and free them. Lock held. */
static zcs_status zcs__retire_locked(struct zcs__context_impl *impl,
                                     const struct zcs__kernel_impl *kernel, int oldest_only)
{
    VkFence fences[ZCS__VK_MAX_SLOTS];
    uint32_t indices[ZCS__VK_MAX_SLOTS];
    uint32_t count = 0;
    for (uint32_t i = 0; i < ZCS__VK_MAX_SLOTS; i++) {
        const zcs__vk_slot *slot = &impl->slots[i];
        if (slot->state != ZCS__VK_SLOT_SUBMITTED || (kernel != NULL && slot->kernel != kernel))
            continue;
        if (oldest_only && count == 1) {
            if (slot->submit_number > impl->slots[indices[0]].submit_number)
                continue;
            count = 0;
        }
        fences[count] = slot->fence;
        indices[count++] = i;
    }
    if (count == 0)
        return ZCS_SUCCESS;
    zcs_status status = ZCS_SUCCESS;
    VkResult result = zcs__vk.vkWaitForFences(impl->device, count, fences, VK_TRUE, UINT64_MAX);
    if (result != VK_SUCCESS) {
        status = zcs__vk_fail(impl->context, result, "vkWaitForFences",
                              "waiting for %u dispatch(es)", count);
        /* The wait failed, so whether the work ended is unknown: wait for the whole device.
           Where that succeeds the work is done and the slots recycle as usual; where it
           fails too (a lost device) nothing will run or signal again. */
        if (zcs__vk.vkDeviceWaitIdle(impl->device) == VK_SUCCESS)
            result = VK_SUCCESS;
    }
    /* Reset where the work is known done; after a lost device the slots are freed all the
       same: nothing will signal them again. */
    if (result == VK_SUCCESS) {
        result = zcs__vk.vkResetFences(impl->device, count, fences);
        if (result != VK_SUCCESS)
            status = zcs__vk_fail(impl->context, result, "vkResetFences",
                                  "recycling %u dispatch(es)", count);
    }
    for (uint32_t k = 0; k < count; k++) {
        zcs__vk_slot *slot = &impl->slots[indices[k]];
        slot->state = ZCS__VK_SLOT_FREE;
        slot->kernel = NULL;
        if (result != VK_SUCCESS) {
            /* The fence's state is unknown: make a new one at the next use. */
            zcs__slot_destroy(impl, slot);
        }
    }
    return status;
}

zcs_status zcs__vk_wait_submissions(struct zcs__context_impl *impl,
                                    const struct zcs__kernel_impl *kernel)
{
    pthread_mutex_lock(&impl->submit_lock);
    zcs_status status = zcs__retire_locked(impl, kernel, 0);
    pthread_mutex_unlock(&impl->submit_lock);
    return status;
}

/* Take a slot for recording: a free one, else the oldest submission's once done. */
static zcs_status zcs__slot_acquire(struct zcs__context_impl *impl, zcs__vk_slot **out_slot)
{
    zcs_status status = ZCS_SUCCESS;
    pthread_mutex_lock(&impl->submit_lock);
    for (;;) {
        zcs__vk_slot *free_slot = NULL;
        for (uint32_t i = 0; i < ZCS__VK_MAX_SLOTS; i++) {
            zcs__vk_slot *slot = &impl->slots[i];
            if (slot->state == ZCS__VK_SLOT_FREE &&
                (free_slot == NULL || (slot->created && !free_slot->created)))
                free_slot = slot;
        }
        if (free_slot != NULL) {
            if (!free_slot->created)
                status = zcs__slot_create(impl, free_slot);
            if (status == ZCS_SUCCESS) {
                free_slot->state = ZCS__VK_SLOT_RECORDING;
                *out_slot = free_slot;
            }
            break;
        }
        /* The core hands over one dispatch at a time, so no other slot is being recorded:
           every slot is in flight, and retiring the oldest frees one. */
        if (impl->slots[0].state != ZCS__VK_SLOT_SUBMITTED) {
            status = zcs__fail(impl->context, ZCS_ERROR_BACKEND, 0,
                               "zcs_dispatch: no submission slot is free or in flight");
            break;
        }
        status = zcs__retire_locked(impl, NULL, 1);
        if (status != ZCS_SUCCESS)
            break;
    }
    pthread_mutex_unlock(&impl->submit_lock);
    return status;
}

static void zcs__slot_abandon(struct zcs__context_impl *impl, zcs__vk_slot *slot)
{
    pthread_mutex_lock(&impl->submit_lock);
    slot->state = ZCS__VK_SLOT_FREE;
    slot->kernel = NULL;
    pthread_mutex_unlock(&impl->submit_lock);
}

zcs_status zcs__backend_finish(zcs_context *context)
{
    struct zcs__context_impl *impl = context->impl;
    pthread_mutex_lock(&impl->submit_lock);
    zcs_status status = zcs__retire_locked(impl, NULL, 0);
    pthread_mutex_unlock(&impl->submit_lock);
    return status;
}

/* ---- pipelines ---- */

static void zcs__pipeline_destroy(struct zcs__context_impl *impl, zcs__vk_pipeline *pipeline)
{
    if (pipeline->pipeline != VK_NULL_HANDLE)
        zcs__vk.vkDestroyPipeline(impl->device, pipeline->pipeline, NULL);
    if (pipeline->layout != VK_NULL_HANDLE)
        zcs__vk.vkDestroyPipelineLayout(impl->device, pipeline->layout, NULL);
    if (pipeline->set_layout != VK_NULL_HANDLE)
        zcs__vk.vkDestroyDescriptorSetLayout(impl->device, pipeline->set_layout, NULL);
    zcs__free(pipeline);
}

static zcs_status zcs__pipeline_create(zcs_kernel *kernel, uint32_t buffer_mask,
                                       const uint32_t local_size[3],
                                       zcs__vk_pipeline **out_pipeline)
{
    zcs_context *context = kernel->context;
    struct zcs__context_impl *impl = context->impl;
    struct zcs__kernel_impl *kernel_impl = kernel->impl;
    zcs__vk_pipeline *pipeline = zcs__calloc(1, sizeof *pipeline);
    if (pipeline == NULL)
        return zcs__fail(context, ZCS_ERROR_OUT_OF_MEMORY, 0,
                         "zcs_dispatch: out of host memory for a pipeline");
    pipeline->buffer_mask = buffer_mask;
    memcpy(pipeline->local_size, local_size, sizeof pipeline->local_size);

    /* Array argument i is storage buffer binding i of set 0. */
    VkDescriptorSetLayoutBinding bindings[ZCS_MAX_KERNEL_ARGS];
    uint32_t binding_count = 0;
    for (uint32_t i = 0; i < ZCS_MAX_KERNEL_ARGS; i++) {
        if ((buffer_mask & (1u << i)) == 0)
            continue;
        bindings[binding_count++] = (VkDescriptorSetLayoutBinding){
            .binding = i,
            .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
            .descriptorCount = 1,
            .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT,
        };
    }
    VkDescriptorSetLayoutCreateInfo set_info = {
        .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
        .bindingCount = binding_count,
        .pBindings = binding_count > 0 ? bindings : NULL,
    };
    VkResult result =
        zcs__vk.vkCreateDescriptorSetLayout(impl->device, &set_info, NULL, &pipeline->set_layout);
    if (result != VK_SUCCESS) {
        pipeline->set_layout = VK_NULL_HANDLE;
        zcs__pipeline_destroy(impl, pipeline);
        return zcs__vk_fail(context, result, "vkCreateDescriptorSetLayout",
                            "kernel \"%s\" with %u array arguments", kernel->name, binding_count);
    }
    /* Value arguments: one push-constant range of the guaranteed minimum, 128 bytes. */
    VkPushConstantRange push_range = {
        .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT,
        .offset = 0,
        .size = ZCS_MAX_VALUE_BYTES,
    };
    VkPipelineLayoutCreateInfo layout_info = {
        .sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
        .setLayoutCount = 1,
        .pSetLayouts = &pipeline->set_layout,
        .pushConstantRangeCount = 1,
        .pPushConstantRanges = &push_range,
    };
    result = zcs__vk.vkCreatePipelineLayout(impl->device, &layout_info, NULL, &pipeline->layout);
    if (result != VK_SUCCESS) {
        pipeline->layout = VK_NULL_HANDLE;
        zcs__pipeline_destroy(impl, pipeline);
        return zcs__vk_fail(context, result, "vkCreatePipelineLayout", "kernel \"%s\"",
                            kernel->name);
    }
    /* The work-group size through the specialization constants the shader declares
       (0, 1, 2 by the zcs convention). */
    VkSpecializationMapEntry entries[3];
    uint32_t entry_count = 0;
    for (uint32_t d = 0; d < 3; d++) {
        if (kernel_impl->entry.local_size_spec_id[d] < 0)
            continue;
        entries[entry_count++] = (VkSpecializationMapEntry){
            .constantID = (uint32_t)kernel_impl->entry.local_size_spec_id[d],
            .offset = d * (uint32_t)sizeof(uint32_t),
            .size = sizeof(uint32_t),
        };
    }
    VkSpecializationInfo specialization = {
        .mapEntryCount = entry_count,
        .pMapEntries = entries,
        .dataSize = sizeof pipeline->local_size,
        .pData = pipeline->local_size,
    };
    VkComputePipelineCreateInfo pipeline_info = {
        .sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
        /* vkCmdDispatchBase splits grids of more groups than the device takes at once. */
        .flags = VK_PIPELINE_CREATE_DISPATCH_BASE_BIT,
        .stage =
            {
                .sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
                .stage = VK_SHADER_STAGE_COMPUTE_BIT,
                .module = kernel_impl->program->module,
                .pName = kernel_impl->entry.name,
                .pSpecializationInfo = entry_count > 0 ? &specialization : NULL,
            },
        .layout = pipeline->layout,
    };
    result = zcs__vk.vkCreateComputePipelines(impl->device, VK_NULL_HANDLE, 1, &pipeline_info, NULL,
                                              &pipeline->pipeline);
    if (result != VK_SUCCESS) {
        pipeline->pipeline = VK_NULL_HANDLE;
        zcs__pipeline_destroy(impl, pipeline);
        return zcs__vk_fail(context, result, "vkCreateComputePipelines",
                            "kernel \"%s\", work-group size %ux%ux%u", kernel->name, local_size[0],
                            local_size[1], local_size[2]);
    }
    *out_pipeline = pipeline;
    return ZCS_SUCCESS;
}

/* The cached pipeline for this layout and size, made on first use. Only the thread
   that dispatches the kernel gets here (zcs_kernel is single-threaded), so no lock. */
static zcs_status zcs__pipeline_get(zcs_kernel *kernel, uint32_t buffer_mask,
                                    const uint32_t local_size[3], zcs__vk_pipeline **out_pipeline)
{
    struct zcs__kernel_impl *impl = kernel->impl;
    for (zcs__vk_pipeline *p = impl->pipelines; p != NULL; p = p->next) {
        if (p->buffer_mask == buffer_mask &&
            memcmp(p->local_size, local_size, sizeof p->local_size) == 0) {
            *out_pipeline = p;
            return ZCS_SUCCESS;
        }
    }
    zcs__vk_pipeline *pipeline = NULL;
    zcs_status status = zcs__pipeline_create(kernel, buffer_mask, local_size, &pipeline);
    if (status != ZCS_SUCCESS)
        return status;
    pipeline->next = impl->pipelines;
    impl->pipelines = pipeline;
    *out_pipeline = pipeline;
    return ZCS_SUCCESS;
}

void zcs__backend_kernel_destroy(zcs_kernel *kernel)
{
    struct zcs__kernel_impl *impl = kernel->impl;
    if (impl == NULL)
        return;
    struct zcs__context_impl *context_impl = kernel->context->impl;
    /* Submissions still running this kernel's pipelines keep them alive: wait first. */
    zcs__vk_wait_submissions(context_impl, impl);
    while (impl->pipelines != NULL) {
        zcs__vk_pipeline *next = impl->pipelines->next;
        zcs__pipeline_destroy(context_impl, impl->pipelines);
        impl->pipelines = next;
    }
    zcs__vk_program_release(impl->program);
    zcs__free(impl);
    kernel->impl = NULL;
}

/* ---- dispatch ---- */

/* The work-group size: the caller's, the shader's fixed one, or 64 / 8x8 / 4x4x4. */
static zcs_status zcs__local_size(zcs_kernel *kernel, uint32_t dims, const size_t *local_size,
                                  uint32_t out_local[3])
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

static zcs_status zcs__dispatch(zcs_kernel *kernel, uint32_t dims, const size_t *global_size,
                                const size_t *local_size, uint32_t arg_count)
{
    zcs_context *context = kernel->context;
    struct zcs__context_impl *impl = context->impl;

    uint32_t local[3];
    zcs_status status = zcs__local_size(kernel, dims, local_size, local);
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
    status = zcs__pipeline_get(kernel, buffer_mask, local, &pipeline);
    if (status != ZCS_SUCCESS)
        return status;

    zcs__vk_slot *slot = NULL;
    status = zcs__slot_acquire(impl, &slot);
    if (status != ZCS_SUCCESS)
        return status;
    status = zcs__record(kernel, slot, pipeline, arg_count, push, groups);
    if (status != ZCS_SUCCESS) {
        zcs__slot_abandon(impl, slot);
        return status;
    }
    VkSubmitInfo submit = {
        .sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
        .commandBufferCount = 1,
        .pCommandBuffers = &slot->command_buffer,
    };
    pthread_mutex_lock(&impl->submit_lock);
    VkResult result = zcs__vk.vkQueueSubmit(impl->queue, 1, &submit, slot->fence);
    if (result == VK_SUCCESS) {
        slot->state = ZCS__VK_SLOT_SUBMITTED;
        slot->submit_number = ++impl->next_submit_number;
        slot->kernel = kernel->impl;
    } else {
        slot->state = ZCS__VK_SLOT_FREE;
    }
    pthread_mutex_unlock(&impl->submit_lock);
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

zcs_status zcs__backend_dispatch(zcs_kernel *kernel, uint32_t dims, const size_t *global_size,
                                 const size_t *local_size, uint32_t arg_count, uint64_t serial)
{
    /* The core hands dispatches over one at a time, in serial order: nothing to track. */
    (void)serial;
    return zcs__dispatch(kernel, dims, global_size, local_size, arg_count);
}
