/* Validation layers and the debug-utils messenger (see validation.h). */
#define _GNU_SOURCE /* RTLD_NOLOAD, RTLD_NODELETE */
#include <dlfcn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vulkan/internal.h"
#include "vulkan/validation.h"

static const char zcs__validation_layer[] = "VK_LAYER_KHRONOS_validation";

/* Every message of the process, whichever context it was for: the tests also check the
   ones reported at vkDestroyDevice and vkDestroyInstance, after the context's statistics
   can no longer be read. */
static atomic_uint_fast64_t zcs__validation_message_count;

void zcs__vk_validation_pin_layer(void)
{
    /* The loader unloads the layer at vkDestroyInstance; its own leaks then show up in
       LeakSanitizer reports as "<unknown module>", which no suppression can name. Mark
       the already loaded layer NODELETE (NOLOAD: nothing new is loaded) so reports name
       libVkLayer_khronos_validation.so. */
    void *handle =
        dlopen("libVkLayer_khronos_validation.so", RTLD_LAZY | RTLD_NOLOAD | RTLD_NODELETE);
    if (handle != NULL)
        dlclose(handle);
}

uint64_t zcs__vk_validation_messages(void)
{
    return (uint64_t)atomic_load(&zcs__validation_message_count);
}

static VKAPI_ATTR VkBool32 VKAPI_CALL zcs__vk_debug_callback(
    VkDebugUtilsMessageSeverityFlagBitsEXT severity, VkDebugUtilsMessageTypeFlagsEXT types,
    const VkDebugUtilsMessengerCallbackDataEXT *data, void *user_data)
{
    (void)types;
    if ((severity & (VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT |
                     VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT)) == 0)
        return VK_FALSE;
    atomic_fetch_add(&zcs__validation_message_count, 1);
    /* The user data is the context's impl, from vkCreateInstance (whose chained messenger
       reports it) to vkDestroyInstance, so each context counts its own messages. */
    const struct zcs__context_impl *impl = user_data;
    if (impl != NULL && impl->context != NULL) {
        zcs_context *context = impl->context;
        /* Atomic, not under context->lock: the layer calls back from inside any Vulkan
           call, also one the core makes with that lock held. */
        atomic_fetch_add(&context->validation_messages, 1);
    }
    fprintf(stderr, "zcs: Vulkan validation %s: %s\n",
            (severity & VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT) ? "ERROR" : "WARNING",
            data != NULL && data->pMessage != NULL ? data->pMessage : "(no message)");
    /* VK_FALSE: the call that triggered the message goes on, as without the layer. */
    return VK_FALSE;
}

static int zcs__has_extension(const VkExtensionProperties *list, uint32_t count, const char *name)
{
    for (uint32_t i = 0; i < count; i++) {
        if (strcmp(list[i].extensionName, name) == 0)
            return 1;
    }
    return 0;
}

/* Whether `layer` (NULL: the loader and implicit layers) offers extension `name`. */
static int zcs__instance_extension_available(const char *layer, const char *name)
{
    uint32_t count = 0;
    if (zcs__vk.vkEnumerateInstanceExtensionProperties(layer, &count, NULL) != VK_SUCCESS ||
        count == 0)
        return 0;
    VkExtensionProperties *list = zcs__calloc(count, sizeof *list);
    if (list == NULL)
        return 0;
    int found = 0;
    VkResult result = zcs__vk.vkEnumerateInstanceExtensionProperties(layer, &count, list);
    if (result == VK_SUCCESS || result == VK_INCOMPLETE)
        found = zcs__has_extension(list, count, name);
    zcs__free(list);
    return found;
}

static int zcs__layer_available(const char *name)
{
    uint32_t count = 0;
    if (zcs__vk.vkEnumerateInstanceLayerProperties(&count, NULL) != VK_SUCCESS || count == 0)
        return 0;
    VkLayerProperties *list = zcs__calloc(count, sizeof *list);
    if (list == NULL)
        return 0;
    int found = 0;
    VkResult result = zcs__vk.vkEnumerateInstanceLayerProperties(&count, list);
    if (result == VK_SUCCESS || result == VK_INCOMPLETE) {
        for (uint32_t i = 0; i < count && !found; i++)
            found = strcmp(list[i].layerName, name) == 0;
    }
    zcs__free(list);
    return found;
}

int zcs__vk_validation_layer_available(void)
{
    return zcs__vk_api_load_global() && zcs__layer_available(zcs__validation_layer);
}

void zcs__vk_validation_prepare(zcs__vk_validation_setup *setup)
{
    memset(setup, 0, sizeof *setup);
    const char *env = getenv("ZCS_VULKAN_VALIDATION");
    if (env == NULL || env[0] == '\0' || strcmp(env, "0") == 0)
        return;
    if (!zcs__layer_available(zcs__validation_layer)) {
        fprintf(stderr,
                "zcs: ZCS_VULKAN_VALIDATION=%s but the Vulkan loader finds no %s (Debian: "
                "install vulkan-validationlayers; check VK_LAYER_PATH); running without "
                "validation\n",
                env, zcs__validation_layer);
        return;
    }
    if (!zcs__instance_extension_available(NULL, VK_EXT_DEBUG_UTILS_EXTENSION_NAME) &&
        !zcs__instance_extension_available(zcs__validation_layer,
                                           VK_EXT_DEBUG_UTILS_EXTENSION_NAME)) {
        fprintf(stderr,
                "zcs: ZCS_VULKAN_VALIDATION=%s but %s is not offered, so messages could "
                "not be counted; running without validation\n",
                env, VK_EXT_DEBUG_UTILS_EXTENSION_NAME);
        return;
    }
    setup->enabled = 1;
    setup->layers[setup->layer_count++] = zcs__validation_layer;
    setup->extensions[setup->extension_count++] = VK_EXT_DEBUG_UTILS_EXTENSION_NAME;

    /* The messenger given at instance creation also sees vkCreateInstance and
       vkDestroyInstance; the same settings make the lasting messenger. */
    setup->messenger_info.sType = VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT;
    setup->messenger_info.messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT |
                                            VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT;
    setup->messenger_info.messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT |
                                        VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT |
                                        VK_DEBUG_UTILS_MESSAGE_TYPE_PERFORMANCE_BIT_EXT;
    setup->messenger_info.pfnUserCallback = zcs__vk_debug_callback;

    /* Synchronization validation checks the barriers between host writes, dispatches
       and host reads, which are the heart of zero-copy sharing. */
    if (zcs__instance_extension_available(zcs__validation_layer,
                                          VK_EXT_VALIDATION_FEATURES_EXTENSION_NAME)) {
        setup->extensions[setup->extension_count++] = VK_EXT_VALIDATION_FEATURES_EXTENSION_NAME;
        setup->feature_enables[0] = VK_VALIDATION_FEATURE_ENABLE_SYNCHRONIZATION_VALIDATION_EXT;
        setup->features.sType = VK_STRUCTURE_TYPE_VALIDATION_FEATURES_EXT;
        setup->features.enabledValidationFeatureCount = 1;
        setup->features.pEnabledValidationFeatures = setup->feature_enables;
        setup->messenger_info.pNext = &setup->features;
    }
}
