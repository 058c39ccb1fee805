/*
 * Vulkan devices: the instance (with validation when asked), enumeration, inspection and
 * the automatic choice, shared by zcs_device_count, zcs_device_get_info and context
 * creation, so a device's description equals what a context on it reports.
 */
#include <stdio.h>
#include <string.h>

#include "vulkan/internal.h"
#include "vulkan/validation.h"

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
    if (zcs__vk_choose_memory_type(&memory, UINT32_MAX, 0) == VK_MAX_MEMORY_TYPES) {
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

/* Fill impl and context from the candidate of index `index` (choice or attach). */
static void zcs__take_candidate(zcs_context *context, struct zcs__context_impl *impl,
                                const zcs__vk_candidate *c, uint32_t index,
                                uint32_t instance_version)
{
    impl->physical_device = c->device;
    impl->properties = c->properties;
    impl->queue_family = c->queue_family;
    impl->api_version =
        c->properties.apiVersion < instance_version ? c->properties.apiVersion : instance_version;
    zcs__copy_string(context->device_name, sizeof context->device_name, c->properties.deviceName);
    zcs__copy_string(context->platform_name, sizeof context->platform_name, c->platform);
    zcs__vk.vkGetPhysicalDeviceMemoryProperties(c->device, &impl->memory_properties);
    context->info.device_index = index;
}

zcs_status zcs__vk_choose_device(zcs_context *context, struct zcs__context_impl *impl,
                                 uint32_t instance_version, const zcs__device_choice *choice)
{
    zcs__vk_candidate *candidates = NULL;
    uint32_t count = 0;
    uint32_t chosen = 0;
    zcs_status status =
        zcs__choose_device(context, impl, instance_version, choice, &candidates, &count, &chosen);
    if (status != ZCS_SUCCESS)
        return status;
    zcs__take_candidate(context, impl, &candidates[chosen], chosen, instance_version);
    zcs__free(candidates);
    return ZCS_SUCCESS;
}

zcs_status zcs__vk_adopt_device(zcs_context *context, struct zcs__context_impl *impl,
                                VkPhysicalDevice physical_device, uint32_t api_version,
                                uint32_t queue_family, uint32_t queue_index)
{
    const char *function = "zcs_vulkan_context_attach";
    zcs__vk_candidate *candidates = NULL;
    uint32_t count = 0;
    zcs_status status = zcs__list_devices(context, impl, api_version, "", &candidates, &count);
    if (status != ZCS_SUCCESS)
        return status;
    uint32_t index = UINT32_MAX;
    for (uint32_t i = 0; i < count && index == UINT32_MAX; i++) {
        if (candidates[i].device == physical_device)
            index = i;
    }
    zcs__vk_candidate *c = index != UINT32_MAX ? &candidates[index] : NULL;
    if (c == NULL) {
        status = zcs__fail(context, ZCS_ERROR_INVALID_ARGUMENT, 0,
                           "%s: desc->physical_device is not one of desc->instance's %u "
                           "physical device%s (vkEnumeratePhysicalDevices)",
                           function, count, count == 1 ? "" : "s");
    } else if (c->refusal != NULL) {
        status = zcs__fail(context, ZCS_ERROR_UNSUPPORTED, 0, "%s: zcs cannot use \"%s\": %s",
                           function, c->properties.deviceName, c->refusal);
    } else {
        uint32_t family_count = 0;
        zcs__vk.vkGetPhysicalDeviceQueueFamilyProperties(physical_device, &family_count, NULL);
        VkQueueFamilyProperties families[32];
        if (family_count > 32)
            family_count = 32;
        zcs__vk.vkGetPhysicalDeviceQueueFamilyProperties(physical_device, &family_count, families);
        if (queue_family >= family_count)
            status = zcs__fail(context, ZCS_ERROR_INVALID_ARGUMENT, 0,
                               "%s: desc->queue_family_index %u: \"%s\" has %u queue "
                               "famil%s",
                               function, (unsigned)queue_family, c->properties.deviceName,
                               family_count, family_count == 1 ? "y" : "ies");
        else if ((families[queue_family].queueFlags & VK_QUEUE_COMPUTE_BIT) == 0)
            status = zcs__fail(context, ZCS_ERROR_UNSUPPORTED, 0,
                               "%s: queue family %u of \"%s\" has no compute "
                               "(VK_QUEUE_COMPUTE_BIT); zcs submits compute work",
                               function, (unsigned)queue_family, c->properties.deviceName);
        else if (queue_index >= families[queue_family].queueCount)
            status = zcs__fail(context, ZCS_ERROR_INVALID_ARGUMENT, 0,
                               "%s: desc->queue_index %u: queue family %u has %u queue%s", function,
                               (unsigned)queue_index, (unsigned)queue_family,
                               families[queue_family].queueCount,
                               families[queue_family].queueCount == 1 ? "" : "s");
        c->queue_family = queue_family;
    }
    if (status == ZCS_SUCCESS)
        zcs__take_candidate(context, impl, c, index, api_version);
    zcs__free(candidates);
    return status;
}

zcs_status zcs__vk_create_instance(zcs_context *context, struct zcs__context_impl *impl,
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
    /* Messages lead to the context, which counts its own (zcs_stats.validation_messages),
       from vkCreateInstance to vkDestroyInstance. */
    validation.messenger_info.pUserData = impl;
    if (allow_validation)
        context->info.validation_layer = validation.enabled;
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
    zcs_status status = zcs__vk_create_instance(context, context->impl, &version, 0);
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
    zcs_status status = zcs__vk_create_instance(context, impl, &version, 0);
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
        out->tiers = ZCS_TIER_BIT(ZCS_TIER_VULKAN_MAPPED) | ZCS_TIER_BIT(ZCS_TIER_STAGED);
        out->tier = context->info.tier;
        zcs__copy_string(out->tier_reason, sizeof out->tier_reason, context->tier_reason);
        out->alignment = context->info.alignment;
        out->limits = context->info.limits;
    }
    zcs__scratch_context_destroy(context);
    return status;
}
