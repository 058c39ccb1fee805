/*
 * Khronos validation layers for the tests: ZCS_VULKAN_VALIDATION=1 enables
 * VK_LAYER_KHRONOS_validation (with synchronization validation) and a VK_EXT_debug_utils
 * messenger that prints every warning and error and counts it, for its context
 * (zcs_stats.validation_messages, zcs_context_info.validation_layer) and the process.
 */
#ifndef ZCS_VULKAN_VALIDATION_H
#define ZCS_VULKAN_VALIDATION_H

#include <stdint.h>
#include <vulkan/vulkan.h>

/*
 * Warnings and errors the layers reported in this process so far, whatever the context
 * (each context counts its own in zcs_stats.validation_messages; this total also holds
 * those of vkDestroyDevice and vkDestroyInstance, which tests check after
 * zcs_context_destroy).
 */
uint64_t zcs__vk_validation_messages(void);

/* What instance creation enables for validation (everything zero when it is off). */
typedef struct zcs__vk_validation_setup {
    int enabled; /* the layer and the messenger are on */
    const char *layers[1];
    uint32_t layer_count;
    const char *extensions[2];
    uint32_t extension_count;
    VkValidationFeatureEnableEXT feature_enables[1];
    VkValidationFeaturesEXT features;
    VkDebugUtilsMessengerCreateInfoEXT messenger_info;
} zcs__vk_validation_setup;

/*
 * Decide from ZCS_VULKAN_VALIDATION and what the loader offers; fill `setup`, whose
 * chain (messenger_info, then features) goes into VkInstanceCreateInfo.pNext when
 * setup->enabled. The caller sets messenger_info.pUserData to the context's impl. A missing layer
 * is reported on stderr and validation stays off.
 */
void zcs__vk_validation_prepare(zcs__vk_validation_setup *setup);

/* 1 if the loader finds VK_LAYER_KHRONOS_validation (ZCS_VULKAN_VALIDATION=1 would work). */
int zcs__vk_validation_layer_available(void);

/* Keep the loaded validation layer mapped after vkDestroyInstance (for leak reports). */
void zcs__vk_validation_pin_layer(void);

#endif /* ZCS_VULKAN_VALIDATION_H */
