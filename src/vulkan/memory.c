/*
 * Memory of a Vulkan context: which memory types arrays use (zero-copy needs
 * host-visible memory; coherent, device-local or cached preferred by use), the alignment
 * and allocation limits of zcs_context_info, and the tier reason that explains the choice.
 */
#include <stdio.h>

#include <string.h>

#include "vulkan/internal.h"

/* "DEVICE_LOCAL|HOST_VISIBLE|..." for a memory type's property flags. */
static void zcs__memory_flags_text(VkMemoryPropertyFlags flags, char *text, size_t size)
{
    static const struct {
        VkMemoryPropertyFlags bit;
        const char *name;
    } names[] = {
        {VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, "DEVICE_LOCAL"},
        {VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT, "HOST_VISIBLE"},
        {VK_MEMORY_PROPERTY_HOST_COHERENT_BIT, "HOST_COHERENT"},
        {VK_MEMORY_PROPERTY_HOST_CACHED_BIT, "HOST_CACHED"},
    };
    text[0] = '\0';
    size_t used = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if ((flags & names[i].bit) == 0)
            continue;
        int n = snprintf(text + used, size - used, "%s%s", used > 0 ? "|" : "", names[i].name);
        if (n < 0 || (size_t)n >= size - used)
            break;
        used += (size_t)n;
    }
}

/* Memory types a zero-copy array can use: host-visible, not protected or lazily allocated,
   and not AMD's uncached device-coherent kind (slow for the host and meant for markers). */
static int zcs__memory_type_usable(VkMemoryPropertyFlags flags)
{
    const VkMemoryPropertyFlags refused = VK_MEMORY_PROPERTY_PROTECTED_BIT |
                                          VK_MEMORY_PROPERTY_LAZILY_ALLOCATED_BIT |
                                          VK_MEMORY_PROPERTY_DEVICE_UNCACHED_BIT_AMD;
    return (flags & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT) != 0 && (flags & refused) == 0;
}

/*
 * The best memory type among `allowed` for arrays: coherent first (no flush or
 * invalidate), then device-local (full device speed); for read-back arrays cached
 * first (host reads from cached memory are many times faster than from
 * write-combined memory; invalidating is cheap). Ties go to the lower index, which
 * Vulkan orders by performance. Returns VK_MAX_MEMORY_TYPES when none fits.
 */
uint32_t zcs__vk_choose_memory_type(const VkPhysicalDeviceMemoryProperties *memory,
                                    uint32_t allowed, int readback)
{
    uint32_t best = VK_MAX_MEMORY_TYPES;
    int best_score = -1;
    for (uint32_t t = 0; t < memory->memoryTypeCount; t++) {
        VkMemoryPropertyFlags flags = memory->memoryTypes[t].propertyFlags;
        if ((allowed & (1u << t)) == 0 || !zcs__memory_type_usable(flags))
            continue;
        int score = 0;
        if (flags & VK_MEMORY_PROPERTY_HOST_COHERENT_BIT)
            score += 4;
        if (flags & VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT)
            score += 2;
        if (readback && (flags & VK_MEMORY_PROPERTY_HOST_CACHED_BIT))
            score += 8;
        if (score > best_score) {
            best = t;
            best_score = score;
        }
    }
    return best;
}

/*
 * The staged tier's memory types among `allowed`: for the array (`staging` 0), device-local
 * first, then not host-visible (memory only the device reaches is its fastest); for the
 * host copy (`staging` 1), host-visible only, cached first (the host reads it), then not
 * device-local (the host's own heap), then coherent. VK_MAX_MEMORY_TYPES when none fits.
 */
