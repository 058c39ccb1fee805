/*
 * Vulkan backend: zcs inside a Vulkan application (zcs/zcs_vulkan.h): attaching to the
 * application's instance, physical device, device and queue (context.c then sets up the
 * context as on its own device), and the native objects of contexts and arrays.
 */
#include "core/checks.h"
#include "vulkan/internal.h"
#include "zcs/zcs_vulkan.h"

/* Features of Vulkan 1.2. */
#define ZCS__VK_FEATURES_1_2                                                                       \
    (ZCS_VULKAN_FEATURE_BUFFER_DEVICE_ADDRESS | ZCS_VULKAN_FEATURE_TIMELINE_SEMAPHORE)
#define ZCS__VK_KNOWN_FEATURES (ZCS__VK_FEATURES_1_2 | ZCS__VK_IMPORT_FEATURES)

zcs_status zcs_vulkan_context_attach(const zcs_vulkan_attach_desc *desc, zcs_context **out_context)
{
    return zcs__context_attach(
        "zcs_vulkan_context_attach", desc, desc != NULL ? desc->tier : ZCS_TIER_AUTO,
        desc != NULL ? desc->flags : 0, desc != NULL ? desc->wait : ZCS_WAIT_AUTO,
        desc != NULL ? desc->wait_poll_us : 0, out_context);
}

/* The declared features against what the physical device offers. */
static zcs_status zcs__vk_check_features(zcs_context *context, struct zcs__context_impl *impl,
                                         const zcs_vulkan_attach_desc *desc)
{
    const char *function = "zcs_vulkan_context_attach";
    if ((desc->features & ~(uint32_t)ZCS__VK_KNOWN_FEATURES) != 0)
        return zcs__fail(context, ZCS_ERROR_INVALID_ARGUMENT, 0,
                         "%s: unknown bits 0x%x in desc->features", function,
                         (unsigned)(desc->features & ~(uint32_t)ZCS__VK_KNOWN_FEATURES));
    uint32_t features12 = desc->features & (uint32_t)ZCS__VK_FEATURES_1_2;
    if (features12 != 0) {
        const char *first = (features12 & ZCS_VULKAN_FEATURE_BUFFER_DEVICE_ADDRESS)
                                ? "ZCS_VULKAN_FEATURE_BUFFER_DEVICE_ADDRESS"
                                : "ZCS_VULKAN_FEATURE_TIMELINE_SEMAPHORE";
        if (impl->api_version < VK_API_VERSION_1_2)
            return zcs__fail(context, ZCS_ERROR_INVALID_ARGUMENT, 0,
                             "%s: desc->features has %s, a Vulkan 1.2 feature, but Vulkan %u.%u "
                             "is used (the lower of desc->vulkan_api_version and the device's)",
                             function, first, VK_API_VERSION_MAJOR(impl->api_version),
                             VK_API_VERSION_MINOR(impl->api_version));
        VkPhysicalDeviceVulkan12Features supported12 = {
            .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES,
        };
        VkPhysicalDeviceFeatures2 supported = {
            .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2,
            .pNext = &supported12,
        };
        zcs__vk.vkGetPhysicalDeviceFeatures2(impl->physical_device, &supported);
        if ((features12 & ZCS_VULKAN_FEATURE_BUFFER_DEVICE_ADDRESS) &&
            (!supported12.bufferDeviceAddress || zcs__vk.vkGetBufferDeviceAddress == NULL))
            return zcs__fail(context, ZCS_ERROR_INVALID_ARGUMENT, 0,
                             "%s: desc->features has ZCS_VULKAN_FEATURE_BUFFER_DEVICE_ADDRESS "
                             "but \"%s\" does not offer bufferDeviceAddress",
                             function, impl->properties.deviceName);
        if ((features12 & ZCS_VULKAN_FEATURE_TIMELINE_SEMAPHORE) && !supported12.timelineSemaphore)
            return zcs__fail(context, ZCS_ERROR_INVALID_ARGUMENT, 0,
                             "%s: desc->features has ZCS_VULKAN_FEATURE_TIMELINE_SEMAPHORE but "
                             "\"%s\" does not offer timelineSemaphore",
                             function, impl->properties.deviceName);
    }
    /* The external-memory extensions need Vulkan 1.1 only, which the attach checked. */
    zcs_status status = zcs__vk_attach_imports(context, impl, desc->features);
    if (status != ZCS_SUCCESS)
        return status;
    impl->buffer_device_address = (features12 & ZCS_VULKAN_FEATURE_BUFFER_DEVICE_ADDRESS) != 0;
    impl->timeline_semaphores = (features12 & ZCS_VULKAN_FEATURE_TIMELINE_SEMAPHORE) != 0;
    return ZCS_SUCCESS;
}

