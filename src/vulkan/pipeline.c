/*
 * Compute pipelines: made at a kernel's first dispatch with an argument layout (which
 * arguments are storage buffers, the bytes of each local memory argument) and a
 * work-group size (both through specialization constants), and cached on the kernel.
 */
#include <string.h>

#include "vulkan/internal.h"

static void zcs__pipeline_destroy(struct zcs__context_impl *impl, zcs__vk_pipeline *pipeline)
{
    if (pipeline->pipeline != VK_NULL_HANDLE) {
        zcs__vk_recordings_stale(impl);
        zcs__vk.vkDestroyPipeline(impl->device, pipeline->pipeline, NULL);
    }
    if (pipeline->layout != VK_NULL_HANDLE)
        zcs__vk.vkDestroyPipelineLayout(impl->device, pipeline->layout, NULL);
    if (pipeline->set_layout != VK_NULL_HANDLE)
        zcs__vk.vkDestroyDescriptorSetLayout(impl->device, pipeline->set_layout, NULL);
    zcs__free(pipeline->key);
    zcs__free(pipeline);
}

uint32_t *zcs__vk_pipeline_key(const zcs_kernel *kernel, uint32_t arg_count, uint32_t *out_length)
{
    uint32_t length = 1 + 2 * arg_count;
    uint32_t *key = zcs__malloc(length * sizeof *key);
    if (key == NULL)
        return NULL;
    key[0] = arg_count;
    for (uint32_t i = 0; i < arg_count; i++) {
        const zcs__kernel_arg *arg = &kernel->args[i];
        key[1 + 2 * i] = (uint32_t)arg->kind;
        key[2 + 2 * i] = arg->kind == ZCS__ARG_LOCAL ? (uint32_t)arg->size : 0;
    }
    *out_length = length;
    return key;
}

/* The kind and local bytes of argument i in a key. */
#define ZCS__KEY_KIND(key, i)  ((key)[1 + 2 * (i)])
#define ZCS__KEY_BYTES(key, i) ((key)[2 + 2 * (i)])

