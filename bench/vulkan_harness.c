/* The raw Vulkan harness of the benchmark (see vulkan_harness.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vulkan_harness.h"

#ifndef ZCS_BENCH_SPIRV_DIR
#define ZCS_BENCH_SPIRV_DIR "kernels"
#endif

bench_vk_globals bench_vk;

int bench_vk_fail(const char *what, VkResult result)
{
    fprintf(stderr, "zcs-bench: %s failed: VkResult %d\n", what, (int)result);
    return -1;
}

static void *bench_vk_read_spirv(size_t *size)
{
    const char *path = ZCS_BENCH_SPIRV_DIR "/particles_advance.spv";
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long length = ftell(f);
    fseek(f, 0, SEEK_SET);
    void *code = length > 0 ? malloc((size_t)length) : NULL;
    if (code == NULL || fread(code, 1, (size_t)length, f) != (size_t)length) {
        fprintf(stderr, "zcs-bench: cannot read %s\n", path);
        free(code);
        fclose(f);
        return NULL;
    }
    fclose(f);
    *size = (size_t)length;
    return code;
}

/* The deviceUUID of a physical device (Vulkan 1.1); 0, or -1 where not known. */
static int bench_vk_uuid(VkPhysicalDevice physical, unsigned char uuid[VK_UUID_SIZE])
{
    VkPhysicalDeviceIDProperties id = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_ID_PROPERTIES};
    VkPhysicalDeviceProperties2 props = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2,
                                         .pNext = &id};
    VkPhysicalDeviceProperties plain;
    vkGetPhysicalDeviceProperties(physical, &plain);
    if (plain.apiVersion < VK_API_VERSION_1_1)
        return -1;
    vkGetPhysicalDeviceProperties2(physical, &props);
    memcpy(uuid, id.deviceUUID, VK_UUID_SIZE);
    return 0;
}

void bench_device_identify(zcs_context *probe, bench_device *device)
{
    zcs_vulkan_context_objects objects;
    if (zcs_vulkan_context_native(probe, &objects) == ZCS_SUCCESS &&
        bench_vk_uuid(objects.physical_device, device->vulkan_uuid) == 0)
        device->has_vulkan_uuid = 1;
}

/* The device zcs chose: its deviceUUID (bench_device_identify), else its name. */
static int bench_vk_pick_device(const bench_device *device)
{
    VkPhysicalDevice physical[16];
    uint32_t count = 16;
    VkResult result = vkEnumeratePhysicalDevices(bench_vk.instance, &count, physical);
    if (result != VK_SUCCESS && result != VK_INCOMPLETE)
        return bench_vk_fail("vkEnumeratePhysicalDevices", result);
    for (uint32_t i = 0; i < count; i++) {
        VkPhysicalDeviceProperties props;
        vkGetPhysicalDeviceProperties(physical[i], &props);
        unsigned char uuid[VK_UUID_SIZE];
        if (device->has_vulkan_uuid ? bench_vk_uuid(physical[i], uuid) != 0 ||
                                          memcmp(uuid, device->vulkan_uuid, VK_UUID_SIZE) != 0
                                    : strcmp(props.deviceName, device->info.device_name) != 0)
            continue;
        uint32_t families = 0;
        vkGetPhysicalDeviceQueueFamilyProperties(physical[i], &families, NULL);
        VkQueueFamilyProperties family_props[16];
        families = families > 16 ? 16 : families;
        vkGetPhysicalDeviceQueueFamilyProperties(physical[i], &families, family_props);
        for (uint32_t q = 0; q < families; q++) {
            if (family_props[q].queueFlags & VK_QUEUE_COMPUTE_BIT) {
                bench_vk.physical = physical[i];
                bench_vk.family = q;
                bench_vk.max_groups = props.limits.maxComputeWorkGroupCount[0];
                vkGetPhysicalDeviceMemoryProperties(physical[i], &bench_vk.memory);
                return 0;
            }
        }
    }
    fprintf(stderr, "zcs-bench: raw Vulkan: device \"%s\" not found\n", device->info.device_name);
    return -1;
}

