/*
 * Vulkan contexts: the logical device (with the features kernels may use), everything
 * a context shares with device description (zcs__vk_open), and the context's lifetime.
 */
#include "vulkan/internal.h"

const zcs_backend zcs__backend_id = ZCS_BACKEND_VULKAN;

/* Shared blocks of the sub-allocator (smaller where the device allows less). */
#define ZCS__VK_BLOCK_SIZE ((VkDeviceSize)64 << 20)

/* The logical device and its compute queue, with the optional features kernels may use. */
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
        /* Timeline semaphores order zcs's dispatches with the application's work
           (zcs/zcs_vulkan.h); zcs's own waits use fences. */
        .timelineSemaphore = supported12.timelineSemaphore && zcs__vk.vkWaitSemaphores != NULL &&
                             zcs__vk.vkGetSemaphoreCounterValue != NULL,
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
    /* Importing and exporting memory (import.c), where the device offers it. */
    const char *extensions[ZCS__VK_IMPORT_MAX_EXTENSIONS];
    uint32_t extension_count = zcs__vk_import_extensions(impl, extensions);
    VkDeviceCreateInfo info = {
        .sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO,
        .pNext = &enabled,
        .queueCreateInfoCount = 1,
        .pQueueCreateInfos = &queue_info,
        .enabledExtensionCount = extension_count,
        .ppEnabledExtensionNames = extensions,
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
    impl->timeline_semaphores =
        impl->api_version >= VK_API_VERSION_1_2 && enabled12.timelineSemaphore;
    return ZCS_SUCCESS;
}

/* Memory types, limits and the tier reason, once the device is open (own or attached). */
static zcs_status zcs__vk_describe(zcs_context *context, struct zcs__context_impl *impl,
                                   zcs_tier tier)
{
    zcs_status status = zcs__vk_setup_memory(context, impl);
    if (status == ZCS_SUCCESS) {
        /* Staged where forced, or automatically on a device with memory of its own, where
           streamed arrays keep the zero-copy tier. */
        int staged =
            tier == ZCS_TIER_STAGED || (tier == ZCS_TIER_AUTO && !context->info.unified_memory);
        context->info.tier = staged ? ZCS_TIER_STAGED : ZCS_TIER_VULKAN_MAPPED;
        if (staged && tier == ZCS_TIER_AUTO)
            context->streamed_tier = ZCS_TIER_VULKAN_MAPPED;
        zcs__vk_write_tier_reason(context, impl, tier);
    }
    return status;
}

/*
 * Everything context creation and device description share: instance, device choice,
 * logical device, memory types, limits and the tier reason, into context->info.
 * The caller destroys impl (zcs__backend_context_destroy) whatever the status.
 */
zcs_status zcs__vk_open(zcs_context *context, struct zcs__context_impl *impl,
                        const zcs__device_choice *choice, zcs_tier tier, int allow_validation)
{
    uint32_t version = 0;
    zcs_status status = zcs__vk_create_instance(context, impl, &version, allow_validation);
    if (status == ZCS_SUCCESS)
        status = zcs__vk_choose_device(context, impl, version, choice);
    if (status == ZCS_SUCCESS)
        status = zcs__create_device(context, impl);
    if (status == ZCS_SUCCESS)
        status = zcs__vk_describe(context, impl, tier);
    return status;
}

zcs_status zcs__vk_start(zcs_context *context, struct zcs__context_impl *impl, zcs_tier tier)
{
    zcs_status status = zcs__vk_describe(context, impl, tier);
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
    if (status == ZCS_SUCCESS)
        status = zcs__vk_ordering_init(impl);
    return status;
}

/* A new impl for `context`, or NULL (the failure recorded). */
static struct zcs__context_impl *zcs__vk_new_impl(zcs_context *context)
{
    struct zcs__context_impl *impl = zcs__calloc(1, sizeof *impl);
    if (impl == NULL) {
        zcs__fail(context, ZCS_ERROR_OUT_OF_MEMORY, 0, "creating a context: out of host memory");
        return NULL;
    }
    impl->context = context;
    context->impl = impl;
    return impl;
}

zcs_status zcs__backend_context_create(zcs_context *context, const zcs__device_choice *device,
                                       zcs_tier tier, const char *tier_source)
{
    /* The core refuses the other backend's tiers: tier is auto, vulkan_mapped or staged,
       which every device that zcs__vk_open accepts has. */
    (void)tier_source;
    struct zcs__context_impl *impl = zcs__vk_new_impl(context);
    if (impl == NULL)
        return ZCS_ERROR_OUT_OF_MEMORY;
    uint32_t version = 0;
    zcs_status status = zcs__vk_create_instance(context, impl, &version, 1);
    if (status == ZCS_SUCCESS)
        status = zcs__vk_choose_device(context, impl, version, device);
    if (status == ZCS_SUCCESS)
        status = zcs__create_device(context, impl);
    if (status == ZCS_SUCCESS)
        status = zcs__vk_start(context, impl, tier);
    if (status != ZCS_SUCCESS)
        zcs__backend_context_destroy(context);
    return status;
}

zcs_status zcs__backend_context_attach(zcs_context *context, const void *native_desc, zcs_tier tier,
                                       const char *tier_source)
{
    (void)tier_source;
    struct zcs__context_impl *impl = zcs__vk_new_impl(context);
    if (impl == NULL)
        return ZCS_ERROR_OUT_OF_MEMORY;
    zcs_status status = zcs__vk_attach(context, impl, native_desc);
    if (status == ZCS_SUCCESS)
        status = zcs__vk_start(context, impl, tier);
    if (status != ZCS_SUCCESS)
        zcs__backend_context_destroy(context);
    return status;
}

void zcs__backend_context_destroy(zcs_context *context)
{
    struct zcs__context_impl *impl = context->impl;
    if (impl == NULL)
        return;
    if (impl->device != VK_NULL_HANDLE) {
        zcs__vk_submit_destroy(impl);
        zcs__vk_ordering_destroy(impl);
        if (impl->allocator_ready)
            zcs__vk_allocator_destroy(&impl->allocator);
        if (!impl->attached)
            zcs__vk.vkDestroyDevice(impl->device, NULL);
    }
    if (impl->attached) {
        /* The application's instance, physical device and device live on. */
        zcs__free(impl);
        context->impl = NULL;
        return;
    }
    if (impl->messenger != VK_NULL_HANDLE)
        zcs__vk.vkDestroyDebugUtilsMessengerEXT(impl->instance, impl->messenger, NULL);
    if (impl->instance != VK_NULL_HANDLE)
        zcs__vk.vkDestroyInstance(impl->instance, NULL);
    zcs__free(impl);
    context->impl = NULL;
}
