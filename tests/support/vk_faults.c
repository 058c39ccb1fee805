/* Vulkan fault injection for the tests (see vk_faults.h). Wrappers of every fallible
   (VkResult-returning) entry point in the backend's table. */
#include "support/vk_faults.h"
#include "support/fault_counter.h"

#include <stddef.h>

static zcs__vk_api real;
static int installed;
static VkResult armed_error;

static VkResult VKAPI_CALL fault_vkCreateInstance(const VkInstanceCreateInfo *pCreateInfo,
                                                  const VkAllocationCallbacks *pAllocator,
                                                  VkInstance *pInstance)
{
    if (fault_counter_hits("vkCreateInstance")) {
        return armed_error;
    }
    return real.vkCreateInstance(pCreateInfo, pAllocator, pInstance);
}

static VkResult VKAPI_CALL fault_vkEnumerateInstanceExtensionProperties(
    const char *pLayerName, uint32_t *pPropertyCount, VkExtensionProperties *pProperties)
{
    if (fault_counter_hits("vkEnumerateInstanceExtensionProperties")) {
        return armed_error;
    }
    return real.vkEnumerateInstanceExtensionProperties(pLayerName, pPropertyCount, pProperties);
}

static VkResult VKAPI_CALL fault_vkEnumerateInstanceLayerProperties(uint32_t *pPropertyCount,
                                                                    VkLayerProperties *pProperties)
{
    if (fault_counter_hits("vkEnumerateInstanceLayerProperties")) {
        return armed_error;
    }
    return real.vkEnumerateInstanceLayerProperties(pPropertyCount, pProperties);
}

static VkResult VKAPI_CALL fault_vkEnumerateInstanceVersion(uint32_t *pApiVersion)
{
    if (fault_counter_hits("vkEnumerateInstanceVersion")) {
        return armed_error;
    }
    return real.vkEnumerateInstanceVersion(pApiVersion);
}

static VkResult VKAPI_CALL fault_vkEnumeratePhysicalDevices(VkInstance instance,
                                                            uint32_t *pPhysicalDeviceCount,
                                                            VkPhysicalDevice *pPhysicalDevices)
{
    if (fault_counter_hits("vkEnumeratePhysicalDevices")) {
        return armed_error;
    }
    return real.vkEnumeratePhysicalDevices(instance, pPhysicalDeviceCount, pPhysicalDevices);
}

static VkResult VKAPI_CALL fault_vkCreateDevice(VkPhysicalDevice physicalDevice,
                                                const VkDeviceCreateInfo *pCreateInfo,
                                                const VkAllocationCallbacks *pAllocator,
                                                VkDevice *pDevice)
{
    if (fault_counter_hits("vkCreateDevice")) {
        return armed_error;
    }
    return real.vkCreateDevice(physicalDevice, pCreateInfo, pAllocator, pDevice);
}

static VkResult VKAPI_CALL fault_vkDeviceWaitIdle(VkDevice device)
{
    if (fault_counter_hits("vkDeviceWaitIdle")) {
        return armed_error;
    }
    return real.vkDeviceWaitIdle(device);
}

static VkResult VKAPI_CALL fault_vkAllocateMemory(VkDevice device,
                                                  const VkMemoryAllocateInfo *pAllocateInfo,
                                                  const VkAllocationCallbacks *pAllocator,
                                                  VkDeviceMemory *pMemory)
{
    if (fault_counter_hits("vkAllocateMemory")) {
        return armed_error;
    }
    return real.vkAllocateMemory(device, pAllocateInfo, pAllocator, pMemory);
}

static VkResult VKAPI_CALL fault_vkMapMemory(VkDevice device, VkDeviceMemory memory,
                                             VkDeviceSize offset, VkDeviceSize size,
                                             VkMemoryMapFlags flags, void **ppData)
{
    if (fault_counter_hits("vkMapMemory")) {
        return armed_error;
    }
    return real.vkMapMemory(device, memory, offset, size, flags, ppData);
}