/* The Vulkan version the run uses: the loader's, up to 1.3 (zcs's own choice). */
static uint32_t bench_vk_loader_version(void)
{
    uint32_t version = VK_API_VERSION_1_0;
    PFN_vkEnumerateInstanceVersion enumerate =
        (PFN_vkEnumerateInstanceVersion)vkGetInstanceProcAddr(NULL, "vkEnumerateInstanceVersion");
    if (enumerate == NULL || enumerate(&version) != VK_SUCCESS)
        version = VK_API_VERSION_1_0;
    return version > VK_API_VERSION_1_3 ? VK_API_VERSION_1_3 : version;
}

/* 1 if `list` (count entries, the physical device's extensions) names `name`. */
static int bench_vk_has_extension(const VkExtensionProperties *list, uint32_t count,
                                  const char *name)
{
    for (uint32_t i = 0; i < count; i++)
        if (strcmp(list[i].extensionName, name) == 0)
            return 1;
    return 0;
}

/* The logical device, as an application that uses zcs makes it: the features zcs's kernels
   may use and the import extensions, wherever offered, declared to zcs at attach
   (bench_vk.features). */
static int bench_vk_open_device(void)
{
    VkPhysicalDeviceProperties props;
    vkGetPhysicalDeviceProperties(bench_vk.physical, &props);
    uint32_t loader = bench_vk_loader_version();
    bench_vk.api_version = props.apiVersion < loader ? props.apiVersion : loader;
    int v12 = bench_vk.api_version >= VK_API_VERSION_1_2;
    VkPhysicalDeviceVulkan12Features supported12 = {
        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES};
    VkPhysicalDeviceVulkan11Features supported11 = {
        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES,
        .pNext = v12 ? &supported12 : NULL};
    VkPhysicalDeviceFeatures2 supported = {.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2,
                                           .pNext = v12 ? &supported11 : NULL};
    vkGetPhysicalDeviceFeatures2(bench_vk.physical, &supported);
    VkPhysicalDeviceVulkan12Features enabled12 = {
        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES,
        .storageBuffer8BitAccess = supported12.storageBuffer8BitAccess,
        .uniformAndStorageBuffer8BitAccess = supported12.uniformAndStorageBuffer8BitAccess,
        .storagePushConstant8 = supported12.storagePushConstant8,
        .shaderInt8 = supported12.shaderInt8,
        .shaderFloat16 = supported12.shaderFloat16,
        .scalarBlockLayout = supported12.scalarBlockLayout,
        .bufferDeviceAddress = supported12.bufferDeviceAddress,
        .timelineSemaphore = supported12.timelineSemaphore};
    VkPhysicalDeviceVulkan11Features enabled11 = {
        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_1_FEATURES,
        .pNext = &enabled12,
        .storageBuffer16BitAccess = supported11.storageBuffer16BitAccess,
        .uniformAndStorageBuffer16BitAccess = supported11.uniformAndStorageBuffer16BitAccess,
        .storagePushConstant16 = supported11.storagePushConstant16};
    VkPhysicalDeviceFeatures2 enabled = {
        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2,
        .pNext = v12 ? &enabled11 : NULL,
        .features = {.shaderInt64 = supported.features.shaderInt64,
                     .shaderInt16 = supported.features.shaderInt16,
                     .shaderFloat64 = supported.features.shaderFloat64}};
    bench_vk.features = 0;
    if (v12 && enabled12.bufferDeviceAddress)
        bench_vk.features |= ZCS_VULKAN_FEATURE_BUFFER_DEVICE_ADDRESS;
    if (v12 && enabled12.timelineSemaphore)
        bench_vk.features |= ZCS_VULKAN_FEATURE_TIMELINE_SEMAPHORE;
    /* The device's extensions, read once (none where it will not say). */
    uint32_t offered = 0;
    VkExtensionProperties *list = NULL;
    if (vkEnumerateDeviceExtensionProperties(bench_vk.physical, NULL, &offered, NULL) ==
            VK_SUCCESS &&
        offered > 0)
        list = calloc(offered, sizeof *list);
    if (list == NULL ||
        vkEnumerateDeviceExtensionProperties(bench_vk.physical, NULL, &offered, list) != VK_SUCCESS)
        offered = 0;
    const char *extensions[3];
    uint32_t extension_count = 0;
    if (bench_vk_has_extension(list, offered, VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME)) {
        extensions[extension_count++] = VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME;
        bench_vk.features |= ZCS_VULKAN_FEATURE_EXTERNAL_MEMORY_HOST;
    }
    if (bench_vk_has_extension(list, offered, VK_KHR_EXTERNAL_MEMORY_FD_EXTENSION_NAME)) {
        extensions[extension_count++] = VK_KHR_EXTERNAL_MEMORY_FD_EXTENSION_NAME;
        bench_vk.features |= ZCS_VULKAN_FEATURE_EXTERNAL_MEMORY_FD;
        if (bench_vk_has_extension(list, offered, VK_EXT_EXTERNAL_MEMORY_DMA_BUF_EXTENSION_NAME)) {
            extensions[extension_count++] = VK_EXT_EXTERNAL_MEMORY_DMA_BUF_EXTENSION_NAME;
            bench_vk.features |= ZCS_VULKAN_FEATURE_EXTERNAL_MEMORY_DMA_BUF;
        }
    }
    /* One queue, which every mode submits to, the zcs contexts too: on NVIDIA's driver
       each queue in use slows every wait for the GPU as a second device does
       (docs/benchmarks.md). The run is single-threaded, as sharing a queue requires. */
    float priority = 1.0f;
    VkDeviceQueueCreateInfo queue_info = {.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
                                          .queueFamilyIndex = bench_vk.family,
                                          .queueCount = 1,
                                          .pQueuePriorities = &priority};
    VkDeviceCreateInfo device_info = {.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO,
                                      .pNext = &enabled,
                                      .queueCreateInfoCount = 1,
                                      .pQueueCreateInfos = &queue_info,
                                      .enabledExtensionCount = extension_count,
                                      .ppEnabledExtensionNames = extensions};
    VkResult result = vkCreateDevice(bench_vk.physical, &device_info, NULL, &bench_vk.device);
    free(list); /* the names are the macros', not the list's */
    if (result != VK_SUCCESS)
        return bench_vk_fail("vkCreateDevice", result);
    vkGetDeviceQueue(bench_vk.device, bench_vk.family, 0, &bench_vk.queue);
    return 0;
}

