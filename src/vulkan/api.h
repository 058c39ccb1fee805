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
#ifndef ZCS_VULKAN_API_H
#define ZCS_VULKAN_API_H

#include <vulkan/vulkan.h>

/*
 * Each list holds X(return type, name, how it fails, (parameters), (arguments)). The
 * lists make the call table below and, in the tests, the fault-injecting wrappers
 * (tests/support/vk_faults.c), so a new call is injectable as soon as it is listed.
 * How a call fails:
 *   RESULT     returns a VkResult error and creates nothing;
 *   PIPELINES  the same, and sets each of the createInfoCount pipelines to
 *              VK_NULL_HANDLE, as the specification says (vkCreateComputePipelines);
 *   NOFAIL     returns nothing (destroy, get, record), or is only used by the tests'
 *              validation layer setup: none is injected.
 * api.c checks at compile time that each signature is the header's PFN_ type.
 */

/* Functions loaded without an instance. */
#define ZCS__VK_GLOBAL_FUNCTIONS(X)                                                                \
    X(VkResult, vkCreateInstance, RESULT,                                                          \
      (const VkInstanceCreateInfo *pCreateInfo, const VkAllocationCallbacks *pAllocator,           \
       VkInstance *pInstance),                                                                     \
      (pCreateInfo, pAllocator, pInstance))                                                        \
    X(VkResult, vkEnumerateInstanceExtensionProperties, RESULT,                                    \
      (const char *pLayerName, uint32_t *pPropertyCount, VkExtensionProperties *pProperties),      \
      (pLayerName, pPropertyCount, pProperties))                                                   \
    X(VkResult, vkEnumerateInstanceLayerProperties, RESULT,                                        \
      (uint32_t * pPropertyCount, VkLayerProperties * pProperties), (pPropertyCount, pProperties)) \
    X(VkResult, vkEnumerateInstanceVersion, RESULT, (uint32_t * pApiVersion), (pApiVersion))

