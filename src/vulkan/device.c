/*
 * Context creation: instance (with validation when asked), device choice, queue,
 * memory-type choice and the limits that become zcs_context_info.
 */
#include <stdio.h>
#include <string.h>

#include "backend.h"
#include "vulkan/vk_internal.h"
#include "vulkan/vk_validation.h"

const zcs_backend zcs__backend_id = ZCS_BACKEND_VULKAN;

/* Shared blocks of the sub-allocator (smaller where the device allows less). */
#define ZCS__VK_BLOCK_SIZE ((VkDeviceSize)64 << 20)

/* What context creation learns of one physical device. */
typedef struct zcs__vk_candidate {
    VkPhysicalDevice device;
    VkPhysicalDeviceProperties properties;
    char platform[256];
    char driver[2 * VK_MAX_DRIVER_NAME_SIZE + 8]; /* driver name (information) or version */
    uint32_t queue_family;
    int rank;            /* 0 integrated, 1 discrete, 2 virtual, 3 CPU, 4 other */
    const char *refusal; /* NULL when usable */
    char refusal_text[160];
} zcs__vk_candidate;

static const char *zcs__device_type_name(VkPhysicalDeviceType type)
{
    switch (type) {
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU:
        return "integrated GPU";
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU:
        return "discrete GPU";
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU:
        return "virtual GPU";
    case VK_PHYSICAL_DEVICE_TYPE_CPU:
        return "CPU";
    default:
        return "other device";
    }
}