static int bench_vk_init_once(const bench_device *device)
{
    VkApplicationInfo app = {.sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
                             .pApplicationName = "zcs-bench",
                             .apiVersion = bench_vk_loader_version()};
    VkInstanceCreateInfo instance_info = {.sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
                                          .pApplicationInfo = &app};
    VkResult result = vkCreateInstance(&instance_info, NULL, &bench_vk.instance);
    if (result != VK_SUCCESS)
        return bench_vk_fail("vkCreateInstance", result);
    if (bench_vk_pick_device(device) != 0 || bench_vk_open_device() != 0)
        return -1;
    VkCommandPoolCreateInfo pool_info = {.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
                                         .flags = VK_COMMAND_POOL_CREATE_RESET_COMMAND_BUFFER_BIT,
                                         .queueFamilyIndex = bench_vk.family};
    if ((result = vkCreateCommandPool(bench_vk.device, &pool_info, NULL, &bench_vk.pool)) !=
        VK_SUCCESS)
        return bench_vk_fail("vkCreateCommandPool", result);

    VkDescriptorSetLayoutBinding binding = {.binding = 0,
                                            .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                                            .descriptorCount = 1,
                                            .stageFlags = VK_SHADER_STAGE_COMPUTE_BIT};
    VkDescriptorSetLayoutCreateInfo set_info = {
        .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_LAYOUT_CREATE_INFO,
        .bindingCount = 1,
        .pBindings = &binding};
    if ((result = vkCreateDescriptorSetLayout(bench_vk.device, &set_info, NULL,
                                              &bench_vk.set_layout)) != VK_SUCCESS)
        return bench_vk_fail("vkCreateDescriptorSetLayout", result);
    VkPushConstantRange push = {.stageFlags = VK_SHADER_STAGE_COMPUTE_BIT, .size = 12};
    VkPipelineLayoutCreateInfo layout_info = {.sType =
                                                  VK_STRUCTURE_TYPE_PIPELINE_LAYOUT_CREATE_INFO,
                                              .setLayoutCount = 1,
                                              .pSetLayouts = &bench_vk.set_layout,
                                              .pushConstantRangeCount = 1,
                                              .pPushConstantRanges = &push};
    if ((result = vkCreatePipelineLayout(bench_vk.device, &layout_info, NULL, &bench_vk.layout)) !=
        VK_SUCCESS)
        return bench_vk_fail("vkCreatePipelineLayout", result);

    size_t code_size = 0;
    void *code = bench_vk_read_spirv(&code_size);
    if (code == NULL)
        return -1;
    VkShaderModuleCreateInfo module_info = {
        .sType = VK_STRUCTURE_TYPE_SHADER_MODULE_CREATE_INFO, .codeSize = code_size, .pCode = code};
    VkShaderModule module = VK_NULL_HANDLE;
    result = vkCreateShaderModule(bench_vk.device, &module_info, NULL, &module);
    free(code);
    if (result != VK_SUCCESS)
        return bench_vk_fail("vkCreateShaderModule", result);
    const uint32_t local[3] = {BENCH_VK_LOCAL, 1, 1};
    VkSpecializationMapEntry entries[3] = {{0, 0, 4}, {1, 4, 4}, {2, 8, 4}};
    VkSpecializationInfo spec = {3, entries, sizeof local, local};
    VkComputePipelineCreateInfo pipeline_info = {
        .sType = VK_STRUCTURE_TYPE_COMPUTE_PIPELINE_CREATE_INFO,
        .flags = VK_PIPELINE_CREATE_DISPATCH_BASE_BIT,
        .stage = {.sType = VK_STRUCTURE_TYPE_PIPELINE_SHADER_STAGE_CREATE_INFO,
                  .stage = VK_SHADER_STAGE_COMPUTE_BIT,
                  .module = module,
                  .pName = "main",
                  .pSpecializationInfo = &spec},
        .layout = bench_vk.layout};
    result = vkCreateComputePipelines(bench_vk.device, VK_NULL_HANDLE, 1, &pipeline_info, NULL,
                                      &bench_vk.pipeline);
    vkDestroyShaderModule(bench_vk.device, module, NULL);
    if (result != VK_SUCCESS)
        return bench_vk_fail("vkCreateComputePipelines", result);
    VkDescriptorPoolSize pool_size = {VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, BENCH_MAX_MODES + 2};
    VkDescriptorPoolCreateInfo descriptor_info = {
        .sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO,
        .flags = VK_DESCRIPTOR_POOL_CREATE_FREE_DESCRIPTOR_SET_BIT,
        .maxSets = BENCH_MAX_MODES + 2,
        .poolSizeCount = 1,
        .pPoolSizes = &pool_size};
    if ((result = vkCreateDescriptorPool(bench_vk.device, &descriptor_info, NULL,
                                         &bench_vk.descriptors)) != VK_SUCCESS)
        return bench_vk_fail("vkCreateDescriptorPool", result);
    bench_vk.ready = 1;
    return 0;
}