/* Core instance and device functions (Vulkan 1.0 and 1.1). */
#define ZCS__VK_INSTANCE_FUNCTIONS(X)                                                              \
    X(void, vkDestroyInstance, NOFAIL,                                                             \
      (VkInstance instance, const VkAllocationCallbacks *pAllocator), (instance, pAllocator))      \
    X(VkResult, vkEnumeratePhysicalDevices, RESULT,                                                \
      (VkInstance instance, uint32_t * pPhysicalDeviceCount, VkPhysicalDevice * pPhysicalDevices), \
      (instance, pPhysicalDeviceCount, pPhysicalDevices))                                          \
    X(void, vkGetPhysicalDeviceProperties, NOFAIL,                                                 \
      (VkPhysicalDevice physicalDevice, VkPhysicalDeviceProperties * pProperties),                 \
      (physicalDevice, pProperties))                                                               \
    X(void, vkGetPhysicalDeviceProperties2, NOFAIL,                                                \
      (VkPhysicalDevice physicalDevice, VkPhysicalDeviceProperties2 * pProperties),                \
      (physicalDevice, pProperties))                                                               \
    X(void, vkGetPhysicalDeviceFeatures2, NOFAIL,                                                  \
      (VkPhysicalDevice physicalDevice, VkPhysicalDeviceFeatures2 * pFeatures),                    \
      (physicalDevice, pFeatures))                                                                 \
    X(void, vkGetPhysicalDeviceQueueFamilyProperties, NOFAIL,                                      \
      (VkPhysicalDevice physicalDevice, uint32_t * pQueueFamilyPropertyCount,                      \
       VkQueueFamilyProperties * pQueueFamilyProperties),                                          \
      (physicalDevice, pQueueFamilyPropertyCount, pQueueFamilyProperties))                         \
    X(VkResult, vkEnumerateDeviceExtensionProperties, RESULT,                                      \
      (VkPhysicalDevice physicalDevice, const char *pLayerName, uint32_t *pPropertyCount,          \
       VkExtensionProperties *pProperties),                                                        \
      (physicalDevice, pLayerName, pPropertyCount, pProperties))                                   \
    X(void, vkGetPhysicalDeviceMemoryProperties, NOFAIL,                                           \
      (VkPhysicalDevice physicalDevice, VkPhysicalDeviceMemoryProperties * pMemoryProperties),     \
      (physicalDevice, pMemoryProperties))                                                         \
    X(VkResult, vkCreateDevice, RESULT,                                                            \
      (VkPhysicalDevice physicalDevice, const VkDeviceCreateInfo *pCreateInfo,                     \
       const VkAllocationCallbacks *pAllocator, VkDevice *pDevice),                                \
      (physicalDevice, pCreateInfo, pAllocator, pDevice))                                          \
    X(void, vkDestroyDevice, NOFAIL, (VkDevice device, const VkAllocationCallbacks *pAllocator),   \
      (device, pAllocator))                                                                        \
    X(void, vkGetDeviceQueue, NOFAIL,                                                              \
      (VkDevice device, uint32_t queueFamilyIndex, uint32_t queueIndex, VkQueue * pQueue),         \
      (device, queueFamilyIndex, queueIndex, pQueue))                                              \
    X(VkResult, vkDeviceWaitIdle, RESULT, (VkDevice device), (device))                             \
    X(VkResult, vkAllocateMemory, RESULT,                                                          \
      (VkDevice device, const VkMemoryAllocateInfo *pAllocateInfo,                                 \
       const VkAllocationCallbacks *pAllocator, VkDeviceMemory *pMemory),                          \
      (device, pAllocateInfo, pAllocator, pMemory))                                                \
    X(void, vkFreeMemory, NOFAIL,                                                                  \
      (VkDevice device, VkDeviceMemory memory, const VkAllocationCallbacks *pAllocator),           \
      (device, memory, pAllocator))                                                                \
    X(VkResult, vkMapMemory, RESULT,                                                               \
      (VkDevice device, VkDeviceMemory memory, VkDeviceSize offset, VkDeviceSize size,             \
       VkMemoryMapFlags flags, void **ppData),                                                     \
      (device, memory, offset, size, flags, ppData))                                               \
    X(void, vkUnmapMemory, NOFAIL, (VkDevice device, VkDeviceMemory memory), (device, memory))     \
    X(VkResult, vkFlushMappedMemoryRanges, RESULT,                                                 \
      (VkDevice device, uint32_t memoryRangeCount, const VkMappedMemoryRange *pMemoryRanges),      \
      (device, memoryRangeCount, pMemoryRanges))                                                   \
    X(VkResult, vkInvalidateMappedMemoryRanges, RESULT,                                            \
      (VkDevice device, uint32_t memoryRangeCount, const VkMappedMemoryRange *pMemoryRanges),      \
      (device, memoryRangeCount, pMemoryRanges))                                                   \
    X(VkResult, vkCreateBuffer, RESULT,                                                            \
      (VkDevice device, const VkBufferCreateInfo *pCreateInfo,                                     \
       const VkAllocationCallbacks *pAllocator, VkBuffer *pBuffer),                                \
      (device, pCreateInfo, pAllocator, pBuffer))                                                  \
    X(void, vkDestroyBuffer, NOFAIL,                                                               \
      (VkDevice device, VkBuffer buffer, const VkAllocationCallbacks *pAllocator),                 \
      (device, buffer, pAllocator))                                                                \
    X(void, vkGetBufferMemoryRequirements, NOFAIL,                                                 \
      (VkDevice device, VkBuffer buffer, VkMemoryRequirements * pMemoryRequirements),              \
      (device, buffer, pMemoryRequirements))                                                       \
    X(VkResult, vkBindBufferMemory, RESULT,                                                        \
      (VkDevice device, VkBuffer buffer, VkDeviceMemory memory, VkDeviceSize memoryOffset),        \
      (device, buffer, memory, memoryOffset))                                                      \
    X(VkResult, vkCreateShaderModule, RESULT,                                                      \
      (VkDevice device, const VkShaderModuleCreateInfo *pCreateInfo,                               \
       const VkAllocationCallbacks *pAllocator, VkShaderModule *pShaderModule),                    \
      (device, pCreateInfo, pAllocator, pShaderModule))                                            \
    X(void, vkDestroyShaderModule, NOFAIL,                                                         \
      (VkDevice device, VkShaderModule shaderModule, const VkAllocationCallbacks *pAllocator),     \
      (device, shaderModule, pAllocator))                                                          \
    X(VkResult, vkCreateDescriptorSetLayout, RESULT,                                               \
      (VkDevice device, const VkDescriptorSetLayoutCreateInfo *pCreateInfo,                        \
       const VkAllocationCallbacks *pAllocator, VkDescriptorSetLayout *pSetLayout),                \
      (device, pCreateInfo, pAllocator, pSetLayout))                                               \
    X(void, vkDestroyDescriptorSetLayout, NOFAIL,                                                  \
      (VkDevice device, VkDescriptorSetLayout descriptorSetLayout,                                 \
       const VkAllocationCallbacks *pAllocator),                                                   \
      (device, descriptorSetLayout, pAllocator))                                                   \
    X(VkResult, vkCreatePipelineLayout, RESULT,                                                    \
      (VkDevice device, const VkPipelineLayoutCreateInfo *pCreateInfo,                             \
       const VkAllocationCallbacks *pAllocator, VkPipelineLayout *pPipelineLayout),                \
      (device, pCreateInfo, pAllocator, pPipelineLayout))                                          \
    X(void, vkDestroyPipelineLayout, NOFAIL,                                                       \
      (VkDevice device, VkPipelineLayout pipelineLayout, const VkAllocationCallbacks *pAllocator), \
      (device, pipelineLayout, pAllocator))                                                        \
    X(VkResult, vkCreateComputePipelines, PIPELINES,                                               \
      (VkDevice device, VkPipelineCache pipelineCache, uint32_t createInfoCount,                   \
       const VkComputePipelineCreateInfo *pCreateInfos, const VkAllocationCallbacks *pAllocator,   \
       VkPipeline *pPipelines),                                                                    \
      (device, pipelineCache, createInfoCount, pCreateInfos, pAllocator, pPipelines))              \
    X(void, vkDestroyPipeline, NOFAIL,                                                             \
      (VkDevice device, VkPipeline pipeline, const VkAllocationCallbacks *pAllocator),             \
      (device, pipeline, pAllocator))                                                              \
    X(VkResult, vkCreateDescriptorPool, RESULT,                                                    \
      (VkDevice device, const VkDescriptorPoolCreateInfo *pCreateInfo,                             \
       const VkAllocationCallbacks *pAllocator, VkDescriptorPool *pDescriptorPool),                \
      (device, pCreateInfo, pAllocator, pDescriptorPool))                                          \
    X(void, vkDestroyDescriptorPool, NOFAIL,                                                       \
      (VkDevice device, VkDescriptorPool descriptorPool, const VkAllocationCallbacks *pAllocator), \
      (device, descriptorPool, pAllocator))                                                        \
    X(VkResult, vkResetDescriptorPool, RESULT,                                                     \
      (VkDevice device, VkDescriptorPool descriptorPool, VkDescriptorPoolResetFlags flags),        \
      (device, descriptorPool, flags))                                                             \
    X(VkResult, vkAllocateDescriptorSets, RESULT,                                                  \
      (VkDevice device, const VkDescriptorSetAllocateInfo *pAllocateInfo,                          \
       VkDescriptorSet *pDescriptorSets),                                                          \
      (device, pAllocateInfo, pDescriptorSets))                                                    \
    X(void, vkUpdateDescriptorSets, NOFAIL,                                                        \
      (VkDevice device, uint32_t descriptorWriteCount,                                             \
       const VkWriteDescriptorSet *pDescriptorWrites, uint32_t descriptorCopyCount,                \
       const VkCopyDescriptorSet *pDescriptorCopies),                                              \
      (device, descriptorWriteCount, pDescriptorWrites, descriptorCopyCount, pDescriptorCopies))   \
    X(VkResult, vkCreateCommandPool, RESULT,                                                       \
      (VkDevice device, const VkCommandPoolCreateInfo *pCreateInfo,                                \
       const VkAllocationCallbacks *pAllocator, VkCommandPool *pCommandPool),                      \
      (device, pCreateInfo, pAllocator, pCommandPool))                                             \
    X(void, vkDestroyCommandPool, NOFAIL,                                                          \
      (VkDevice device, VkCommandPool commandPool, const VkAllocationCallbacks *pAllocator),       \
      (device, commandPool, pAllocator))                                                           \
    X(VkResult, vkResetCommandPool, RESULT,                                                        \
      (VkDevice device, VkCommandPool commandPool, VkCommandPoolResetFlags flags),                 \
      (device, commandPool, flags))                                                                \
    X(VkResult, vkAllocateCommandBuffers, RESULT,                                                  \
      (VkDevice device, const VkCommandBufferAllocateInfo *pAllocateInfo,                          \
       VkCommandBuffer *pCommandBuffers),                                                          \
      (device, pAllocateInfo, pCommandBuffers))                                                    \
    X(VkResult, vkBeginCommandBuffer, RESULT,                                                      \
      (VkCommandBuffer commandBuffer, const VkCommandBufferBeginInfo *pBeginInfo),                 \
      (commandBuffer, pBeginInfo))                                                                 \
    X(VkResult, vkEndCommandBuffer, RESULT, (VkCommandBuffer commandBuffer), (commandBuffer))      \
    X(void, vkCmdBindPipeline, NOFAIL,                                                             \
      (VkCommandBuffer commandBuffer, VkPipelineBindPoint pipelineBindPoint, VkPipeline pipeline), \
      (commandBuffer, pipelineBindPoint, pipeline))                                                \
    X(void, vkCmdBindDescriptorSets, NOFAIL,                                                       \
      (VkCommandBuffer commandBuffer, VkPipelineBindPoint pipelineBindPoint,                       \
       VkPipelineLayout layout, uint32_t firstSet, uint32_t descriptorSetCount,                    \
       const VkDescriptorSet *pDescriptorSets, uint32_t dynamicOffsetCount,                        \
       const uint32_t *pDynamicOffsets),                                                           \
      (commandBuffer, pipelineBindPoint, layout, firstSet, descriptorSetCount, pDescriptorSets,    \
       dynamicOffsetCount, pDynamicOffsets))                                                       \
    X(void, vkCmdPushConstants, NOFAIL,                                                            \
      (VkCommandBuffer commandBuffer, VkPipelineLayout layout, VkShaderStageFlags stageFlags,      \
       uint32_t offset, uint32_t size, const void *pValues),                                       \
      (commandBuffer, layout, stageFlags, offset, size, pValues))                                  \
    X(void, vkCmdCopyBuffer, NOFAIL,                                                               \
      (VkCommandBuffer commandBuffer, VkBuffer srcBuffer, VkBuffer dstBuffer,                      \
       uint32_t regionCount, const VkBufferCopy *pRegions),                                        \
      (commandBuffer, srcBuffer, dstBuffer, regionCount, pRegions))                                \
    X(void, vkCmdPipelineBarrier, NOFAIL,                                                          \
      (VkCommandBuffer commandBuffer, VkPipelineStageFlags srcStageMask,                           \
       VkPipelineStageFlags dstStageMask, VkDependencyFlags dependencyFlags,                       \
       uint32_t memoryBarrierCount, const VkMemoryBarrier *pMemoryBarriers,                        \
       uint32_t bufferMemoryBarrierCount, const VkBufferMemoryBarrier *pBufferMemoryBarriers,      \
       uint32_t imageMemoryBarrierCount, const VkImageMemoryBarrier *pImageMemoryBarriers),        \
      (commandBuffer, srcStageMask, dstStageMask, dependencyFlags, memoryBarrierCount,             \
       pMemoryBarriers, bufferMemoryBarrierCount, pBufferMemoryBarriers, imageMemoryBarrierCount,  \
       pImageMemoryBarriers))                                                                      \
    X(void, vkCmdDispatchBase, NOFAIL,                                                             \
      (VkCommandBuffer commandBuffer, uint32_t baseGroupX, uint32_t baseGroupY,                    \
       uint32_t baseGroupZ, uint32_t groupCountX, uint32_t groupCountY, uint32_t groupCountZ),     \
      (commandBuffer, baseGroupX, baseGroupY, baseGroupZ, groupCountX, groupCountY, groupCountZ))  \
    X(VkResult, vkCreateSemaphore, RESULT,                                                         \
      (VkDevice device, const VkSemaphoreCreateInfo *pCreateInfo,                                  \
       const VkAllocationCallbacks *pAllocator, VkSemaphore *pSemaphore),                          \
      (device, pCreateInfo, pAllocator, pSemaphore))                                               \
    X(void, vkDestroySemaphore, NOFAIL,                                                            \
      (VkDevice device, VkSemaphore semaphore, const VkAllocationCallbacks *pAllocator),           \
      (device, semaphore, pAllocator))                                                             \
    X(VkResult, vkCreateFence, RESULT,                                                             \
      (VkDevice device, const VkFenceCreateInfo *pCreateInfo,                                      \
       const VkAllocationCallbacks *pAllocator, VkFence *pFence),                                  \
      (device, pCreateInfo, pAllocator, pFence))                                                   \
    X(void, vkDestroyFence, NOFAIL,                                                                \
      (VkDevice device, VkFence fence, const VkAllocationCallbacks *pAllocator),                   \
      (device, fence, pAllocator))                                                                 \
    X(VkResult, vkWaitForFences, RESULT,                                                           \
      (VkDevice device, uint32_t fenceCount, const VkFence *pFences, VkBool32 waitAll,             \
       uint64_t timeout),                                                                          \
      (device, fenceCount, pFences, waitAll, timeout))                                             \
    X(VkResult, vkGetFenceStatus, RESULT, (VkDevice device, VkFence fence), (device, fence))       \
    X(VkResult, vkResetFences, RESULT,                                                             \
      (VkDevice device, uint32_t fenceCount, const VkFence *pFences),                              \
      (device, fenceCount, pFences))                                                               \
    X(VkResult, vkQueueSubmit, RESULT,                                                             \
      (VkQueue queue, uint32_t submitCount, const VkSubmitInfo *pSubmits, VkFence fence),          \
      (queue, submitCount, pSubmits, fence))