static VkResult VKAPI_CALL fault_vkFlushMappedMemoryRanges(VkDevice device,
                                                           uint32_t memoryRangeCount,
                                                           const VkMappedMemoryRange *pMemoryRanges)
{
    if (fault_counter_hits("vkFlushMappedMemoryRanges")) {
        return armed_error;
    }
    return real.vkFlushMappedMemoryRanges(device, memoryRangeCount, pMemoryRanges);
}

static VkResult VKAPI_CALL fault_vkInvalidateMappedMemoryRanges(
    VkDevice device, uint32_t memoryRangeCount, const VkMappedMemoryRange *pMemoryRanges)
{
    if (fault_counter_hits("vkInvalidateMappedMemoryRanges")) {
        return armed_error;
    }
    return real.vkInvalidateMappedMemoryRanges(device, memoryRangeCount, pMemoryRanges);
}

static VkResult VKAPI_CALL fault_vkCreateBuffer(VkDevice device,
                                                const VkBufferCreateInfo *pCreateInfo,
                                                const VkAllocationCallbacks *pAllocator,
                                                VkBuffer *pBuffer)
{
    if (fault_counter_hits("vkCreateBuffer")) {
        return armed_error;
    }
    return real.vkCreateBuffer(device, pCreateInfo, pAllocator, pBuffer);
}

static VkResult VKAPI_CALL fault_vkBindBufferMemory(VkDevice device, VkBuffer buffer,
                                                    VkDeviceMemory memory,
                                                    VkDeviceSize memoryOffset)
{
    if (fault_counter_hits("vkBindBufferMemory")) {
        return armed_error;
    }
    return real.vkBindBufferMemory(device, buffer, memory, memoryOffset);
}

static VkResult VKAPI_CALL fault_vkCreateShaderModule(VkDevice device,
                                                      const VkShaderModuleCreateInfo *pCreateInfo,
                                                      const VkAllocationCallbacks *pAllocator,
                                                      VkShaderModule *pShaderModule)
{
    if (fault_counter_hits("vkCreateShaderModule")) {
        return armed_error;
    }
    return real.vkCreateShaderModule(device, pCreateInfo, pAllocator, pShaderModule);
}

static VkResult VKAPI_CALL fault_vkCreateDescriptorSetLayout(
    VkDevice device, const VkDescriptorSetLayoutCreateInfo *pCreateInfo,
    const VkAllocationCallbacks *pAllocator, VkDescriptorSetLayout *pSetLayout)
{
    if (fault_counter_hits("vkCreateDescriptorSetLayout")) {
        return armed_error;
    }
    return real.vkCreateDescriptorSetLayout(device, pCreateInfo, pAllocator, pSetLayout);
}

static VkResult VKAPI_CALL fault_vkCreatePipelineLayout(
    VkDevice device, const VkPipelineLayoutCreateInfo *pCreateInfo,
    const VkAllocationCallbacks *pAllocator, VkPipelineLayout *pPipelineLayout)
{
    if (fault_counter_hits("vkCreatePipelineLayout")) {
        return armed_error;
    }
    return real.vkCreatePipelineLayout(device, pCreateInfo, pAllocator, pPipelineLayout);
}

static VkResult VKAPI_CALL fault_vkCreateComputePipelines(
    VkDevice device, VkPipelineCache pipelineCache, uint32_t createInfoCount,
    const VkComputePipelineCreateInfo *pCreateInfos, const VkAllocationCallbacks *pAllocator,
    VkPipeline *pPipelines)
{
    if (fault_counter_hits("vkCreateComputePipelines")) {
        for (uint32_t i = 0; i < createInfoCount; i++)
            pPipelines[i] = VK_NULL_HANDLE;
        return armed_error;
    }
    return real.vkCreateComputePipelines(device, pipelineCache, createInfoCount, pCreateInfos,
                                         pAllocator, pPipelines);
}