int bench_vk_init(const bench_device *device)
{
    if (bench_vk.ready || bench_vk.failed)
        return bench_vk.ready ? 0 : -1;
    if (bench_vk_init_once(device) == 0)
        return 0;
    /* What was made goes (no device left open beside the zcs modes'); the failure stands. */
    bench_raw_release();
    bench_vk.failed = 1;
    return -1;
}

int bench_device_open(const bench_device *device)
{
    return bench_vk_init(device);
}

zcs_status bench_device_attach(zcs_tier tier, zcs_wait wait, zcs_context **out_context)
{
    zcs_vulkan_attach_desc desc = {0};
    desc.instance = bench_vk.instance;
    desc.physical_device = bench_vk.physical;
    desc.device = bench_vk.device;
    desc.queue_family_index = bench_vk.family;
    desc.queue_index = 0;
    desc.vulkan_api_version = bench_vk.api_version;
    desc.features = bench_vk.features;
    desc.tier = tier;
    desc.flags = ZCS_CONTEXT_IGNORE_ENVIRONMENT;
    desc.wait = wait;
    return zcs_vulkan_context_attach(&desc, out_context);
}

void bench_raw_release(void)
{
    if (bench_vk.device != VK_NULL_HANDLE) {
        vkDeviceWaitIdle(bench_vk.device);
        if (bench_vk.descriptors != VK_NULL_HANDLE)
            vkDestroyDescriptorPool(bench_vk.device, bench_vk.descriptors, NULL);
        if (bench_vk.pipeline != VK_NULL_HANDLE)
            vkDestroyPipeline(bench_vk.device, bench_vk.pipeline, NULL);
        if (bench_vk.layout != VK_NULL_HANDLE)
            vkDestroyPipelineLayout(bench_vk.device, bench_vk.layout, NULL);
        if (bench_vk.set_layout != VK_NULL_HANDLE)
            vkDestroyDescriptorSetLayout(bench_vk.device, bench_vk.set_layout, NULL);
        if (bench_vk.pool != VK_NULL_HANDLE)
            vkDestroyCommandPool(bench_vk.device, bench_vk.pool, NULL);
        vkDestroyDevice(bench_vk.device, NULL);
    }
    if (bench_vk.instance != VK_NULL_HANDLE)
        vkDestroyInstance(bench_vk.instance, NULL);
    memset(&bench_vk, 0, sizeof bench_vk);
}

