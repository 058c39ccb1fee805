/*
 * Dispatch and finish: the work-group size, the grid's pieces, the push constants, and
 * the command buffer recorded per dispatch into a submission slot (submit.c) with the
 * kernel's pipelines (pipeline.c), submitted with the slot's fence.
 *
 * Exactly global_size work items run, as on OpenCL: where the work-group size does not
 * divide the global size, the whole work groups run with one pipeline and the rest of
 * each dimension with a pipeline specialised to a smaller work group (vkCmdDispatchBase
 * places it): one group of the remainder when the grid has no whole group in that
 * dimension, else groups of the largest power of two dividing both the remainder and its
 * offset, since a base is counted in groups of the piece's own size. So a kernel needs
 * no bounds check, and a handful of pipelines serve every global size.
 *
 * A slot keeps what its command buffer recorded, under a key (zcs__recording_key): the
 * pipelines and groups of each piece, each array argument's buffer, offset and range, the
 * push-constant bytes, the staged copies, and the context's recording epoch, which moves
 * whenever a buffer or pipeline is destroyed (so a handle value used again never matches).
 * A dispatch with the same key submits that command buffer again, unrecorded: a loop of
 * frames records once per slot it uses, as a hand-written loop records once.
 *
 * Synchronisation of every submission:
 *  - first, a barrier from host writes and earlier dispatches' shader writes to this
 *    dispatch's shader reads and writes (vkQueueSubmit already makes coherent host
 *    writes available; the barrier orders this dispatch after earlier ones, which
 *    Vulkan does not do by itself across submissions);
 *  - last, a barrier from shader and copy writes to host reads, so that once the fence
 *    has signalled the host sees the results through its mapping, and to later
 *    submissions' copies. Every submission of zcs's ends so (staged.c's copies too), so
 *    the staged uploads a dispatch records ahead of its kernel need no barrier before
 *    them: earlier submissions of zcs's are ordered by their last barrier, application
 *    work the dispatch waits for (semaphores) is waited for at the transfer stage too,
 *    and an array whose buffer the application was given uploads alone, at once. On
 *    NVIDIA's H200 that barrier cost 2 us a frame.
 */
#include <string.h>

#include "vulkan/internal.h"

/* Push-constant bytes and staged copies a dispatch keeps on the stack (more: the heap). */
#define ZCS__VK_INLINE_PUSH    256u
#define ZCS__VK_INLINE_UPLOADS 16u
#define ZCS__FREE_UNLESS(pointer, inline_buffer)                                                   \
    do {                                                                                           \
        if ((void *)(pointer) != (void *)(inline_buffer))                                          \
            zcs__free(pointer);                                                                    \
    } while (0)

/*
 * The work-group size: the caller's, the shader's fixed one, or 64 / 8x8 / 4x4x4, each
 * dimension of a default no larger than the largest power of two within its global size
 * (so a dimension of size 1 runs groups of 1, and powers of two keep the pipelines a
 * kernel needs to a handful).
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

/* The push-constant bytes (`size`: the device's maxPushConstantsSize): each value at the
   offset the shader declares, or by the convention (argument order, each aligned to its
   size: 4, 8 or 16). *out_used: the bytes to push, a multiple of 4. */
static zcs_status zcs__push_data(zcs_kernel *kernel, uint32_t arg_count, unsigned char *push,
                                 uint32_t size, uint32_t *out_used)
{
    const zcs__spirv_params *params = &kernel->impl->params;
    size_t cursor = 0;
    size_t used = 0;
    memset(push, 0, size);
    for (uint32_t i = 0; i < arg_count; i++) {
        const zcs__kernel_arg *arg = &kernel->args[i];
        if (arg->kind != ZCS__ARG_VALUE)
            continue;
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
        if (offset + arg->size > size)
            return zcs__fail(kernel->context, ZCS_ERROR_KERNEL_ARGUMENT, 0,
                             "zcs_dispatch: value argument %u of kernel \"%s\" ends at byte %zu "
                             "of the push-constant block; the device takes %u bytes "
                             "(maxPushConstantsSize)",
                             i, kernel->name, offset + arg->size, size);
        memcpy(push + offset, arg->value, arg->size);
        cursor = offset + arg->size;
        used = cursor > used ? cursor : used;
    }
    used = (used + 3) / 4 * 4;
    *out_used = (uint32_t)(used < size ? used : size);
    return ZCS_SUCCESS;
}