static VkResult VKAPI_CALL fault_vkCreateDescriptorPool(
    VkDevice device, const VkDescriptorPoolCreateInfo *pCreateInfo,
    const VkAllocationCallbacks *pAllocator, VkDescriptorPool *pDescriptorPool)
{
    if (fault_counter_hits("vkCreateDescriptorPool")) {
        return armed_error;
    }
    return real.vkCreateDescriptorPool(device, pCreateInfo, pAllocator, pDescriptorPool);
}

static VkResult VKAPI_CALL fault_vkResetDescriptorPool(VkDevice device,
                                                       VkDescriptorPool descriptorPool,
                                                       VkDescriptorPoolResetFlags flags)
{
    if (fault_counter_hits("vkResetDescriptorPool")) {
        return armed_error;
    }
    return real.vkResetDescriptorPool(device, descriptorPool, flags);
}

static VkResult VKAPI_CALL
fault_vkAllocateDescriptorSets(VkDevice device, const VkDescriptorSetAllocateInfo *pAllocateInfo,
                               VkDescriptorSet *pDescriptorSets)
{
    if (fault_counter_hits("vkAllocateDescriptorSets")) {
        return armed_error;
    }
    return real.vkAllocateDescriptorSets(device, pAllocateInfo, pDescriptorSets);
}

static VkResult VKAPI_CALL fault_vkCreateCommandPool(VkDevice device,
                                                     const VkCommandPoolCreateInfo *pCreateInfo,
                                                     const VkAllocationCallbacks *pAllocator,
                                                     VkCommandPool *pCommandPool)
{
    if (fault_counter_hits("vkCreateCommandPool")) {
        return armed_error;
    }
    return real.vkCreateCommandPool(device, pCreateInfo, pAllocator, pCommandPool);
}

static VkResult VKAPI_CALL fault_vkResetCommandPool(VkDevice device, VkCommandPool commandPool,
                                                    VkCommandPoolResetFlags flags)
{
    if (fault_counter_hits("vkResetCommandPool")) {
        return armed_error;
    }
    return real.vkResetCommandPool(device, commandPool, flags);
}

static VkResult VKAPI_CALL
fault_vkAllocateCommandBuffers(VkDevice device, const VkCommandBufferAllocateInfo *pAllocateInfo,
                               VkCommandBuffer *pCommandBuffers)
{
    if (fault_counter_hits("vkAllocateCommandBuffers")) {
        return armed_error;
    }
    return real.vkAllocateCommandBuffers(device, pAllocateInfo, pCommandBuffers);
}

static VkResult VKAPI_CALL fault_vkBeginCommandBuffer(VkCommandBuffer commandBuffer,
                                                      const VkCommandBufferBeginInfo *pBeginInfo)
{
    if (fault_counter_hits("vkBeginCommandBuffer")) {
        return armed_error;
    }
    return real.vkBeginCommandBuffer(commandBuffer, pBeginInfo);
}

static VkResult VKAPI_CALL fault_vkEndCommandBuffer(VkCommandBuffer commandBuffer)
{
    if (fault_counter_hits("vkEndCommandBuffer")) {
        return armed_error;
    }
    return real.vkEndCommandBuffer(commandBuffer);
}

static VkResult VKAPI_CALL fault_vkCreateFence(VkDevice device,
                                               const VkFenceCreateInfo *pCreateInfo,
                                               const VkAllocationCallbacks *pAllocator,
                                               VkFence *pFence)
{
    if (fault_counter_hits("vkCreateFence")) {
        return armed_error;
    }
    return real.vkCreateFence(device, pCreateInfo, pAllocator, pFence);
}

static VkResult VKAPI_CALL fault_vkWaitForFences(VkDevice device, uint32_t fenceCount,
                                                 const VkFence *pFences, VkBool32 waitAll,
                                                 uint64_t timeout)
{
    if (fault_counter_hits("vkWaitForFences")) {
        return armed_error;
    }
    return real.vkWaitForFences(device, fenceCount, pFences, waitAll, timeout);
}