static int bench_vk_buffer_create(bench_vk_buffer *b, VkDeviceSize size, VkBufferUsageFlags usage,
                                  VkMemoryPropertyFlags want, VkMemoryPropertyFlags prefer)
{
    VkBufferCreateInfo info = {.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO,
                               .size = size,
                               .usage = usage,
                               .sharingMode = VK_SHARING_MODE_EXCLUSIVE};
    VkResult result = vkCreateBuffer(bench_vk.device, &info, NULL, &b->buffer);
    if (result != VK_SUCCESS)
        return bench_vk_fail("vkCreateBuffer", result);
    VkMemoryRequirements req;
    vkGetBufferMemoryRequirements(bench_vk.device, b->buffer, &req);
    int type = -1;
    for (int pass = 0; pass < 2 && type < 0; pass++) {
        VkMemoryPropertyFlags flags = pass == 0 ? want | prefer : want;
        for (uint32_t t = 0; t < bench_vk.memory.memoryTypeCount && type < 0; t++)
            if ((req.memoryTypeBits & (1u << t)) &&
                (bench_vk.memory.memoryTypes[t].propertyFlags & flags) == flags)
                type = (int)t;
    }
    if (type < 0) {
        fprintf(stderr, "zcs-bench: raw Vulkan: no memory type with properties 0x%x\n",
                (unsigned)want);
        return -1;
    }
    VkMemoryAllocateInfo alloc = {.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO,
                                  .allocationSize = req.size,
                                  .memoryTypeIndex = (uint32_t)type};
    if ((result = vkAllocateMemory(bench_vk.device, &alloc, NULL, &b->memory)) != VK_SUCCESS)
        return bench_vk_fail("vkAllocateMemory", result);
    if ((result = vkBindBufferMemory(bench_vk.device, b->buffer, b->memory, 0)) != VK_SUCCESS)
        return bench_vk_fail("vkBindBufferMemory", result);
    if (want & VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT) {
        if ((result = vkMapMemory(bench_vk.device, b->memory, 0, VK_WHOLE_SIZE, 0, &b->mapped)) !=
            VK_SUCCESS)
            return bench_vk_fail("vkMapMemory", result);
    }
    return 0;
}

