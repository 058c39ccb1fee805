/*
 * Compute pipelines: made at a kernel's first dispatch with an argument layout (which
 * arguments are storage buffers) and a work-group size (specialization constants), and
 * cached on the kernel.
 */
#include <string.h>

#include "vulkan/internal.h"

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
zcs_status zcs__vk_pipeline_get(zcs_kernel *kernel, uint32_t buffer_mask,
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

void zcs__vk_pipelines_destroy(struct zcs__context_impl *impl, struct zcs__kernel_impl *kernel)
{
    while (kernel->pipelines != NULL) {
        zcs__vk_pipeline *next = kernel->pipelines->next;
        zcs__pipeline_destroy(impl, kernel->pipelines);
        kernel->pipelines = next;
    }
}