static VkResult VKAPI_CALL fault_vkResetFences(VkDevice device, uint32_t fenceCount,
                                               const VkFence *pFences)
{
    if (fault_counter_hits("vkResetFences")) {
        return armed_error;
    }
    return real.vkResetFences(device, fenceCount, pFences);
}

static VkResult VKAPI_CALL fault_vkQueueSubmit(VkQueue queue, uint32_t submitCount,
                                               const VkSubmitInfo *pSubmits, VkFence fence)
{
    if (fault_counter_hits("vkQueueSubmit")) {
        return armed_error;
    }
    return real.vkQueueSubmit(queue, submitCount, pSubmits, fence);
}

void vk_faults_install(void)
{
    if (!installed) {
        real = zcs__vk;
        installed = 1;
    }
    zcs__vk.vkCreateInstance = fault_vkCreateInstance;
    zcs__vk.vkEnumerateInstanceExtensionProperties = fault_vkEnumerateInstanceExtensionProperties;
    zcs__vk.vkEnumerateInstanceLayerProperties = fault_vkEnumerateInstanceLayerProperties;
    zcs__vk.vkEnumerateInstanceVersion = fault_vkEnumerateInstanceVersion;
    zcs__vk.vkEnumeratePhysicalDevices = fault_vkEnumeratePhysicalDevices;
    zcs__vk.vkCreateDevice = fault_vkCreateDevice;
    zcs__vk.vkDeviceWaitIdle = fault_vkDeviceWaitIdle;
    zcs__vk.vkAllocateMemory = fault_vkAllocateMemory;
    zcs__vk.vkMapMemory = fault_vkMapMemory;
    zcs__vk.vkFlushMappedMemoryRanges = fault_vkFlushMappedMemoryRanges;
    zcs__vk.vkInvalidateMappedMemoryRanges = fault_vkInvalidateMappedMemoryRanges;
    zcs__vk.vkCreateBuffer = fault_vkCreateBuffer;
    zcs__vk.vkBindBufferMemory = fault_vkBindBufferMemory;
    zcs__vk.vkCreateShaderModule = fault_vkCreateShaderModule;
    zcs__vk.vkCreateDescriptorSetLayout = fault_vkCreateDescriptorSetLayout;
    zcs__vk.vkCreatePipelineLayout = fault_vkCreatePipelineLayout;
    zcs__vk.vkCreateComputePipelines = fault_vkCreateComputePipelines;
    zcs__vk.vkCreateDescriptorPool = fault_vkCreateDescriptorPool;
    zcs__vk.vkResetDescriptorPool = fault_vkResetDescriptorPool;
    zcs__vk.vkAllocateDescriptorSets = fault_vkAllocateDescriptorSets;
    zcs__vk.vkCreateCommandPool = fault_vkCreateCommandPool;
    zcs__vk.vkResetCommandPool = fault_vkResetCommandPool;
    zcs__vk.vkAllocateCommandBuffers = fault_vkAllocateCommandBuffers;
    zcs__vk.vkBeginCommandBuffer = fault_vkBeginCommandBuffer;
    zcs__vk.vkEndCommandBuffer = fault_vkEndCommandBuffer;
    zcs__vk.vkCreateFence = fault_vkCreateFence;
    zcs__vk.vkWaitForFences = fault_vkWaitForFences;
    zcs__vk.vkResetFences = fault_vkResetFences;
    zcs__vk.vkQueueSubmit = fault_vkQueueSubmit;
    vk_faults_arm(0, VK_SUCCESS);
}

void vk_faults_arm(unsigned long k, VkResult error)
{
    fault_counter_arm(k);
    armed_error = error;
}

void vk_faults_remove(void)
{
    if (installed)
        zcs__vk = real;
    installed = 0;
}