static void bench_vk_buffer_destroy(bench_vk_buffer *b)
{
    if (b->buffer != VK_NULL_HANDLE)
        vkDestroyBuffer(bench_vk.device, b->buffer, NULL);
    if (b->memory != VK_NULL_HANDLE)
        vkFreeMemory(bench_vk.device, b->memory, NULL);
    memset(b, 0, sizeof *b);
}

void bench_vk_barrier(VkCommandBuffer cb, VkPipelineStageFlags src, VkAccessFlags src_access,
                      VkPipelineStageFlags dst, VkAccessFlags dst_access)
{
    VkMemoryBarrier barrier = {.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
                               .srcAccessMask = src_access,
                               .dstAccessMask = dst_access};
    vkCmdPipelineBarrier(cb, src, dst, 0, 1, &barrier, 0, NULL, 0, NULL);
}

void bench_vk_record_dispatch(bench_vk_state *s)
{
    VkCommandBuffer cb = s->commands;
    struct {
        uint32_t count;
        float dt;
        float gravity;
    } args = {(uint32_t)s->count, BENCH_DT, BENCH_GRAVITY};
    vkCmdBindPipeline(cb, VK_PIPELINE_BIND_POINT_COMPUTE, bench_vk.pipeline);
    vkCmdBindDescriptorSets(cb, VK_PIPELINE_BIND_POINT_COMPUTE, bench_vk.layout, 0, 1, &s->set, 0,
                            NULL);
    vkCmdPushConstants(cb, bench_vk.layout, VK_SHADER_STAGE_COMPUTE_BIT, 0, sizeof args, &args);
    uint32_t groups = (uint32_t)((s->count + BENCH_VK_LOCAL - 1) / BENCH_VK_LOCAL);
    for (uint32_t base = 0; base < groups; base += bench_vk.max_groups) {
        uint32_t n = groups - base < bench_vk.max_groups ? groups - base : bench_vk.max_groups;
        vkCmdDispatchBase(cb, base, 0, 0, n, 1, 1);
    }
}

/* Make the buffers and record the frame's command buffer once. kind: 0 copy, 1 mapped,
   2 kernel alone. */