static int zcs__device_rank(VkPhysicalDeviceType type)
{
    switch (type) {
    case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU:
        return 0;
    case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU:
        return 1;
    case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU:
        return 2;
    case VK_PHYSICAL_DEVICE_TYPE_CPU:
        return 3;
    default:
        return 4;
    }
}

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
static uint32_t zcs__choose_memory_type(const VkPhysicalDeviceMemoryProperties *memory,
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

/* Look at one device: version, compute queue, host-visible memory, the name filter. */
static void zcs__inspect_device(zcs__vk_candidate *candidate, uint32_t instance_version,
                                const char *filter)
{
    zcs__vk.vkGetPhysicalDeviceProperties(candidate->device, &candidate->properties);
    const VkPhysicalDeviceProperties *p = &candidate->properties;
    candidate->rank = zcs__device_rank(p->deviceType);
    uint32_t version = p->apiVersion < instance_version ? p->apiVersion : instance_version;

    /* The platform name says which API version and which driver. */
    char *driver = candidate->driver;
    const size_t driver_size = sizeof candidate->driver;
    if (version >= VK_API_VERSION_1_2) {
        VkPhysicalDeviceDriverProperties driver_properties = {
            .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES,
        };
        VkPhysicalDeviceProperties2 properties2 = {
            .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2,
            .pNext = &driver_properties,
        };
        zcs__vk.vkGetPhysicalDeviceProperties2(candidate->device, &properties2);
        snprintf(driver, driver_size, "%s (%s)", driver_properties.driverName,
                 driver_properties.driverInfo);
    } else {
        snprintf(driver, driver_size, "vendor 0x%04x driver 0x%x", p->vendorID, p->driverVersion);
    }
    snprintf(candidate->platform, sizeof candidate->platform, "Vulkan %u.%u.%u / %.200s",
             VK_API_VERSION_MAJOR(p->apiVersion), VK_API_VERSION_MINOR(p->apiVersion),
             VK_API_VERSION_PATCH(p->apiVersion), driver);

    if (version < VK_API_VERSION_1_1) {
        snprintf(candidate->refusal_text, sizeof candidate->refusal_text,
                 "supports Vulkan %u.%u (with this loader); zcs needs 1.1",
                 VK_API_VERSION_MAJOR(version), VK_API_VERSION_MINOR(version));
        candidate->refusal = candidate->refusal_text;
        return;
    }
    uint32_t family_count = 0;
    zcs__vk.vkGetPhysicalDeviceQueueFamilyProperties(candidate->device, &family_count, NULL);
    VkQueueFamilyProperties families[32];
    if (family_count > 32)
        family_count = 32;
    zcs__vk.vkGetPhysicalDeviceQueueFamilyProperties(candidate->device, &family_count, families);
    candidate->queue_family = UINT32_MAX;
    for (uint32_t f = 0; f < family_count; f++) {
        if ((families[f].queueFlags & VK_QUEUE_COMPUTE_BIT) && families[f].queueCount > 0) {
            candidate->queue_family = f;
            break;
        }
    }
    if (candidate->queue_family == UINT32_MAX) {
        candidate->refusal = "has no compute queue family";
        return;
    }
    VkPhysicalDeviceMemoryProperties memory;
    zcs__vk.vkGetPhysicalDeviceMemoryProperties(candidate->device, &memory);
    if (zcs__choose_memory_type(&memory, UINT32_MAX, 0) == VK_MAX_MEMORY_TYPES) {
        candidate->refusal = "has no host-visible memory type";
        return;
    }
    if (!zcs__contains_ignore_case(p->deviceName, filter) &&
        !zcs__contains_ignore_case(candidate->platform, filter)) {
        snprintf(candidate->refusal_text, sizeof candidate->refusal_text,
                 "name does not match \"%s\"", filter);
        candidate->refusal = candidate->refusal_text;
    }
}

/* Enumerate and inspect every physical device into *out_candidates (to free). */
static zcs_status zcs__list_devices(zcs_context *context, struct zcs__context_impl *impl,
                                    uint32_t instance_version, const char *filter,
                                    zcs__vk_candidate **out_candidates, uint32_t *out_count)
{
    uint32_t count = 0;
    VkResult result = zcs__vk.vkEnumeratePhysicalDevices(impl->instance, &count, NULL);
    if (result != VK_SUCCESS)
        return zcs__vk_fail(context, result, "vkEnumeratePhysicalDevices", "listing devices");
    if (count == 0)
        return zcs__fail(context, ZCS_ERROR_NO_DEVICE, 0,
                         "no Vulkan device found: the loader lists no physical device (is a "
                         "Vulkan driver installed? Debian: mesa-vulkan-drivers; check "
                         "VK_ICD_FILENAMES)");
    VkPhysicalDevice *devices = zcs__calloc(count, sizeof *devices);
    zcs__vk_candidate *candidates = zcs__calloc(count, sizeof *candidates);
    if (devices == NULL || candidates == NULL) {
        zcs__free(devices);
        zcs__free(candidates);
        return zcs__fail(context, ZCS_ERROR_OUT_OF_MEMORY, 0,
                         "out of host memory listing Vulkan devices");
    }
    result = zcs__vk.vkEnumeratePhysicalDevices(impl->instance, &count, devices);
    if (result != VK_SUCCESS && result != VK_INCOMPLETE) {
        zcs__free(devices);
        zcs__free(candidates);
        return zcs__vk_fail(context, result, "vkEnumeratePhysicalDevices", "listing devices");
    }
    for (uint32_t i = 0; i < count; i++) {
        candidates[i].device = devices[i];
        zcs__inspect_device(&candidates[i], instance_version, filter);
    }
    zcs__free(devices);
    *out_candidates = candidates;
    *out_count = count;
    return ZCS_SUCCESS;
}

/* The automatic choice among usable candidates, or UINT32_MAX: integrated GPU first, then
   discrete, virtual, CPU; the first listed on ties. */
static uint32_t zcs__best_device(const zcs__vk_candidate *candidates, uint32_t count)
{
    uint32_t chosen = UINT32_MAX;
    for (uint32_t i = 0; i < count; i++) {
        if (candidates[i].refusal == NULL &&
            (chosen == UINT32_MAX || candidates[i].rank < candidates[chosen].rank))
            chosen = i;
    }
    return chosen;
}

/* Enumerate, inspect and choose. On success candidates[*out_chosen] is the device. */
static zcs_status zcs__choose_device(zcs_context *context, struct zcs__context_impl *impl,
                                     uint32_t instance_version, const zcs__device_choice *choice,
                                     zcs__vk_candidate **out_candidates, uint32_t *out_count,
                                     uint32_t *out_chosen)
{
    const char *filter = choice->name;
    zcs__vk_candidate *candidates = NULL;
    uint32_t count = 0;
    zcs_status status =
        zcs__list_devices(context, impl, instance_version, filter, &candidates, &count);
    if (status != ZCS_SUCCESS)
        return status;
    if (choice->index != ZCS__ANY_DEVICE) {
        if (choice->index >= count)
            status = zcs__fail(context, ZCS_ERROR_NO_DEVICE, 0,
                               "device index %u (%s) is past the last device: Vulkan lists %u "
                               "device%s (index 0 to %u)",
                               (unsigned)choice->index, choice->source, count,
                               count == 1 ? "" : "s", count - 1);
        else if (candidates[choice->index].refusal != NULL)
            status =
                zcs__fail(context, ZCS_ERROR_NO_DEVICE, 0,
                          "device %u (\"%s\", asked for by %s) cannot be used: %s",
                          (unsigned)choice->index, candidates[choice->index].properties.deviceName,
                          choice->source, candidates[choice->index].refusal);
        if (status != ZCS_SUCCESS) {
            zcs__free(candidates);
            return status;
        }
        *out_candidates = candidates;
        *out_count = count;
        *out_chosen = choice->index;
        return ZCS_SUCCESS;
    }
    uint32_t chosen = zcs__best_device(candidates, count);
    if (chosen == UINT32_MAX) {
        char list[ZCS__ERROR_MESSAGE_SIZE / 2];
        size_t used = 0;
        list[0] = '\0';
        for (uint32_t i = 0; i < count && used < sizeof list; i++) {
            int n = snprintf(list + used, sizeof list - used, "%s\"%s\" (%s, %s): %s",
                             i > 0 ? "; " : "", candidates[i].properties.deviceName,
                             zcs__device_type_name(candidates[i].properties.deviceType),
                             candidates[i].platform, candidates[i].refusal);
            if (n < 0)
                break;
            used += (size_t)n;
        }
        zcs__free(candidates);
        return zcs__fail(context, ZCS_ERROR_NO_DEVICE, 0,
                         "no usable Vulkan device%s%s%s: found %u: %s",
                         filter[0] != '\0' ? " matches the device name \"" : "", filter,
                         filter[0] != '\0' ? "\"" : "", count, list);
    }
    *out_candidates = candidates;
    *out_count = count;
    *out_chosen = chosen;
    return ZCS_SUCCESS;
}

/* Create the instance; `allow_validation`: whether ZCS_VULKAN_VALIDATION may turn the layer
   on (device enumeration never does, so the newest context's state stays what it was). */
static zcs_status zcs__create_instance(zcs_context *context, struct zcs__context_impl *impl,
                                       uint32_t *out_version, int allow_validation)
{
    if (!zcs__vk_api_load_global())
        return zcs__fail(context, ZCS_ERROR_BACKEND, 0,
                         "the Vulkan loader lacks vkCreateInstance or another global function");
    uint32_t version = VK_API_VERSION_1_0;
    VkResult result = zcs__vk.vkEnumerateInstanceVersion(&version);
    if (result != VK_SUCCESS)
        return zcs__vk_fail(context, result, "vkEnumerateInstanceVersion",
                            "asking the loader's Vulkan version");
    if (version < VK_API_VERSION_1_1)
        return zcs__fail(context, ZCS_ERROR_NO_DEVICE, 0,
                         "the Vulkan loader supports only Vulkan %u.%u; zcs needs 1.1",
                         VK_API_VERSION_MAJOR(version), VK_API_VERSION_MINOR(version));
    if (version > VK_API_VERSION_1_3)
        version = VK_API_VERSION_1_3;
    *out_version = version;

    zcs__vk_validation_setup validation;
    if (allow_validation)
        zcs__vk_validation_prepare(&validation);
    else
        memset(&validation, 0, sizeof validation);
    VkApplicationInfo application = {
        .sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
        .pApplicationName = "zcs",
        .pEngineName = "zcs",
        .engineVersion = ZCS_VERSION_MAJOR << 22 | ZCS_VERSION_MINOR << 12 | ZCS_VERSION_PATCH,
        .apiVersion = version,
    };
    VkInstanceCreateInfo info = {
        .sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
        .pNext = validation.enabled ? &validation.messenger_info : NULL,
        .pApplicationInfo = &application,
        .enabledLayerCount = validation.layer_count,
        .ppEnabledLayerNames = validation.layers,
        .enabledExtensionCount = validation.extension_count,
        .ppEnabledExtensionNames = validation.extensions,
    };
    result = zcs__vk.vkCreateInstance(&info, NULL, &impl->instance);
    if (result != VK_SUCCESS) {
        impl->instance = VK_NULL_HANDLE;
        if (result == VK_ERROR_INCOMPATIBLE_DRIVER)
            return zcs__fail(context, ZCS_ERROR_NO_DEVICE, (int64_t)result,
                             "vkCreateInstance failed: VK_ERROR_INCOMPATIBLE_DRIVER (%d): no "
                             "Vulkan driver (ICD) found; install one (Debian: "
                             "mesa-vulkan-drivers) or check VK_ICD_FILENAMES",
                             (int)result);
        return zcs__vk_fail(context, result, "vkCreateInstance", "creating a Vulkan %u.%u instance",
                            VK_API_VERSION_MAJOR(version), VK_API_VERSION_MINOR(version));
    }
    const char *missing = zcs__vk_api_load_instance(impl->instance);
    if (missing != NULL)
        return zcs__fail(context, ZCS_ERROR_BACKEND, 0,
                         "the Vulkan loader does not provide %s (Vulkan 1.1 is needed)", missing);
    if (validation.enabled) {
        zcs__vk_validation_pin_layer();
        if (zcs__vk.vkCreateDebugUtilsMessengerEXT == NULL)
            return zcs__fail(context, ZCS_ERROR_BACKEND, 0,
                             "VK_EXT_debug_utils is enabled but the loader has no "
                             "vkCreateDebugUtilsMessengerEXT");
        /* The same settings without the chain (only instance creation takes it). */
        VkDebugUtilsMessengerCreateInfoEXT messenger_info = validation.messenger_info;
        messenger_info.pNext = NULL;
        result = zcs__vk.vkCreateDebugUtilsMessengerEXT(impl->instance, &messenger_info, NULL,
                                                        &impl->messenger);
        if (result != VK_SUCCESS) {
            impl->messenger = VK_NULL_HANDLE;
            return zcs__vk_fail(context, result, "vkCreateDebugUtilsMessengerEXT",
                                "setting up validation messages");
        }
    }
    return ZCS_SUCCESS;
}

static zcs_status zcs__create_device(zcs_context *context, struct zcs__context_impl *impl)
{
    float priority = 1.0f;
    VkDeviceQueueCreateInfo queue_info = {
        .sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
        .queueFamilyIndex = impl->queue_family,
        .queueCount = 1,
        .pQueuePriorities = &priority,
    };
    /* Kernels declare structs with 64-bit, 16-bit and 8-bit fields (zcs/layout.h) and may
       use the scalar block layout: enable those features wherever the device has them
       (a shader that declares a capability the device lacks fails validation). */
    VkPhysicalDeviceVulkan12Features supported12 = {
        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES,
    };
    VkPhysicalDeviceVulkan11Features supported11 = {
        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES,
        .pNext = impl->api_version >= VK_API_VERSION_1_2 ? &supported12 : NULL,
    };
    VkPhysicalDeviceFeatures2 supported = {
        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2,
        .pNext = impl->api_version >= VK_API_VERSION_1_2 ? &supported11 : NULL,
    };
    zcs__vk.vkGetPhysicalDeviceFeatures2(impl->physical_device, &supported);
    VkPhysicalDeviceVulkan12Features enabled12 = {
        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES,
        .storageBuffer8BitAccess = supported12.storageBuffer8BitAccess,
        .uniformAndStorageBuffer8BitAccess = supported12.uniformAndStorageBuffer8BitAccess,
        .storagePushConstant8 = supported12.storagePushConstant8,
        .shaderInt8 = supported12.shaderInt8,
        .shaderFloat16 = supported12.shaderFloat16,
        .scalarBlockLayout = supported12.scalarBlockLayout,
        /* Device addresses let structs hold pointers to other arrays (ZCS_PTR). */
        .bufferDeviceAddress =
            supported12.bufferDeviceAddress && zcs__vk.vkGetBufferDeviceAddress != NULL,
    };
    VkPhysicalDeviceVulkan11Features enabled11 = {
        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES,
        .pNext = &enabled12,
        .storageBuffer16BitAccess = supported11.storageBuffer16BitAccess,
        .uniformAndStorageBuffer16BitAccess = supported11.uniformAndStorageBuffer16BitAccess,
        .storagePushConstant16 = supported11.storagePushConstant16,
    };
    VkPhysicalDeviceFeatures2 enabled = {
        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2,
        .pNext = impl->api_version >= VK_API_VERSION_1_2 ? &enabled11 : NULL,
        .features =
            {
                .shaderInt64 = supported.features.shaderInt64,
                .shaderInt16 = supported.features.shaderInt16,
                .shaderFloat64 = supported.features.shaderFloat64,
            },
    };
    VkDeviceCreateInfo info = {
        .sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO,
        .pNext = &enabled,
        .queueCreateInfoCount = 1,
        .pQueueCreateInfos = &queue_info,
    };
    VkResult result = zcs__vk.vkCreateDevice(impl->physical_device, &info, NULL, &impl->device);
    if (result != VK_SUCCESS) {
        impl->device = VK_NULL_HANDLE;
        return zcs__vk_fail(context, result, "vkCreateDevice", "opening \"%s\"",
                            impl->properties.deviceName);
    }
    zcs__vk.vkGetDeviceQueue(impl->device, impl->queue_family, 0, &impl->queue);
    impl->buffer_device_address =
        impl->api_version >= VK_API_VERSION_1_2 && enabled12.bufferDeviceAddress;
    return ZCS_SUCCESS;
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
static zcs_status zcs__setup_memory(zcs_context *context, struct zcs__context_impl *impl)
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
    impl->memory_type_default = zcs__choose_memory_type(memory, requirements.memoryTypeBits, 0);
    impl->memory_type_readback = zcs__choose_memory_type(memory, requirements.memoryTypeBits, 1);
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
    int integrated =
        type == VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU || type == VK_PHYSICAL_DEVICE_TYPE_CPU;
    int unified = 0;
    for (uint32_t t = 0; t < memory->memoryTypeCount; t++) {
        const VkMemoryPropertyFlags both =
            VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT | VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT;
        if ((memory->memoryTypes[t].propertyFlags & both) == both)
            unified = integrated;
    }
    context->info.unified_memory = unified;
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
static void zcs__write_tier_reason(zcs_context *context, struct zcs__context_impl *impl,
                                   zcs_tier tier)
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
    snprintf(context->tier_reason, sizeof context->tier_reason,
             "vulkan_mapped%s, the Vulkan backend's only tier: arrays live in memory type %u "
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
}

/*
 * Everything context creation and device description share: instance, device choice,
 * logical device, memory types, limits and the tier reason, into context->info.
 * The caller destroys impl (zcs__backend_context_destroy) whatever the status.
 */
static zcs_status zcs__vk_open(zcs_context *context, struct zcs__context_impl *impl,
                               const zcs__device_choice *choice, zcs_tier tier,
                               int allow_validation)
{
    uint32_t version = 0;
    zcs__vk_candidate *candidates = NULL;
    uint32_t candidate_count = 0;
    uint32_t chosen = 0;
    zcs_status status = zcs__create_instance(context, impl, &version, allow_validation);
    if (status == ZCS_SUCCESS)
        status = zcs__choose_device(context, impl, version, choice, &candidates, &candidate_count,
                                    &chosen);
    if (status == ZCS_SUCCESS) {
        const zcs__vk_candidate *c = &candidates[chosen];
        impl->physical_device = c->device;
        impl->properties = c->properties;
        impl->queue_family = c->queue_family;
        impl->api_version = c->properties.apiVersion < version ? c->properties.apiVersion : version;
        zcs__copy_string(context->device_name, sizeof context->device_name,
                         c->properties.deviceName);
        zcs__copy_string(context->platform_name, sizeof context->platform_name, c->platform);
        zcs__vk.vkGetPhysicalDeviceMemoryProperties(c->device, &impl->memory_properties);
        context->info.device_index = chosen;
        zcs__free(candidates);
        status = zcs__create_device(context, impl);
    }
    if (status == ZCS_SUCCESS)
        status = zcs__setup_memory(context, impl);
    if (status == ZCS_SUCCESS) {
        context->info.tier = ZCS_TIER_VULKAN_MAPPED;
        zcs__write_tier_reason(context, impl, tier);
    }
    return status;
}

zcs_status zcs__backend_context_create(zcs_context *context, const zcs__device_choice *device,
                                       zcs_tier tier, const char *tier_source)
{
    if (tier != ZCS_TIER_AUTO && tier != ZCS_TIER_VULKAN_MAPPED)
        return zcs__fail(context, ZCS_ERROR_UNSUPPORTED, 0,
                         "tier %s (forced by %s) is an OpenCL tier; this zcs is built with the "
                         "Vulkan backend, whose only tier is vulkan_mapped",
                         zcs_tier_name(tier), tier_source);

    struct zcs__context_impl *impl = zcs__calloc(1, sizeof *impl);
    if (impl == NULL)
        return zcs__fail(context, ZCS_ERROR_OUT_OF_MEMORY, 0,
                         "zcs_context_create: out of host memory");
    impl->context = context;
    context->impl = impl;

    zcs_status status = zcs__vk_open(context, impl, device, tier, 1);
    if (status == ZCS_SUCCESS) {
        VkDeviceSize block_size = ZCS__VK_BLOCK_SIZE;
        if (block_size > context->info.max_alloc_size)
            block_size = context->info.max_alloc_size / impl->alignment * impl->alignment;
        status = zcs__vk_allocator_init(&impl->allocator, context, impl->device, block_size,
                                        impl->alignment, impl->buffer_usage);
        impl->allocator_ready = status == ZCS_SUCCESS;
    }
    if (status == ZCS_SUCCESS)
        status = zcs__vk_submit_init(impl);
    if (status != ZCS_SUCCESS) {
        zcs__backend_context_destroy(context);
        return status;
    }
    return ZCS_SUCCESS;
}

/* A context that only carries what zcs__vk_open fills; its magic stays 0, so failures are
   recorded on the calling thread alone. */
static zcs_context *zcs__scratch_context(void)
{
    zcs_context *context = zcs__calloc(1, sizeof *context);
    if (context == NULL) {
        zcs__fail(NULL, ZCS_ERROR_OUT_OF_MEMORY, 0, "out of host memory describing a device");
        return NULL;
    }
    context->info.device_name = context->device_name;
    context->info.platform_name = context->platform_name;
    context->info.tier_reason = context->tier_reason;
    struct zcs__context_impl *impl = zcs__calloc(1, sizeof *impl);
    if (impl == NULL) {
        zcs__free(context);
        zcs__fail(NULL, ZCS_ERROR_OUT_OF_MEMORY, 0, "out of host memory describing a device");
        return NULL;
    }
    impl->context = context;
    context->impl = impl;
    return context;
}

static void zcs__scratch_context_destroy(zcs_context *context)
{
    zcs__backend_context_destroy(context);
    zcs__free(context);
}

zcs_status zcs__backend_device_count(uint32_t *out_count)
{
    zcs_context *context = zcs__scratch_context();
    if (context == NULL)
        return ZCS_ERROR_OUT_OF_MEMORY;
    uint32_t version = 0;
    zcs__vk_candidate *candidates = NULL;
    uint32_t count = 0;
    zcs_status status = zcs__create_instance(context, context->impl, &version, 0);
    if (status == ZCS_SUCCESS)
        status = zcs__list_devices(context, context->impl, version, "", &candidates, &count);
    zcs__free(candidates);
    zcs__scratch_context_destroy(context);
    if (status == ZCS_SUCCESS)
        *out_count = count;
    return status;
}

zcs_status zcs__backend_device_info(uint32_t index, zcs_device_info *out)
{
    zcs_context *context = zcs__scratch_context();
    if (context == NULL)
        return ZCS_ERROR_OUT_OF_MEMORY;
    struct zcs__context_impl *impl = context->impl;
    uint32_t version = 0;
    zcs__vk_candidate *candidates = NULL;
    uint32_t count = 0;
    zcs_status status = zcs__create_instance(context, impl, &version, 0);
    if (status == ZCS_SUCCESS)
        status = zcs__list_devices(context, impl, version, "", &candidates, &count);
    if (status == ZCS_SUCCESS && index >= count)
        status = zcs__fail(NULL, ZCS_ERROR_INVALID_ARGUMENT, 0,
                           "zcs_device_get_info: device index %u is past the last device: Vulkan "
                           "lists %u device%s (index 0 to %u)",
                           (unsigned)index, count, count == 1 ? "" : "s", count - 1);
    if (status == ZCS_SUCCESS) {
        const zcs__vk_candidate *c = &candidates[index];
        const VkPhysicalDeviceProperties *p = &c->properties;
        zcs__copy_string(out->name, sizeof out->name, p->deviceName);
        zcs__copy_string(out->platform_name, sizeof out->platform_name, c->platform);
        zcs__copy_string(out->driver_version, sizeof out->driver_version, c->driver);
        snprintf(out->api_version, sizeof out->api_version, "Vulkan %u.%u.%u",
                 VK_API_VERSION_MAJOR(p->apiVersion), VK_API_VERSION_MINOR(p->apiVersion),
                 VK_API_VERSION_PATCH(p->apiVersion));
        switch (p->deviceType) {
        case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU:
            out->type = ZCS_DEVICE_TYPE_INTEGRATED_GPU;
            break;
        case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU:
            out->type = ZCS_DEVICE_TYPE_DISCRETE_GPU;
            break;
        case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU:
            out->type = ZCS_DEVICE_TYPE_VIRTUAL_GPU;
            break;
        case VK_PHYSICAL_DEVICE_TYPE_CPU:
            out->type = ZCS_DEVICE_TYPE_CPU;
            break;
        default:
            out->type = ZCS_DEVICE_TYPE_OTHER;
            break;
        }
        out->is_gpu = out->type == ZCS_DEVICE_TYPE_INTEGRATED_GPU ||
                      out->type == ZCS_DEVICE_TYPE_DISCRETE_GPU ||
                      out->type == ZCS_DEVICE_TYPE_VIRTUAL_GPU;
        out->is_default = zcs__best_device(candidates, count) == index;
        out->validation_layer_available = zcs__vk_validation_layer_available();
        if (c->refusal != NULL)
            zcs__copy_string(out->refusal, sizeof out->refusal, c->refusal);
    }
    int usable = status == ZCS_SUCCESS && candidates[index].refusal == NULL;
    zcs__free(candidates);
    zcs__scratch_context_destroy(context);
    if (!usable)
        return status;

    /* Open the device as a context would, on a fresh instance (the one above is gone). */
    context = zcs__scratch_context();
    if (context == NULL)
        return ZCS_ERROR_OUT_OF_MEMORY;
    zcs__device_choice choice = {"", index, "zcs_device_get_info"};
    status = zcs__vk_open(context, context->impl, &choice, ZCS_TIER_AUTO, 0);
    if (status == ZCS_SUCCESS) {
        out->unified_memory = context->info.unified_memory;
        out->tiers = ZCS_TIER_BIT(ZCS_TIER_VULKAN_MAPPED);
        out->tier = context->info.tier;
        zcs__copy_string(out->tier_reason, sizeof out->tier_reason, context->tier_reason);
        out->alignment = context->info.alignment;
        out->limits = context->info.limits;
    }
    zcs__scratch_context_destroy(context);
    return status;
}

void zcs__backend_context_destroy(zcs_context *context)
{
    struct zcs__context_impl *impl = context->impl;
    if (impl == NULL)
        return;
    if (impl->device != VK_NULL_HANDLE) {
        zcs__vk_submit_destroy(impl);
        if (impl->allocator_ready)
            zcs__vk_allocator_destroy(&impl->allocator);
        zcs__vk.vkDestroyDevice(impl->device, NULL);
    }
    if (impl->messenger != VK_NULL_HANDLE)
        zcs__vk.vkDestroyDebugUtilsMessengerEXT(impl->instance, impl->messenger, NULL);
    if (impl->instance != VK_NULL_HANDLE)
        zcs__vk.vkDestroyInstance(impl->instance, NULL);
    zcs__free(impl);
    context->impl = NULL;
}