static uint32_t zcs__vk_choose_staged_type(const VkPhysicalDeviceMemoryProperties *memory,
                                           uint32_t allowed, int staging)
{
    uint32_t best = VK_MAX_MEMORY_TYPES;
    int best_score = -1;
    for (uint32_t t = 0; t < memory->memoryTypeCount; t++) {
        VkMemoryPropertyFlags flags = memory->memoryTypes[t].propertyFlags;
        const VkMemoryPropertyFlags refused = VK_MEMORY_PROPERTY_PROTECTED_BIT |
                                              VK_MEMORY_PROPERTY_LAZILY_ALLOCATED_BIT |
                                              VK_MEMORY_PROPERTY_DEVICE_UNCACHED_BIT_AMD;
        if ((allowed & (1u << t)) == 0 || (flags & refused) != 0)
            continue;
        int host_visible = (flags & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT) != 0;
        int device_local = (flags & VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT) != 0;
        int score = 0;
        if (staging) {
            if (!host_visible)
                continue;
            score = ((flags & VK_MEMORY_PROPERTY_HOST_CACHED_BIT) ? 8 : 0) +
                    (device_local ? 0 : 4) +
                    ((flags & VK_MEMORY_PROPERTY_HOST_COHERENT_BIT) ? 2 : 0);
        } else {
            score = (device_local ? 8 : 0) + (host_visible ? 0 : 4);
        }
        if (score > best_score) {
            best = t;
            best_score = score;
        }
    }
    return best;
}

/*
 * Whether the device shares memory with the host, from what Vulkan says of the device:
 * integrated GPUs and CPU devices do; a discrete, virtual or other GPU does not when it
 * has a DEVICE_LOCAL heap apart from a heap that is not (the host's). Memory-type flags
 * alone cannot tell: resizable-BAR GPUs expose device-local host-visible memory.
 */
static int zcs__vk_unified_memory(const VkPhysicalDeviceProperties *properties,
                                  const VkPhysicalDeviceMemoryProperties *memory)
{
    VkPhysicalDeviceType type = properties->deviceType;
    if (type == VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU || type == VK_PHYSICAL_DEVICE_TYPE_CPU)
        return 1;
    int device_heap = 0;
    int host_heap = 0;
    for (uint32_t h = 0; h < memory->memoryHeapCount; h++) {
        if (memory->memoryHeaps[h].flags & VK_MEMORY_HEAP_DEVICE_LOCAL_BIT)
            device_heap = 1;
        else
            host_heap = 1;
    }
    return !(device_heap && host_heap);
}

/* The largest single allocation (see zcs_context_info.max_alloc_size). */
static VkDeviceSize zcs__max_alloc_size(struct zcs__context_impl *impl, uint32_t memory_type)
{
    VkPhysicalDeviceMaintenance3Properties maintenance3 = {
        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_MAINTENANCE_3_PROPERTIES,
    };
    VkPhysicalDeviceProperties2 properties2 = {
        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2,
        .pNext = &maintenance3,
    };
    zcs__vk.vkGetPhysicalDeviceProperties2(impl->physical_device, &properties2);
    uint32_t heap = impl->memory_properties.memoryTypes[memory_type].heapIndex;
    VkDeviceSize size = impl->memory_properties.memoryHeaps[heap].size;
    if (maintenance3.maxMemoryAllocationSize != 0 && maintenance3.maxMemoryAllocationSize < size)
        size = maintenance3.maxMemoryAllocationSize;
    /* An array is one storage-buffer descriptor: its range may not exceed
       maxStorageBufferRange. Refusing larger arrays at zcs_array_create (ZCS_ERROR_TOO_LARGE,
       the message names the limit) is better than a descriptor silently truncated. */
    if (impl->properties.limits.maxStorageBufferRange < size)
        size = impl->properties.limits.maxStorageBufferRange;
    return size / impl->alignment * impl->alignment;
}

static VkDeviceSize zcs__max_size(VkDeviceSize a, VkDeviceSize b)
{
    return a > b ? a : b;
}