/* One piece of a grid: a pipeline (its work-group size) and the groups it runs. */
typedef struct zcs__vk_piece {
    const zcs__vk_pipeline *pipeline;
    uint64_t base[3];  /* first group, in groups of the piece's size */
    uint64_t count[3]; /* groups */
} zcs__vk_piece;

/* Most pieces: whole groups or remainder in each of three dimensions. */
#define ZCS__VK_MAX_PIECES 8

/* A storage-buffer descriptor pool for `count` descriptors in the slot (kernels with more
   array arguments than the slot's pool holds). */
static zcs_status zcs__slot_descriptors(zcs_kernel *kernel, zcs__vk_slot *slot, uint32_t count)
{
    uint32_t capacity =
        slot->descriptor_capacity != 0 ? slot->descriptor_capacity : ZCS__VK_SLOT_DESCRIPTORS;
    if (count <= capacity)
        return ZCS_SUCCESS;
    struct zcs__context_impl *impl = kernel->context->impl;
    VkDescriptorPoolSize pool_size = {
        .type = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
        .descriptorCount = count,
    };
    VkDescriptorPoolCreateInfo info = {
        .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
        .maxSets = 1,
        .poolSizeCount = 1,
        .pPoolSizes = &pool_size,
    };
    VkDescriptorPool pool = VK_NULL_HANDLE;
    VkResult result = zcs__vk.vkCreateDescriptorPool(impl->device, &info, NULL, &pool);
    if (result != VK_SUCCESS)
        return zcs__vk_fail(kernel->context, result, "vkCreateDescriptorPool",
                            "kernel \"%s\" with %u array arguments", kernel->name, count);
    zcs__vk.vkDestroyDescriptorPool(impl->device, slot->descriptor_pool, NULL);
    slot->descriptor_pool = pool;
    slot->descriptor_capacity = count;
    return ZCS_SUCCESS;
}

/* The words of a recording's key, grown as needed; `failed` once out of host memory. */
typedef struct zcs__recording_key {
    uint64_t *words;
    uint32_t length;
    uint32_t capacity;
    int failed;
} zcs__recording_key;

static void zcs__key_add(zcs__recording_key *key, uint64_t word)
{
    if (key->failed)
        return;
    if (key->length == key->capacity) {
        uint32_t grown = key->capacity != 0 ? 2 * key->capacity : 64;
        uint64_t *words = zcs__malloc(grown * sizeof *words);
        if (words == NULL) {
            key->failed = 1;
            return;
        }
        if (key->length > 0)
            memcpy(words, key->words, key->length * sizeof *words);
        zcs__free(key->words);
        key->words = words;
        key->capacity = grown;
    }
    key->words[key->length++] = word;
}

/* A non-dispatchable handle (a pointer or a 64-bit integer, by platform) as a key word. */
#define ZCS__KEY_HANDLE(key, handle)                                                               \
    do {                                                                                           \
        uint64_t word_ = 0;                                                                        \
        memcpy(&word_, &(handle), sizeof(handle));                                                 \
        zcs__key_add((key), word_);                                                                \
    } while (0)

/* The key of everything zcs__record puts in a command buffer (see the top of the file). */
static void zcs__recording_key_make(zcs_kernel *kernel, const zcs__vk_piece *pieces,
                                    uint32_t piece_count, uint32_t arg_count,
                                    const unsigned char *push, uint32_t push_size,
                                    const zcs__vk_upload *uploads, uint32_t upload_count,
                                    zcs__recording_key *key)
{
    struct zcs__context_impl *impl = kernel->context->impl;
    zcs__key_add(key, atomic_load(&impl->recording_epoch));
    zcs__key_add(key, piece_count);
    for (uint32_t p = 0; p < piece_count; p++) {
        ZCS__KEY_HANDLE(key, pieces[p].pipeline->pipeline);
        for (uint32_t d = 0; d < 3; d++) {
            zcs__key_add(key, pieces[p].base[d]);
            zcs__key_add(key, pieces[p].count[d]);
        }
    }
    zcs__key_add(key, arg_count);
    for (uint32_t i = 0; i < arg_count; i++) {
        if (kernel->args[i].kind != ZCS__ARG_ARRAY)
            continue;
        const zcs_array *buffer = kernel->args[i].buffer;
        zcs__key_add(key, i);
        ZCS__KEY_HANDLE(key, buffer->impl->allocation.block->buffer);
        zcs__key_add(key, buffer->impl->array_offset);
        zcs__key_add(key, buffer->size);
    }
    zcs__key_add(key, push_size);
    for (uint32_t at = 0; at < push_size; at += 8) {
        uint64_t word = 0;
        memcpy(&word, push + at, push_size - at < 8 ? push_size - at : 8);
        zcs__key_add(key, word);
    }
    zcs__key_add(key, upload_count);
    for (uint32_t i = 0; i < upload_count; i++) {
        const struct zcs__array_impl *array = uploads[i].array->impl;
        ZCS__KEY_HANDLE(key, array->allocation.block->buffer);
        zcs__key_add(key, array->allocation.offset);
        ZCS__KEY_HANDLE(key, array->staging.block->buffer);
        zcs__key_add(key, array->staging.offset);
        zcs__key_add(key, uploads[i].offset);
        zcs__key_add(key, uploads[i].size);
        zcs__key_add(key, (uint64_t)uploads[i].to_device);
    }
}