/* Extension functions, and Vulkan 1.2 ones: NULL where the instance lacks them. */
#define ZCS__VK_EXTENSION_FUNCTIONS(X)                                                             \
    X(VkResult, vkCreateDebugUtilsMessengerEXT, NOFAIL,                                            \
      (VkInstance instance, const VkDebugUtilsMessengerCreateInfoEXT *pCreateInfo,                 \
       const VkAllocationCallbacks *pAllocator, VkDebugUtilsMessengerEXT *pMessenger),             \
      (instance, pCreateInfo, pAllocator, pMessenger))                                             \
    X(void, vkDestroyDebugUtilsMessengerEXT, NOFAIL,                                               \
      (VkInstance instance, VkDebugUtilsMessengerEXT messenger,                                    \
       const VkAllocationCallbacks *pAllocator),                                                   \
      (instance, messenger, pAllocator))                                                           \
    X(VkDeviceAddress, vkGetBufferDeviceAddress, NOFAIL,                                           \
      (VkDevice device, const VkBufferDeviceAddressInfo *pInfo), (device, pInfo))                  \
    X(VkResult, vkWaitSemaphores, RESULT,                                                          \
      (VkDevice device, const VkSemaphoreWaitInfo *pWaitInfo, uint64_t timeout),                   \
      (device, pWaitInfo, timeout))                                                                \
    X(VkResult, vkGetSemaphoreCounterValue, RESULT,                                                \
      (VkDevice device, VkSemaphore semaphore, uint64_t * pValue), (device, semaphore, pValue))    \
    X(VkResult, vkGetMemoryHostPointerPropertiesEXT, RESULT,                                       \
      (VkDevice device, VkExternalMemoryHandleTypeFlagBits handleType, const void *pHostPointer,   \
       VkMemoryHostPointerPropertiesEXT *pMemoryHostPointerProperties),                            \
      (device, handleType, pHostPointer, pMemoryHostPointerProperties))                            \
    X(VkResult, vkGetMemoryFdKHR, RESULT,                                                          \
      (VkDevice device, const VkMemoryGetFdInfoKHR *pGetFdInfo, int *pFd),                         \
      (device, pGetFdInfo, pFd))                                                                   \
    X(VkResult, vkGetMemoryFdPropertiesKHR, RESULT,                                                \
      (VkDevice device, VkExternalMemoryHandleTypeFlagBits handleType, int fd,                     \
       VkMemoryFdPropertiesKHR *pMemoryFdProperties),                                              \
      (device, handleType, fd, pMemoryFdProperties))

typedef struct zcs__vk_api {
#define ZCS__VK_API_MEMBER_(type, name, fails, parameters, arguments) PFN_##name name;
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

#endif /* ZCS_VULKAN_API_H */