/* Choose the memory types and the alignment; fill info (the allocator starts later). */
zcs_status zcs__vk_setup_memory(zcs_context *context, struct zcs__context_impl *impl)
{
    VkBufferUsageFlags usage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT |
                               VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;
    if (impl->buffer_device_address)
        usage |= VK_BUFFER_USAGE_SHADER_DEVICE_ADDRESS_BIT;
    /* A probe buffer tells which memory types storage buffers accept and their alignment
       (the same for every buffer of this usage, by the Vulkan spec). */
    VkBufferCreateInfo probe_info = {
        .sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
        .size = 4096,
        .usage = usage,
        .sharingMode = VK_SHARING_MODE_EXCLUSIVE,
    };
    VkBuffer probe = VK_NULL_HANDLE;
    VkResult result = zcs__vk.vkCreateBuffer(impl->device, &probe_info, NULL, &probe);
    if (result != VK_SUCCESS)
        return zcs__vk_fail(context, result, "vkCreateBuffer", "probing storage buffer memory");
    VkMemoryRequirements requirements;
    zcs__vk.vkGetBufferMemoryRequirements(impl->device, probe, &requirements);
    zcs__vk.vkDestroyBuffer(impl->device, probe, NULL);

    const VkPhysicalDeviceMemoryProperties *memory = &impl->memory_properties;
    impl->memory_type_default = zcs__vk_choose_memory_type(memory, requirements.memoryTypeBits, 0);
    impl->memory_type_readback = zcs__vk_choose_memory_type(memory, requirements.memoryTypeBits, 1);
    impl->memory_type_device = zcs__vk_choose_staged_type(memory, requirements.memoryTypeBits, 0);
    impl->memory_type_staging = zcs__vk_choose_staged_type(memory, requirements.memoryTypeBits, 1);
    if (impl->memory_type_default == VK_MAX_MEMORY_TYPES)
        return zcs__fail(context, ZCS_ERROR_NO_DEVICE, 0,
                         "\"%s\" offers no host-visible memory type for storage buffers "
                         "(allowed types 0x%x)",
                         impl->properties.deviceName, requirements.memoryTypeBits);

    const VkPhysicalDeviceLimits *limits = &impl->properties.limits;
    impl->atom_size = limits->nonCoherentAtomSize != 0 ? limits->nonCoherentAtomSize : 1;
    /* 64 bytes at least: a cache line, so no two arrays share one and a flush or
       invalidate of one never touches its neighbour. */
    VkDeviceSize alignment = 64;
    alignment = zcs__max_size(alignment, limits->minStorageBufferOffsetAlignment);
    alignment = zcs__max_size(alignment, impl->atom_size);
    alignment = zcs__max_size(alignment, requirements.alignment);
    impl->alignment = alignment;

    VkDeviceSize max_alloc = zcs__max_alloc_size(impl, impl->memory_type_default);
    VkDeviceSize readback_max = zcs__max_alloc_size(impl, impl->memory_type_readback);
    if (readback_max < max_alloc)
        max_alloc = readback_max;
    impl->buffer_usage = usage;

    VkPhysicalDeviceType type = impl->properties.deviceType;
    context->info.unified_memory = zcs__vk_unified_memory(&impl->properties, memory);
    context->info.is_gpu = type == VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU ||
                           type == VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU ||
                           type == VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU;
    context->info.max_alloc_size = max_alloc;
    /* The budget: the heap behind the default memory type (zcs_context_info.memory_budget). */
    context->info.memory_budget =
        memory->memoryHeaps[memory->memoryTypes[impl->memory_type_default].heapIndex].size;
    context->info.alignment = (size_t)alignment;
    zcs_device_limits *out = &context->info.limits;
    out->max_alloc_size = max_alloc;
    out->memory_budget = context->info.memory_budget;
    out->max_work_group_size = limits->maxComputeWorkGroupInvocations;
    for (int d = 0; d < 3; d++)
        out->max_work_item_sizes[d] = limits->maxComputeWorkGroupSize[d];
    out->local_memory_size = limits->maxComputeSharedMemorySize;
    out->compute_units = 0; /* Vulkan has no such query */
    out->max_parameter_bytes = limits->maxPushConstantsSize;
    return ZCS_SUCCESS;
}