zcs_status zcs__vk_attach(zcs_context *context, struct zcs__context_impl *impl,
                          const void *native_desc)
{
    const zcs_vulkan_attach_desc *desc = native_desc;
    const char *function = "zcs_vulkan_context_attach";
    /* From here on the objects are the application's: destroy never touches them. */
    impl->attached = 1;
    if (desc->instance == VK_NULL_HANDLE || desc->physical_device == VK_NULL_HANDLE ||
        desc->device == VK_NULL_HANDLE)
        return zcs__fail(context, ZCS_ERROR_NULL_HANDLE, 0, "%s: desc->%s is VK_NULL_HANDLE",
                         function,
                         desc->instance == VK_NULL_HANDLE          ? "instance"
                         : desc->physical_device == VK_NULL_HANDLE ? "physical_device"
                                                                   : "device");
    uint32_t version =
        desc->vulkan_api_version != 0 ? desc->vulkan_api_version : VK_API_VERSION_1_0;
    if (version < VK_API_VERSION_1_1)
        return zcs__fail(context, ZCS_ERROR_UNSUPPORTED, 0,
                         "%s: desc->vulkan_api_version is Vulkan %u.%u; zcs needs Vulkan 1.1 "
                         "(VkApplicationInfo.apiVersion and the device's, 0 meaning 1.0)",
                         function, VK_API_VERSION_MAJOR(version), VK_API_VERSION_MINOR(version));
    /* The loader's entry points, reached through the application's instance (trampolines
       that serve every instance and device). */
    if (!zcs__vk_api_load_global())
        return zcs__fail(context, ZCS_ERROR_BACKEND, 0,
                         "the Vulkan loader lacks vkCreateInstance or another global function");
    const char *missing = zcs__vk_api_load_instance(desc->instance);
    if (missing != NULL)
        return zcs__fail(context, ZCS_ERROR_BACKEND, 0,
                         "the Vulkan loader does not provide %s (Vulkan 1.1 is needed)", missing);
    impl->instance = desc->instance;
    zcs_status status = zcs__vk_adopt_device(context, impl, desc->physical_device, version,
                                             desc->queue_family_index, desc->queue_index);
    if (status == ZCS_SUCCESS)
        status = zcs__vk_check_features(context, impl, desc);
    if (status != ZCS_SUCCESS)
        return status;
    impl->device = desc->device;
    zcs__vk.vkGetDeviceQueue(impl->device, impl->queue_family, desc->queue_index, &impl->queue);
    return ZCS_SUCCESS;
}

zcs_status zcs_vulkan_context_native(zcs_context *context_handle,
                                     zcs_vulkan_context_objects *out_objects)
{
    ZCS__RESOLVE_CONTEXT(context, context_handle, "zcs_vulkan_context_native");
    if (out_objects == NULL)
        return zcs__fail(context, ZCS_ERROR_NULL_HANDLE, 0,
                         "zcs_vulkan_context_native: out_objects is NULL");
    const struct zcs__context_impl *impl = context->impl;
    out_objects->instance = impl->instance;
    out_objects->physical_device = impl->physical_device;
    out_objects->device = impl->device;
    out_objects->queue = impl->queue;
    out_objects->queue_family_index = impl->queue_family;
    out_objects->vulkan_api_version = impl->api_version;
    out_objects->features =
        (impl->buffer_device_address ? (uint32_t)ZCS_VULKAN_FEATURE_BUFFER_DEVICE_ADDRESS : 0u) |
        (impl->timeline_semaphores ? (uint32_t)ZCS_VULKAN_FEATURE_TIMELINE_SEMAPHORE : 0u) |
        (impl->memory_host ? (uint32_t)ZCS_VULKAN_FEATURE_EXTERNAL_MEMORY_HOST : 0u) |
        (impl->memory_fd ? (uint32_t)ZCS_VULKAN_FEATURE_EXTERNAL_MEMORY_FD : 0u) |
        (impl->memory_dma_buf ? (uint32_t)ZCS_VULKAN_FEATURE_EXTERNAL_MEMORY_DMA_BUF : 0u);
    return ZCS_SUCCESS;
}

zcs_status zcs_vulkan_array_native(zcs_array *handle, zcs_vulkan_array_objects *out_objects)
{
    ZCS__CLAIM(zcs_array, array, handle, ZCS__MAGIC_ARRAY, 1, "array", "zcs_vulkan_array_native");
    zcs_status status = ZCS_SUCCESS;
    if (out_objects == NULL) {
        status = zcs__fail(array->context, ZCS_ERROR_NULL_HANDLE, 0,
                           "zcs_vulkan_array_native: out_objects is NULL");
    } else {
        uint64_t address = 0;
        if (array->context->impl->buffer_device_address)
            status = zcs__backend_array_device_address(array, &address);
        if (status == ZCS_SUCCESS && array->tier == ZCS_TIER_STAGED) {
            /* The application may use the buffer from now on: the array's unmaps copy to
               it at once, and one left for a dispatch is submitted now. */
            pthread_mutex_lock(&array->context->impl->submit_lock);
            array->impl->shared = 1;
            zcs__readahead_forget(&array->impl->readahead);
            pthread_mutex_unlock(&array->context->impl->submit_lock);
            status = zcs__vk_staged_flush(array);
        }
        if (status == ZCS_SUCCESS) {
            out_objects->buffer = array->impl->allocation.block->buffer;
            out_objects->offset = array->impl->array_offset;
            out_objects->range = array->size;
            out_objects->device_address = (VkDeviceAddress)address;
        }
    }
    zcs__handle_release(handle);
    return status;
}