/* Record the slot's command buffer. */
static zcs_status zcs__record(zcs_kernel *kernel, zcs__vk_slot *slot, const zcs__vk_piece *pieces,
                              uint32_t piece_count, uint32_t arg_count, const unsigned char *push,
                              uint32_t push_size, const zcs__vk_upload *uploads,
                              uint32_t upload_count)
{
    zcs_context *context = kernel->context;
    struct zcs__context_impl *impl = context->impl;
    /* Every piece's pipeline has the same argument layout, so one descriptor set serves
       them all (their set layouts are identically defined, hence compatible). */
    const zcs__vk_pipeline *pipeline = pieces[0].pipeline;
    uint32_t buffer_count = 0;
    for (uint32_t i = 0; i < arg_count; i++)
        buffer_count += kernel->args[i].kind == ZCS__ARG_ARRAY;
    zcs_status status = zcs__slot_descriptors(kernel, slot, buffer_count);
    if (status != ZCS_SUCCESS)
        return status;
    VkResult result = zcs__vk.vkResetCommandPool(impl->device, slot->command_pool, 0);
    if (result != VK_SUCCESS)
        return zcs__vk_fail(context, result, "vkResetCommandPool", "kernel \"%s\"", kernel->name);
    result = zcs__vk.vkResetDescriptorPool(impl->device, slot->descriptor_pool, 0);
    if (result != VK_SUCCESS)
        return zcs__vk_fail(context, result, "vkResetDescriptorPool", "kernel \"%s\"",
                            kernel->name);
    VkDescriptorSet set = VK_NULL_HANDLE;
    if (buffer_count != 0) {
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
        VkDescriptorBufferInfo *infos = zcs__calloc(buffer_count, sizeof *infos);
        VkWriteDescriptorSet *writes = zcs__calloc(buffer_count, sizeof *writes);
        if (infos == NULL || writes == NULL) {
            zcs__free(infos);
            zcs__free(writes);
            return zcs__fail(context, ZCS_ERROR_OUT_OF_MEMORY, 0,
                             "zcs_dispatch: out of host memory for %u descriptors", buffer_count);
        }
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
        zcs__free(infos);
        zcs__free(writes);
    }

    VkCommandBuffer cb = slot->command_buffer;
    /* Not one-time: a dispatch with the same key submits it again. */
    VkCommandBufferBeginInfo begin = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
    result = zcs__vk.vkBeginCommandBuffer(cb, &begin);
    if (result != VK_SUCCESS)
        return zcs__vk_fail(context, result, "vkBeginCommandBuffer", "kernel \"%s\"", kernel->name);
    /* Staged arrays' uploads that their unmaps left for this dispatch (staged.c). */
    zcs__vk_staged_record_uploads(cb, uploads, upload_count);
    VkMemoryBarrier before = {
        .sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
        .srcAccessMask =
            VK_ACCESS_HOST_WRITE_BIT | VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT,
        .dstAccessMask = VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT,
    };
    zcs__vk.vkCmdPipelineBarrier(cb,
                                 VK_PIPELINE_STAGE_HOST_BIT | VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT |
                                     VK_PIPELINE_STAGE_TRANSFER_BIT,
                                 VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0, 1, &before, 0, NULL, 0,
                                 NULL);
    /* Grids larger than maxComputeWorkGroupCount go in pieces too; gl_GlobalInvocationID
       counts from the base group, so kernels see one grid. */
    const uint32_t *max = impl->properties.limits.maxComputeWorkGroupCount;
    for (uint32_t p = 0; p < piece_count; p++) {
        const zcs__vk_piece *piece = &pieces[p];
        zcs__vk.vkCmdBindPipeline(cb, VK_PIPELINE_BIND_POINT_COMPUTE, piece->pipeline->pipeline);
        if (set != VK_NULL_HANDLE)
            zcs__vk.vkCmdBindDescriptorSets(cb, VK_PIPELINE_BIND_POINT_COMPUTE,
                                            piece->pipeline->layout, 0, 1, &set, 0, NULL);
        if (push_size > 0)
            zcs__vk.vkCmdPushConstants(cb, piece->pipeline->layout, VK_SHADER_STAGE_COMPUTE_BIT, 0,
                                       push_size, push);
        const uint64_t *groups = piece->count;
        for (uint64_t z = 0; z < groups[2]; z += max[2]) {
            for (uint64_t y = 0; y < groups[1]; y += max[1]) {
                for (uint64_t x = 0; x < groups[0]; x += max[0]) {
                    uint64_t nx = groups[0] - x < max[0] ? groups[0] - x : max[0];
                    uint64_t ny = groups[1] - y < max[1] ? groups[1] - y : max[1];
                    uint64_t nz = groups[2] - z < max[2] ? groups[2] - z : max[2];
                    zcs__vk.vkCmdDispatchBase(
                        cb, (uint32_t)(piece->base[0] + x), (uint32_t)(piece->base[1] + y),
                        (uint32_t)(piece->base[2] + z), (uint32_t)nx, (uint32_t)ny, (uint32_t)nz);
                }
            }
        }
    }
    /* Staged arrays' read-aheads: their next maps only wait for this submission. */
    zcs__vk_staged_record_readaheads(cb, uploads, upload_count);
    /* Host reads once the fence has signalled, and later submissions' copies: a staged
       upload recorded ahead of a later kernel has no barrier of its own before it. */
    VkMemoryBarrier after = {
        .sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
        .srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT,
        .dstAccessMask =
            VK_ACCESS_HOST_READ_BIT | VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT,
    };
    zcs__vk.vkCmdPipelineBarrier(
        cb, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
        VK_PIPELINE_STAGE_HOST_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 1, &after, 0, NULL, 0,
        NULL);
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

    zcs_status status = zcs__kernel_check_local(kernel, arg_count);
    if (status != ZCS_SUCCESS)
        return status;
    uint32_t local[3];
    status = zcs__local_size(kernel, dims, global_size, local_size, local);
    if (status != ZCS_SUCCESS)
        return status;
    /* Per dimension: the whole groups (part 0) and the remainder (part 1), each a group
       size, a base group and a group count. */
    uint32_t part_size[3][2];
    uint64_t part_base[3][2];
    uint64_t part_count[3][2];
    const zcs__spirv_entry *entry = &kernel->impl->entry;
    for (uint32_t d = 0; d < 3; d++) {
        uint64_t global = d < dims ? (uint64_t)global_size[d] : 1;
        uint64_t whole = global / local[d];
        uint64_t rest = global % local[d];
        if (global > (uint64_t)UINT32_MAX + 1)
            return zcs__fail(context, ZCS_ERROR_INVALID_ARGUMENT, 0,
                             "zcs_dispatch: global size %llu in dimension %u exceeds the 32-bit "
                             "invocation ids of Vulkan",
                             (unsigned long long)global, d);
        if (rest != 0 && entry->local_size_spec_id[d] < 0)
            return zcs__fail(context, ZCS_ERROR_INVALID_ARGUMENT, 0,
                             "zcs_dispatch: global size %llu in dimension %u is not a multiple "
                             "of the work-group size %u that kernel \"%s\" fixes in the "
                             "shader; zcs runs exactly the global size, which needs the size "
                             "from specialization constants (layout(local_size_x_id = 0, "
                             "local_size_y_id = 1, local_size_z_id = 2) in;)",
                             (unsigned long long)global, d, local[d], kernel->name);
        part_size[d][0] = local[d];
        part_base[d][0] = 0;
        part_count[d][0] = whole;
        uint64_t offset = whole * local[d];
        uint64_t group = rest;
        if (whole != 0 && rest != 0) {
            /* The base counts groups of the piece's size: the largest power of two that
               divides both the remainder and its offset. */
            group = 1;
            while (rest % (group * 2) == 0 && offset % (group * 2) == 0)
                group *= 2;
        }
        part_size[d][1] = (uint32_t)(group != 0 ? group : 1);
        part_base[d][1] = group != 0 ? offset / group : 0;
        part_count[d][1] = group != 0 ? rest / group : 0;
    }
    uint32_t key_length = 0;
    uint32_t *key = zcs__vk_pipeline_key(kernel, arg_count, &key_length);
    /* The push constants and the staged copies on the stack where they fit (every frame
       dispatches: no allocation there), else on the heap. */
    uint32_t push_limit = impl->properties.limits.maxPushConstantsSize;
    unsigned char push_inline[ZCS__VK_INLINE_PUSH];
    unsigned char *push = push_limit <= sizeof push_inline ? push_inline : zcs__malloc(push_limit);
    if (key == NULL || push == NULL) {
        zcs__free(key);
        ZCS__FREE_UNLESS(push, push_inline);
        return zcs__fail(context, ZCS_ERROR_OUT_OF_MEMORY, 0,
                         "zcs_dispatch: out of host memory for kernel \"%s\"", kernel->name);
    }
    uint32_t push_size = 0;
    status = zcs__push_data(kernel, arg_count, push, push_limit, &push_size);
    zcs__vk_piece pieces[ZCS__VK_MAX_PIECES];
    uint32_t piece_count = 0;
    for (uint32_t combination = 0; combination < ZCS__VK_MAX_PIECES && status == ZCS_SUCCESS;
         combination++) {
        zcs__vk_piece piece = {0};
        uint32_t size[3];
        int empty = 0;
        for (uint32_t d = 0; d < 3; d++) {
            uint32_t part = (combination >> d) & 1u;
            size[d] = part_size[d][part];
            piece.base[d] = part_base[d][part];
            piece.count[d] = part_count[d][part];
            empty |= piece.count[d] == 0;
        }
        if (empty)
            continue;
        zcs__vk_pipeline *pipeline = NULL;
        status = zcs__vk_pipeline_get(kernel, key, key_length, size, &pipeline);
        piece.pipeline = pipeline;
        pieces[piece_count++] = piece;
    }
    zcs__free(key);
    if (status != ZCS_SUCCESS) {
        ZCS__FREE_UNLESS(push, push_inline);
        return status;
    }

    uint32_t used_arrays = zcs__dispatch_array_count(kernel, arg_count);
    zcs__vk_upload uploads_inline[ZCS__VK_INLINE_UPLOADS];
    zcs__vk_upload *uploads = 2 * used_arrays <= ZCS__VK_INLINE_UPLOADS
                                  ? uploads_inline
                                  : zcs__malloc(2 * (size_t)used_arrays * sizeof *uploads);
    if (uploads == NULL) {
        ZCS__FREE_UNLESS(push, push_inline);
        return zcs__fail(context, ZCS_ERROR_OUT_OF_MEMORY, 0,
                         "zcs_dispatch: out of host memory for kernel \"%s\"", kernel->name);
    }
    uint32_t upload_count = zcs__vk_staged_take_uploads(kernel, arg_count, uploads);
    zcs__recording_key recording = {0};
    zcs__recording_key_make(kernel, pieces, piece_count, arg_count, push, push_size, uploads,
                            upload_count, &recording);
    zcs__vk_slot *slot = NULL;
    int recorded = 0;
    status = recording.failed
                 ? zcs__fail(context, ZCS_ERROR_OUT_OF_MEMORY, 0,
                             "zcs_dispatch: out of host memory for kernel \"%s\"", kernel->name)
                 : zcs__vk_slot_acquire(impl, recording.words, recording.length, &slot, &recorded);
    if (status != ZCS_SUCCESS) {
        zcs__vk_staged_uploads_done(impl, uploads, upload_count, 0);
        zcs__free(recording.words);
        ZCS__FREE_UNLESS(push, push_inline);
        ZCS__FREE_UNLESS(uploads, uploads_inline);
        return status;
    }
    if (!recorded) {
        status = zcs__record(kernel, slot, pieces, piece_count, arg_count, push, push_size, uploads,
                             upload_count);
        if (status == ZCS_SUCCESS)
            zcs__vk_slot_keep_recording(slot, &recording.words, recording.length,
                                        &recording.capacity);
    }
    zcs__free(recording.words);
    ZCS__FREE_UNLESS(push, push_inline);
    zcs__vk_wait_list array_waits = {0};
    if (status == ZCS_SUCCESS)
        status = zcs__vk_dispatch_waits(kernel, arg_count, &array_waits);
    if (status != ZCS_SUCCESS) {
        zcs__vk_staged_uploads_done(impl, uploads, upload_count, 0);
        ZCS__FREE_UNLESS(uploads, uploads_inline);
        zcs__vk_slot_abandon(impl, slot);
        return status;
    }
    uint64_t number = 0;
    VkResult result = zcs__vk_slot_submit(impl, slot, kernel->impl, serial, &array_waits, &number);
    zcs__vk_staged_uploads_done(impl, uploads, upload_count, result == VK_SUCCESS ? number : 0);
    ZCS__FREE_UNLESS(uploads, uploads_inline);
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