/* The sentence of zcs_context_info.tier_reason. */
void zcs__vk_write_tier_reason(zcs_context *context, struct zcs__context_impl *impl, zcs_tier tier)
{
    const VkPhysicalDeviceMemoryProperties *memory = &impl->memory_properties;
    uint32_t t = impl->memory_type_default;
    uint32_t r = impl->memory_type_readback;
    VkMemoryPropertyFlags flags = memory->memoryTypes[t].propertyFlags;
    char flags_text[96];
    char readback_text[256];
    zcs__memory_flags_text(flags, flags_text, sizeof flags_text);
    if (r == t) {
        snprintf(readback_text, sizeof readback_text, "host-read-only arrays use it too");
    } else {
        char readback_flags[96];
        zcs__memory_flags_text(memory->memoryTypes[r].propertyFlags, readback_flags,
                               sizeof readback_flags);
        snprintf(readback_text, sizeof readback_text, "%s use type %u (%s) for cached reads",
                 context->info.unified_memory
                     ? "host-read-only arrays"
                     : "arrays the host reads (all but ZCS_ARRAY_HOST_WRITE_ONLY: device-local "
                       "host-visible memory is uncached behind the bus here)",
                 r, readback_flags);
    }
    char mapped_text[768];
    snprintf(mapped_text, sizeof mapped_text,
             "vulkan_mapped%s, the Vulkan backend's zero-copy tier: arrays live in memory type %u "
             "(%s, heap %u), mapped once and kept mapped; %s; %s; %s",
             tier == ZCS_TIER_VULKAN_MAPPED ? " (forced)" : "", t, flags_text,
             memory->memoryTypes[t].heapIndex,
             (flags & VK_MEMORY_PROPERTY_HOST_COHERENT_BIT)
                 ? "host-coherent, so map and unmap need no flush or invalidate"
                 : "not host-coherent, so unmap flushes and map invalidates the range",
             (flags & VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT)
                 ? "device-local, so kernels read it at full speed"
                 : "not device-local (the device reads host memory over the bus)",
             readback_text);
    if (context->info.tier != ZCS_TIER_STAGED) {
        snprintf(context->tier_reason, sizeof context->tier_reason, "%s", mapped_text);
        return;
    }
    uint32_t d = impl->memory_type_device;
    uint32_t g = impl->memory_type_staging;
    char device_flags[96];
    char staging_flags[96];
    zcs__memory_flags_text(memory->memoryTypes[d].propertyFlags, device_flags, sizeof device_flags);
    zcs__memory_flags_text(memory->memoryTypes[g].propertyFlags, staging_flags,
                           sizeof staging_flags);
    char staged_text[512];
    snprintf(staged_text, sizeof staged_text,
             "staged%s: arrays live in memory type %u (%s, heap %u) and zcs copies the mapped "
             "range through a host copy in memory type %u (%s, heap %u) at map and unmap "
             "(counted in zcs_stats.bytes_copied)",
             tier == ZCS_TIER_STAGED
                 ? " (forced)"
                 : ", the device has memory of its own (a discrete GPU: a DEVICE_LOCAL heap "
                   "apart from the host's)",
             d, device_flags, memory->memoryTypes[d].heapIndex, g, staging_flags,
             memory->memoryTypes[g].heapIndex);
    /* Both texts fit the reason in practice; a longer one is cut, and ends with "...". */
    size_t room = sizeof context->tier_reason;
    int written = tier == ZCS_TIER_STAGED
                      ? snprintf(context->tier_reason, room, "%s", staged_text)
                      : snprintf(context->tier_reason, room, "%s; ZCS_ARRAY_STREAMED arrays use %s",
                                 staged_text, mapped_text);
    if (written < 0 || (size_t)written >= room)
        memcpy(context->tier_reason + room - 4, "...", 4);
}