int bench_vk_prepare(bench_vk_state *s, size_t count, int kind)
{
    s->count = count;
    s->size = count * sizeof(zcs_particle);
    const VkBufferUsageFlags storage = VK_BUFFER_USAGE_STORAGE_BUFFER_BIT;
    const VkBufferUsageFlags transfer =
        VK_BUFFER_USAGE_TRANSFER_SRC_BIT | VK_BUFFER_USAGE_TRANSFER_DST_BIT;
    const VkMemoryPropertyFlags host =
        VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT;
    bench_vk_buffer *target = &s->shared;
    if (kind == 1) {
        if (bench_vk_buffer_create(&s->shared, s->size, storage, host,
                                   VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT) != 0)
            return -1;
    } else {
        target = &s->device;
        if (bench_vk_buffer_create(&s->device, s->size, storage | transfer,
                                   VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT, 0) != 0 ||
            bench_vk_buffer_create(&s->staging, s->size, transfer, host,
                                   VK_MEMORY_PROPERTY_HOST_CACHED_BIT) != 0)
            return -1;
    }
    VkDescriptorSetAllocateInfo set_info = {.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO,
                                            .descriptorPool = bench_vk.descriptors,
                                            .descriptorSetCount = 1,
                                            .pSetLayouts = &bench_vk.set_layout};
    VkResult result = vkAllocateDescriptorSets(bench_vk.device, &set_info, &s->set);
    if (result != VK_SUCCESS)
        return bench_vk_fail("vkAllocateDescriptorSets", result);
    VkDescriptorBufferInfo buffer_info = {target->buffer, 0, VK_WHOLE_SIZE};
    VkWriteDescriptorSet write = {.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET,
                                  .dstSet = s->set,
                                  .descriptorCount = 1,
                                  .descriptorType = VK_DESCRIPTOR_TYPE_STORAGE_BUFFER,
                                  .pBufferInfo = &buffer_info};
    vkUpdateDescriptorSets(bench_vk.device, 1, &write, 0, NULL);
    VkCommandBufferAllocateInfo cb_info = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
                                           .commandPool = bench_vk.pool,
                                           .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
                                           .commandBufferCount = 1};
    if ((result = vkAllocateCommandBuffers(bench_vk.device, &cb_info, &s->commands)) != VK_SUCCESS)
        return bench_vk_fail("vkAllocateCommandBuffers", result);
    VkFenceCreateInfo fence_info = {.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO};
    if ((result = vkCreateFence(bench_vk.device, &fence_info, NULL, &s->fence)) != VK_SUCCESS)
        return bench_vk_fail("vkCreateFence", result);

    VkCommandBufferBeginInfo begin = {.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO};
    VkCommandBuffer cb = s->commands;
    vkBeginCommandBuffer(cb, &begin);
    VkBufferCopy region = {0, 0, s->size};
    if (kind == 0) {
        /* staging -> device, kernel, device -> staging */
        vkCmdCopyBuffer(cb, s->staging.buffer, s->device.buffer, 1, &region);
        bench_vk_barrier(cb, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
                         VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                         VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT);
        bench_vk_record_dispatch(s);
        bench_vk_barrier(cb, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_WRITE_BIT,
                         VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_READ_BIT);
        vkCmdCopyBuffer(cb, s->device.buffer, s->staging.buffer, 1, &region);
        bench_vk_barrier(cb, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_ACCESS_TRANSFER_WRITE_BIT,
                         VK_PIPELINE_STAGE_HOST_BIT, VK_ACCESS_HOST_READ_BIT);
    } else {
        /* Host writes before the submit are visible to it; earlier frames are ordered. */
        bench_vk_barrier(cb, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_WRITE_BIT,
                         VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT,
                         VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT);
        bench_vk_record_dispatch(s);
        bench_vk_barrier(cb, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, VK_ACCESS_SHADER_WRITE_BIT,
                         VK_PIPELINE_STAGE_HOST_BIT, VK_ACCESS_HOST_READ_BIT);
    }
    if ((result = vkEndCommandBuffer(cb)) != VK_SUCCESS)
        return bench_vk_fail("vkEndCommandBuffer", result);
    return 0;
}

int bench_vk_submit(bench_vk_state *s, int wait)
{
    VkSubmitInfo submit = {.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
                           .commandBufferCount = 1,
                           .pCommandBuffers = &s->commands};
    VkResult result = vkQueueSubmit(bench_vk.queue, 1, &submit, s->fence);
    if (result != VK_SUCCESS)
        return bench_vk_fail("vkQueueSubmit", result);
    if (!wait)
        return 0;
    if ((result = vkWaitForFences(bench_vk.device, 1, &s->fence, VK_TRUE, UINT64_MAX)) !=
        VK_SUCCESS)
        return bench_vk_fail("vkWaitForFences", result);
    vkResetFences(bench_vk.device, 1, &s->fence);
    return 0;
}

void bench_vk_free(bench_vk_state *s)
{
    if (bench_vk.device == VK_NULL_HANDLE)
        return;
    vkDeviceWaitIdle(bench_vk.device);
    if (s->fence != VK_NULL_HANDLE)
        vkDestroyFence(bench_vk.device, s->fence, NULL);
    if (s->commands != VK_NULL_HANDLE)
        vkFreeCommandBuffers(bench_vk.device, bench_vk.pool, 1, &s->commands);
    if (s->set != VK_NULL_HANDLE)
        vkFreeDescriptorSets(bench_vk.device, bench_vk.descriptors, 1, &s->set);
    bench_vk_buffer_destroy(&s->shared);
    bench_vk_buffer_destroy(&s->device);
    bench_vk_buffer_destroy(&s->staging);
    memset(s, 0, sizeof *s);
}
