/*
 * The one table of Vulkan entry points the backend calls (volk-style). Every Vulkan
 * call of src/vulkan/ goes through zcs__vk, so a test can replace any entry with a
 * function that fails and watch the backend clean up and report.
 *
 * Loading: global functions come from vkGetInstanceProcAddr(NULL, ...) on first use,
 * instance and device functions from vkGetInstanceProcAddr(instance, ...) when the
 * first instance exists (the loader's trampolines, valid for every instance and device,
 * so one table serves every context). Loading fills only NULL entries: an entry a test
 * replaced stays replaced.
 */
#ifndef ZCS_VULKAN_VK_API_H
#define ZCS_VULKAN_VK_API_H

#include <vulkan/vulkan.h>

/* Functions loaded without an instance. */
#define ZCS__VK_GLOBAL_FUNCTIONS(X)                                                                \
    X(vkCreateInstance)                                                                            \
    X(vkEnumerateInstanceExtensionProperties)                                                      \
    X(vkEnumerateInstanceLayerProperties)                                                          \
    X(vkEnumerateInstanceVersion)

/* Core instance and device functions (Vulkan 1.0 and 1.1). */
#define ZCS__VK_INSTANCE_FUNCTIONS(X)                                                              \
    X(vkDestroyInstance)                                                                           \
    X(vkEnumeratePhysicalDevices)                                                                  \
    X(vkGetPhysicalDeviceProperties)                                                               \
    X(vkGetPhysicalDeviceProperties2)                                                              \
    X(vkGetPhysicalDeviceFeatures2)                                                                \
    X(vkGetPhysicalDeviceQueueFamilyProperties)                                                    \
    X(vkGetPhysicalDeviceMemoryProperties)                                                         \
    X(vkCreateDevice)                                                                              \
    X(vkDestroyDevice)                                                                             \
    X(vkGetDeviceQueue)                                                                            \
    X(vkDeviceWaitIdle)                                                                            \
    X(vkAllocateMemory)                                                                            \
    X(vkFreeMemory)                                                                                \
    X(vkMapMemory)                                                                                 \
    X(vkUnmapMemory)                                                                               \
    X(vkFlushMappedMemoryRanges)                                                                   \
    X(vkInvalidateMappedMemoryRanges)                                                              \
    X(vkCreateBuffer)                                                                              \
    X(vkDestroyBuffer)                                                                             \
    X(vkGetBufferMemoryRequirements)                                                               \
    X(vkBindBufferMemory)                                                                          \
    X(vkCreateShaderModule)                                                                        \
    X(vkDestroyShaderModule)                                                                       \
    X(vkCreateDescriptorSetLayout)                                                                 \
    X(vkDestroyDescriptorSetLayout)                                                                \
    X(vkCreatePipelineLayout)                                                                      \
    X(vkDestroyPipelineLayout)                                                                     \
    X(vkCreateComputePipelines)                                                                    \
    X(vkDestroyPipeline)                                                                           \
    X(vkCreateDescriptorPool)                                                                      \
    X(vkDestroyDescriptorPool)                                                                     \
    X(vkResetDescriptorPool)                                                                       \
    X(vkAllocateDescriptorSets)                                                                    \
    X(vkUpdateDescriptorSets)                                                                      \
    X(vkCreateCommandPool)                                                                         \
    X(vkDestroyCommandPool)                                                                        \
    X(vkResetCommandPool)                                                                          \
    X(vkAllocateCommandBuffers)                                                                    \
    X(vkBeginCommandBuffer)                                                                        \
    X(vkEndCommandBuffer)                                                                          \
    X(vkCmdBindPipeline)                                                                           \
    X(vkCmdBindDescriptorSets)                                                                     \
    X(vkCmdPushConstants)                                                                          \
    X(vkCmdPipelineBarrier)                                                                        \
    X(vkCmdDispatchBase)                                                                           \
    X(vkCreateFence)                                                                               \
    X(vkDestroyFence)                                                                              \
    X(vkWaitForFences)                                                                             \
    X(vkResetFences)                                                                               \
    X(vkQueueSubmit)

/* Extension functions, and Vulkan 1.2 ones: NULL where the instance lacks them. */
#define ZCS__VK_EXTENSION_FUNCTIONS(X)                                                             \
    X(vkCreateDebugUtilsMessengerEXT)                                                              \
    X(vkDestroyDebugUtilsMessengerEXT)                                                             \
    X(vkGetBufferDeviceAddress)

typedef struct zcs__vk_api {
#define ZCS__VK_API_MEMBER_(name) PFN_##name name;
    ZCS__VK_GLOBAL_FUNCTIONS(ZCS__VK_API_MEMBER_)
    ZCS__VK_INSTANCE_FUNCTIONS(ZCS__VK_API_MEMBER_)
    ZCS__VK_EXTENSION_FUNCTIONS(ZCS__VK_API_MEMBER_)
#undef ZCS__VK_API_MEMBER_
} zcs__vk_api;

/* The table itself. Tests may overwrite entries (and must restore them). */
extern zcs__vk_api zcs__vk;

/*
 * The table with its global functions loaded; instance functions are loaded once a
 * context exists (create one first to save the originals before replacing entries).
 */
zcs__vk_api *zcs__vk_api_table(void);

/*
 * Load the global functions into the NULL entries. Returns 0 if a required one is
 * missing (a broken loader), else 1.
 */
int zcs__vk_api_load_global(void);

/*
 * Load instance and device functions through `instance` into the NULL entries. Returns
 * the name of the first core function the loader does not provide, or NULL when all
 * are there (extension functions may stay NULL).
 */
const char *zcs__vk_api_load_instance(VkInstance instance);

#endif /* ZCS_VULKAN_VK_API_H */