static zcs_status zcs__pipeline_create(zcs_kernel *kernel, zcs__vk_pipeline *pipeline)
{
    zcs_context *context = kernel->context;
    struct zcs__context_impl *impl = context->impl;
    struct zcs__kernel_impl *kernel_impl = kernel->impl;
    const uint32_t *key = pipeline->key;
    uint32_t arg_count = key[0];
    const uint32_t *local_size = pipeline->local_size;

    /* Array argument i is storage buffer binding i of set 0; local memory argument i is
       specialization constant ZCS_LOCAL_SPEC_ID(i); three more entries size the group. */
    VkDescriptorSetLayoutBinding *bindings = zcs__calloc(arg_count + 1, sizeof *bindings);
    VkSpecializationMapEntry *entries = zcs__calloc(arg_count + 3, sizeof *entries);
    uint32_t *data = zcs__calloc(arg_count + 3, sizeof *data);
    if (bindings == NULL || entries == NULL || data == NULL) {
        zcs__free(bindings);
        zcs__free(entries);
        zcs__free(data);
        return zcs__fail(context, ZCS_ERROR_OUT_OF_MEMORY, 0,
                         "zcs_dispatch: out of host memory for a pipeline");
    }
    uint32_t binding_count = 0;
    uint32_t entry_count = 0;
    for (uint32_t i = 0; i < arg_count; i++) {
        if (ZCS__KEY_KIND(key, i) == ZCS__ARG_ARRAY) {
            bindings[binding_count++] = (VkDescriptorSetLayoutBinding){
                .binding = i,
                .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                .descriptorCount = 1,
                .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT,
            };
        } else if (ZCS__KEY_KIND(key, i) == ZCS__ARG_LOCAL) {
            data[entry_count] = ZCS__KEY_BYTES(key, i);
            entries[entry_count] = (VkSpecializationMapEntry){
                .constantID = ZCS_LOCAL_SPEC_ID(i),
                .offset = entry_count * (uint32_t)sizeof(uint32_t),
                .size = sizeof(uint32_t),
            };
            entry_count++;
        }
    }
    /* The work-group size through the specialization constants the shader declares
       (0, 1, 2 by the zcs convention). */
    for (uint32_t d = 0; d < 3; d++) {
        if (kernel_impl->entry.local_size_spec_id[d] < 0)
            continue;
        data[entry_count] = local_size[d];
        entries[entry_count] = (VkSpecializationMapEntry){
            .constantID = (uint32_t)kernel_impl->entry.local_size_spec_id[d],
            .offset = entry_count * (uint32_t)sizeof(uint32_t),
            .size = sizeof(uint32_t),
        };
        entry_count++;
    }
    VkDescriptorSetLayoutCreateInfo set_info = {
        .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
        .bindingCount = binding_count,
        .pBindings = binding_count > 0 ? bindings : NULL,
    };
    VkResult result =
        zcs__vk.vkCreateDescriptorSetLayout(impl->device, &set_info, NULL, &pipeline->set_layout);
    zcs__free(bindings);
    if (result != VK_SUCCESS) {
        pipeline->set_layout = VK_NULL_HANDLE;
        zcs__free(entries);
        zcs__free(data);
        return zcs__vk_fail(context, result, "vkCreateDescriptorSetLayout",
                            "kernel \"%s\" with %u array arguments", kernel->name, binding_count);
    }
    /* Value arguments: one push-constant range of the device's size. */
    VkPushConstantRange push_range = {
        .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT,
        .offset = 0,
        .size = impl->properties.limits.maxPushConstantsSize,
    };
    VkPipelineLayoutCreateInfo layout_info = {
        .sType = VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
        .setLayoutCount = 1,
        .pSetLayouts = &pipeline->set_layout,
        .pushConstantRangeCount = push_range.size > 0 ? 1 : 0,
        .pPushConstantRanges = &push_range,
    };
    result = zcs__vk.vkCreatePipelineLayout(impl->device, &layout_info, NULL, &pipeline->layout);
    if (result != VK_SUCCESS) {
        pipeline->layout = VK_NULL_HANDLE;
        zcs__free(entries);
        zcs__free(data);
        return zcs__vk_fail(context, result, "vkCreatePipelineLayout", "kernel \"%s\"",
                            kernel->name);
    }
    VkSpecializationInfo specialization = {
        .mapEntryCount = entry_count,
        .pMapEntries = entries,
        .dataSize = entry_count * sizeof *data,
        .pData = data,
    };
    VkComputePipelineCreateInfo pipeline_info = {
        .sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
        /* vkCmdDispatchBase runs a grid in pieces: the remainder of a global size that is
           not a multiple of the work-group size, and grids of more groups than the device
           takes at once. */
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
    zcs__free(entries);
    zcs__free(data);
    if (result != VK_SUCCESS) {
        pipeline->pipeline = VK_NULL_HANDLE;
        return zcs__vk_fail(context, result, "vkCreateComputePipelines",
                            "kernel \"%s\", work-group size %ux%ux%u", kernel->name, local_size[0],
                            local_size[1], local_size[2]);
    }
    return ZCS_SUCCESS;
}

/* The cached pipeline for this layout and size, made on first use. Only the thread
   that dispatches the kernel gets here (zcs_kernel is single-threaded), so no lock. */
zcs_status zcs__vk_pipeline_get(zcs_kernel *kernel, const uint32_t *key, uint32_t key_length,
                                const uint32_t local_size[3], zcs__vk_pipeline **out_pipeline)
{
    struct zcs__kernel_impl *impl = kernel->impl;
    for (zcs__vk_pipeline *p = impl->pipelines; p != NULL; p = p->next) {
        if (p->key_length == key_length && memcmp(p->key, key, key_length * sizeof *key) == 0 &&
            memcmp(p->local_size, local_size, sizeof p->local_size) == 0) {
            *out_pipeline = p;
            return ZCS_SUCCESS;
        }
    }
    zcs__vk_pipeline *pipeline = zcs__calloc(1, sizeof *pipeline);
    uint32_t *copy = zcs__malloc(key_length * sizeof *key);
    if (pipeline == NULL || copy == NULL) {
        zcs__free(pipeline);
        zcs__free(copy);
        return zcs__fail(kernel->context, ZCS_ERROR_OUT_OF_MEMORY, 0,
                         "zcs_dispatch: out of host memory for a pipeline");
    }
    memcpy(copy, key, key_length * sizeof *key);
    pipeline->key = copy;
    pipeline->key_length = key_length;
    memcpy(pipeline->local_size, local_size, sizeof pipeline->local_size);
    zcs_status status = zcs__pipeline_create(kernel, pipeline);
    if (status != ZCS_SUCCESS) {
        zcs__pipeline_destroy(kernel->context->impl, pipeline);
        return status;
    }
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
