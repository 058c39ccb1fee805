/*
 * zcs inside a Vulkan application (zcs/zcs_vulkan.h): the application makes its own
 * instance (with the validation layer when ZCS_VULKAN_VALIDATION=1, as every Vulkan suite
 * runs) and device on lavapipe, attaches zcs, and records its own command buffer that reads
 * and writes zcs arrays through the exported VkBuffer between zcs dispatches; what zcs reads
 * back is right, the layer reports nothing (zcs's calls on the application's device
 * included, and nothing of zcs's left on the device when the application destroys it), and
 * bad input is refused with a clear status.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zcs/zcs_vulkan.h>

#include "support/zcs_test.h"

#define VK_CK(call)                                                                                \
    do {                                                                                           \
        VkResult vk_ck_result_ = (call);                                                           \
        ck_assert_msg(vk_ck_result_ == VK_SUCCESS, "%s -> %d", #call, (int)vk_ck_result_);         \
    } while (0)

/* The application's side: its own Vulkan objects, made with the loader directly. */
typedef struct app {
    VkInstance instance;
    VkDebugUtilsMessengerEXT messenger;
    VkPhysicalDevice physical_device;
    VkDevice device;
    uint32_t family;
    uint32_t api_version;
    uint32_t features; /* zcs_vulkan_device_features enabled: the Vulkan 1.2 features */
    uint32_t imports;  /* and the external-memory extensions, which desc_of leaves out */
    VkQueue queue;
    VkCommandPool pool;
} app;

static unsigned messages; /* warnings and errors the layer reported to the application */

static VKAPI_ATTR VkBool32 VKAPI_CALL on_message(VkDebugUtilsMessageSeverityFlagBitsEXT severity,
                                                 VkDebugUtilsMessageTypeFlagsEXT type,
                                                 const VkDebugUtilsMessengerCallbackDataEXT *data,
                                                 void *user)
{
    (void)type;
    (void)user;
    if (severity & (VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT |
                    VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT)) {
        messages++;
        fprintf(stderr, "validation: %s\n", data->pMessage);
    }
    return VK_FALSE;
}

static int validation_wanted(void)
{
    const char *value = getenv("ZCS_VULKAN_VALIDATION");
    return value != NULL && strcmp(value, "1") == 0;
}

static VkInstance make_instance_of(uint32_t api_version, VkDebugUtilsMessengerEXT *out_messenger)
{
    int validation = validation_wanted();
    const char *layers[] = {"VK_LAYER_KHRONOS_validation"};
    const char *extensions[] = {VK_EXT_DEBUG_UTILS_EXTENSION_NAME};
    VkApplicationInfo application = {
        .sType = VK_STRUCTURE_TYPE_APPLICATION_INFO,
        .pApplicationName = "zcs interop test",
        .apiVersion = api_version,
    };
    VkDebugUtilsMessengerCreateInfoEXT messenger_info = {
        .sType = VK_STRUCTURE_TYPE_DEBUG_UTILS_MESSENGER_CREATE_INFO_EXT,
        .messageSeverity = VK_DEBUG_UTILS_MESSAGE_SEVERITY_WARNING_BIT_EXT |
                           VK_DEBUG_UTILS_MESSAGE_SEVERITY_ERROR_BIT_EXT,
        .messageType = VK_DEBUG_UTILS_MESSAGE_TYPE_GENERAL_BIT_EXT |
                       VK_DEBUG_UTILS_MESSAGE_TYPE_VALIDATION_BIT_EXT,
        .pfnUserCallback = on_message,
    };
    VkInstanceCreateInfo info = {
        .sType = VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO,
        .pNext = validation ? &messenger_info : NULL,
        .pApplicationInfo = &application,
        .enabledLayerCount = validation ? 1 : 0,
        .ppEnabledLayerNames = layers,
        .enabledExtensionCount = validation ? 1 : 0,
        .ppEnabledExtensionNames = extensions,
    };
    VkInstance instance = VK_NULL_HANDLE;
    VK_CK(vkCreateInstance(&info, NULL, &instance));
    *out_messenger = VK_NULL_HANDLE;
    if (validation) {
        PFN_vkCreateDebugUtilsMessengerEXT create =
            (PFN_vkCreateDebugUtilsMessengerEXT)vkGetInstanceProcAddr(
                instance, "vkCreateDebugUtilsMessengerEXT");
        ck_assert_msg(create != NULL, "no vkCreateDebugUtilsMessengerEXT");
        VK_CK(create(instance, &messenger_info, NULL, out_messenger));
    }
    return instance;
}

static VkInstance make_instance(VkDebugUtilsMessengerEXT *out_messenger)
{
    return make_instance_of(VK_API_VERSION_1_2, out_messenger);
}

static VkPhysicalDevice first_physical_device(VkInstance instance)
{
    uint32_t count = 1;
    VkPhysicalDevice device = VK_NULL_HANDLE;
    VkResult result = vkEnumeratePhysicalDevices(instance, &count, &device);
    ck_assert_msg(result == VK_SUCCESS || result == VK_INCOMPLETE, "vkEnumeratePhysicalDevices");
    ck_assert_uint_ge(count, 1);
    return device;
}

/* 1 if the physical device lists the device extension `name`. */
static int device_lists(VkPhysicalDevice physical_device, const char *name)
{
    uint32_t count = 0;
    VK_CK(vkEnumerateDeviceExtensionProperties(physical_device, NULL, &count, NULL));
    VkExtensionProperties *list = calloc(count + 1, sizeof *list);
    ck_assert_ptr_nonnull(list);
    VK_CK(vkEnumerateDeviceExtensionProperties(physical_device, NULL, &count, list));
    int found = 0;
    for (uint32_t i = 0; i < count && !found; i++)
        found = strcmp(list[i].extensionName, name) == 0;
    free(list);
    return found;
}

/*
 * The application's instance and device at Vulkan `api_version` (at most the device's).
 * with_features: enable bufferDeviceAddress and timelineSemaphore (lavapipe has both; only
 * at 1.2). with_imports: enable the external-memory extensions the device lists (lavapipe:
 * VK_EXT_external_memory_host and VK_KHR_external_memory_fd), recorded in a.imports.
 */
static app app_create_on(uint32_t api_version, int with_features, int with_imports)
{
    app a;
    memset(&a, 0, sizeof a);
    messages = 0;
    a.instance = make_instance_of(api_version, &a.messenger);
    a.physical_device = first_physical_device(a.instance);
    VkPhysicalDeviceProperties properties;
    vkGetPhysicalDeviceProperties(a.physical_device, &properties);
    a.api_version = properties.apiVersion < api_version ? properties.apiVersion : api_version;
    uint32_t family_count = 8;
    VkQueueFamilyProperties families[8];
    vkGetPhysicalDeviceQueueFamilyProperties(a.physical_device, &family_count, families);
    a.family = UINT32_MAX;
    for (uint32_t f = 0; f < family_count && a.family == UINT32_MAX; f++) {
        if (families[f].queueFlags & VK_QUEUE_COMPUTE_BIT)
            a.family = f;
    }
    ck_assert_uint_ne(a.family, UINT32_MAX);
    float priority = 1.0f;
    VkDeviceQueueCreateInfo queue_info = {
        .sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO,
        .queueFamilyIndex = a.family,
        .queueCount = 1,
        .pQueuePriorities = &priority,
    };
    VkPhysicalDeviceVulkan12Features features12 = {
        .sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_VULKAN_1_2_FEATURES,
        .bufferDeviceAddress = with_features ? VK_TRUE : VK_FALSE,
        .timelineSemaphore = with_features ? VK_TRUE : VK_FALSE,
    };
    static const struct {
        uint32_t feature;
        const char *name;
    } known[] = {
        {ZCS_VULKAN_FEATURE_EXTERNAL_MEMORY_HOST, VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME},
        {ZCS_VULKAN_FEATURE_EXTERNAL_MEMORY_FD, VK_KHR_EXTERNAL_MEMORY_FD_EXTENSION_NAME},
        {ZCS_VULKAN_FEATURE_EXTERNAL_MEMORY_DMA_BUF, VK_EXT_EXTERNAL_MEMORY_DMA_BUF_EXTENSION_NAME},
    };
    const char *extensions[3];
    uint32_t extension_count = 0;
    for (size_t i = 0; with_imports && i < sizeof known / sizeof known[0]; i++) {
        if (device_lists(a.physical_device, known[i].name)) {
            extensions[extension_count++] = known[i].name;
            a.imports |= known[i].feature;
        }
    }
    VkDeviceCreateInfo info = {
        .sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO,
        .pNext = a.api_version >= VK_API_VERSION_1_2 ? &features12 : NULL,
        .queueCreateInfoCount = 1,
        .pQueueCreateInfos = &queue_info,
        .enabledExtensionCount = extension_count,
        .ppEnabledExtensionNames = extensions,
    };
    VK_CK(vkCreateDevice(a.physical_device, &info, NULL, &a.device));
    if (with_features && a.api_version >= VK_API_VERSION_1_2)
        a.features =
            ZCS_VULKAN_FEATURE_BUFFER_DEVICE_ADDRESS | ZCS_VULKAN_FEATURE_TIMELINE_SEMAPHORE;
    vkGetDeviceQueue(a.device, a.family, 0, &a.queue);
    VkCommandPoolCreateInfo pool_info = {
        .sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO,
        .queueFamilyIndex = a.family,
    };
    VK_CK(vkCreateCommandPool(a.device, &pool_info, NULL, &a.pool));
    return a;
}

static app app_create(int with_features)
{
    return app_create_on(VK_API_VERSION_1_2, with_features, 0);
}

/* Destroy the application's objects; the layer then has reported nothing at all (zcs's
   objects left on the device would be reported at vkDestroyDevice). */
static void app_destroy(app *a)
{
    vkDestroyCommandPool(a->device, a->pool, NULL);
    vkDestroyDevice(a->device, NULL);
    if (a->messenger != VK_NULL_HANDLE) {
        PFN_vkDestroyDebugUtilsMessengerEXT destroy =
            (PFN_vkDestroyDebugUtilsMessengerEXT)vkGetInstanceProcAddr(
                a->instance, "vkDestroyDebugUtilsMessengerEXT");
        destroy(a->instance, a->messenger, NULL);
    }
    vkDestroyInstance(a->instance, NULL);
    ck_assert_msg(messages == 0, "%u validation messages", messages);
}

static zcs_vulkan_attach_desc desc_of(const app *a)
{
    zcs_vulkan_attach_desc desc;
    memset(&desc, 0, sizeof desc);
    desc.instance = a->instance;
    desc.physical_device = a->physical_device;
    desc.device = a->device;
    desc.queue_family_index = a->family;
    desc.queue_index = 0;
    desc.vulkan_api_version = a->api_version;
    desc.features = a->features;
    return desc;
}

/* Record, submit and wait for the application's own command buffer. */
typedef void (*recorder)(VkCommandBuffer commands, const void *user);

/* Semaphores an application submission waits for and signals (timeline values). */
typedef struct app_sync {
    VkSemaphore wait;
    uint64_t wait_value;
    VkSemaphore signal;
    uint64_t signal_value;
} app_sync;

/* Submit the application's commands. Without `sync`, wait for the queue and free them;
   with it, order them by its semaphores only and return the command buffer, which the
   caller frees once `sync->signal` has reached its value. */
static VkCommandBuffer app_submit_synced(const app *a, recorder record, const void *user,
                                         const app_sync *sync)
{
    VkCommandBufferAllocateInfo allocate = {
        .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO,
        .commandPool = a->pool,
        .level = VK_COMMAND_BUFFER_LEVEL_PRIMARY,
        .commandBufferCount = 1,
    };
    VkCommandBuffer commands = VK_NULL_HANDLE;
    VK_CK(vkAllocateCommandBuffers(a->device, &allocate, &commands));
    VkCommandBufferBeginInfo begin = {
        .sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO,
        .flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT,
    };
    VK_CK(vkBeginCommandBuffer(commands, &begin));
    if (record != NULL)
        record(commands, user);
    VK_CK(vkEndCommandBuffer(commands));
    VkPipelineStageFlags wait_stage = VK_PIPELINE_STAGE_TRANSFER_BIT;
    VkTimelineSemaphoreSubmitInfo values = {
        .sType = VK_STRUCTURE_TYPE_TIMELINE_SEMAPHORE_SUBMIT_INFO,
        .waitSemaphoreValueCount = sync != NULL ? 1 : 0,
        .pWaitSemaphoreValues = sync != NULL ? &sync->wait_value : NULL,
        .signalSemaphoreValueCount = sync != NULL ? 1 : 0,
        .pSignalSemaphoreValues = sync != NULL ? &sync->signal_value : NULL,
    };
    VkSubmitInfo submit = {
        .sType = VK_STRUCTURE_TYPE_SUBMIT_INFO,
        .pNext = sync != NULL ? &values : NULL,
        .waitSemaphoreCount = sync != NULL ? 1 : 0,
        .pWaitSemaphores = sync != NULL ? &sync->wait : NULL,
        .pWaitDstStageMask = sync != NULL ? &wait_stage : NULL,
        .commandBufferCount = 1,
        .pCommandBuffers = &commands,
        .signalSemaphoreCount = sync != NULL ? 1 : 0,
        .pSignalSemaphores = sync != NULL ? &sync->signal : NULL,
    };
    VK_CK(vkQueueSubmit(a->queue, 1, &submit, VK_NULL_HANDLE));
    if (sync != NULL)
        return commands;
    VK_CK(vkQueueWaitIdle(a->queue));
    vkFreeCommandBuffers(a->device, a->pool, 1, &commands);
    return VK_NULL_HANDLE;
}

static void app_submit(const app *a, recorder record, const void *user)
{
    (void)app_submit_synced(a, record, user, NULL);
}

static VkSemaphore app_timeline(const app *a)
{
    VkSemaphoreTypeCreateInfo type = {
        .sType = VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO,
        .semaphoreType = VK_SEMAPHORE_TYPE_TIMELINE,
    };
    VkSemaphoreCreateInfo info = {.sType = VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO, .pNext = &type};
    VkSemaphore semaphore = VK_NULL_HANDLE;
    VK_CK(vkCreateSemaphore(a->device, &info, NULL, &semaphore));
    return semaphore;
}

typedef struct copy_then_fill {
    zcs_vulkan_array_objects from;
    zcs_vulkan_array_objects to;
    uint32_t pattern;
} copy_then_fill;

/* Copy `from` into `to`, then fill the second half of `from` with the pattern; the writes
   are made visible to the host (zcs maps next) by the application's own last barrier. */
static void record_copy_then_fill(VkCommandBuffer commands, const void *user)
{
    const copy_then_fill *job = user;
    VkBufferCopy region = {
        .srcOffset = job->from.offset,
        .dstOffset = job->to.offset,
        .size = job->from.range,
    };
    vkCmdCopyBuffer(commands, job->from.buffer, job->to.buffer, 1, &region);
    VkMemoryBarrier between = {
        .sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
        .srcAccessMask = VK_ACCESS_TRANSFER_READ_BIT | VK_ACCESS_TRANSFER_WRITE_BIT,
        .dstAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT,
    };
    vkCmdPipelineBarrier(commands, VK_PIPELINE_STAGE_TRANSFER_BIT, VK_PIPELINE_STAGE_TRANSFER_BIT,
                         0, 1, &between, 0, NULL, 0, NULL);
    VkDeviceSize half = job->from.range / 2;
    vkCmdFillBuffer(commands, job->from.buffer, job->from.offset + half, half, job->pattern);
    VkMemoryBarrier to_host = {
        .sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
        .srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT,
        .dstAccessMask =
            VK_ACCESS_HOST_READ_BIT | VK_ACCESS_SHADER_READ_BIT | VK_ACCESS_SHADER_WRITE_BIT,
    };
    vkCmdPipelineBarrier(commands, VK_PIPELINE_STAGE_TRANSFER_BIT,
                         VK_PIPELINE_STAGE_HOST_BIT | VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, 0, 1,
                         &to_host, 0, NULL, 0, NULL);
}

START_TEST(application_commands_between_zcs_dispatches)
{
    const uint32_t count = 1024;
    app a = app_create(1);
    zcs_vulkan_attach_desc desc = desc_of(&a);
    zcs_context *context = NULL;
    ZCS_CK(zcs_vulkan_context_attach(&desc, &context));
    zcs_context_info info;
    ZCS_CK(zcs_context_info_get(context, &info));
    const char *forced = getenv("ZCS_TIER");
    /* Forced, or the automatic choice: staged on a device with memory of its own. */
    int staged = forced != NULL && strcmp(forced, "staged") == 0;
    if (forced == NULL || strcmp(forced, "auto") == 0)
        staged = !info.unified_memory;
    ck_assert_int_eq(info.tier, staged ? ZCS_TIER_STAGED : ZCS_TIER_VULKAN_MAPPED);
    ck_assert_int_eq(info.validation_layer, 0); /* the application's instance has the layer */
    ck_assert_uint_eq(info.device_index, 0);

    zcs_vulkan_context_objects objects;
    ZCS_CK(zcs_vulkan_context_native(context, &objects));
    ck_assert_ptr_eq(objects.instance, a.instance);
    ck_assert_ptr_eq(objects.physical_device, a.physical_device);
    ck_assert_ptr_eq(objects.device, a.device);
    ck_assert_ptr_eq(objects.queue, a.queue);
    ck_assert_uint_eq(objects.queue_family_index, a.family);
    ck_assert_uint_eq(objects.features, a.features);

    zcs_array *from = zcs_test_indexed_u32(context, count);
    zcs_array *to = NULL;
    ZCS_CK(zcs_array_create(context, sizeof(uint32_t), count, 0, &to));
    zcs_program *program = NULL;
    zcs_kernel *increment = zcs_test_increment_kernel(context, from, count, 1, &program);
    size_t global = count;
    ZCS_CK(zcs_dispatch(increment, 1, &global, NULL));

    copy_then_fill job = {.pattern = 0xab00u};
    ZCS_CK(zcs_vulkan_array_native(from, &job.from));
    ZCS_CK(zcs_vulkan_array_native(to, &job.to));
    ck_assert_uint_eq(job.from.range, count * sizeof(uint32_t));
    ck_assert_uint_eq(job.from.offset % info.alignment, 0);
    uint64_t address = 0;
    ZCS_CK(zcs_array_device_address(from, &address));
    ck_assert_uint_eq(job.from.device_address, address);
    ck_assert_uint_ne(address, 0);
    /* No wait on the host: the application's commands wait on the device for zcs's
       dispatch on `from` (zcs's timeline), and zcs's next dispatches and maps of both
       arrays wait for the application's (its own timeline). */
    app_sync sync = {.signal = app_timeline(&a), .signal_value = 1};
    ZCS_CK(zcs_vulkan_timeline(context, &sync.wait, NULL));
    ZCS_CK(zcs_vulkan_array_timeline_value(from, &sync.wait_value));
    ck_assert_uint_gt(sync.wait_value, 0);
    VkCommandBuffer commands = app_submit_synced(&a, record_copy_then_fill, &job, &sync);
    ZCS_CK(zcs_vulkan_array_used_by(from, sync.signal, sync.signal_value));
    ZCS_CK(zcs_vulkan_array_used_by(to, sync.signal, sync.signal_value));

    /* zcs again on both arrays, then read back through zcs. */
    ZCS_CK(zcs_dispatch(increment, 1, &global, NULL));
    zcs_test_set_increment_args(increment, to, count, 10);
    ZCS_CK(zcs_dispatch(increment, 1, &global, NULL));
    const uint32_t *data = NULL;
    ZCS_CK(zcs_array_map(from, ZCS_MAP_READ, (void **)&data));
    for (uint32_t i = 0; i < count; i++) {
        uint32_t expected = i < count / 2 ? i + 2 : job.pattern + 1;
        ck_assert_msg(data[i] == expected, "from[%u] is %u, expected %u", i, data[i], expected);
    }
    ZCS_CK(zcs_array_unmap(from));
    ZCS_CK(zcs_array_map(to, ZCS_MAP_READ, (void **)&data));
    for (uint32_t i = 0; i < count; i++)
        ck_assert_msg(data[i] == i + 11, "to[%u] is %u, expected %u", i, data[i], i + 11);
    ZCS_CK(zcs_array_unmap(to));
    /* Staged (forced): from's fill, then both arrays' read maps. */
    zcs_test_expect_copies(context, 3 * (uint64_t)count * sizeof(uint32_t));
    /* The maps waited for the application's work: its command buffer may go. */
    vkFreeCommandBuffers(a.device, a.pool, 1, &commands);

    zcs_kernel_destroy(increment);
    zcs_program_destroy(program);
    ZCS_CK(zcs_array_destroy(from));
    ZCS_CK(zcs_array_destroy(to));
    zcs_test_context_destroy(context);
    /* The application's device still works, and zcs left nothing on it. */
    app_submit(&a, NULL, NULL);
    VK_CK(vkDeviceWaitIdle(a.device));
    /* Only once the queue is idle: lavapipe (Mesa 22.3) crashed in its queue thread, about
       once in a hundred runs under load, at the next submission after the application
       destroyed a timeline semaphore that zcs's finished dispatches had waited for. */
    vkDestroySemaphore(a.device, sync.signal, NULL);
    app_destroy(&a);
}
END_TEST

typedef struct fill_job {
    zcs_vulkan_array_objects array;
    uint32_t pattern;
} fill_job;

/* Fill the array with the pattern and make it visible to the host and to shaders. */
static void record_fill(VkCommandBuffer commands, const void *user)
{
    const fill_job *job = user;
    VkMemoryBarrier before = {
        .sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
        .srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_WRITE_BIT,
        .dstAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT,
    };
    vkCmdPipelineBarrier(commands,
                         VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT | VK_PIPELINE_STAGE_TRANSFER_BIT,
                         VK_PIPELINE_STAGE_TRANSFER_BIT, 0, 1, &before, 0, NULL, 0, NULL);
    vkCmdFillBuffer(commands, job->array.buffer, job->array.offset, job->array.range, job->pattern);
    VkMemoryBarrier after = {
        .sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER,
        .srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT,
        .dstAccessMask = VK_ACCESS_HOST_READ_BIT | VK_ACCESS_SHADER_READ_BIT |
                         VK_ACCESS_SHADER_WRITE_BIT | VK_ACCESS_TRANSFER_READ_BIT,
    };
    vkCmdPipelineBarrier(commands, VK_PIPELINE_STAGE_TRANSFER_BIT,
                         VK_PIPELINE_STAGE_HOST_BIT | VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT |
                             VK_PIPELINE_STAGE_TRANSFER_BIT,
                         0, 1, &after, 0, NULL, 0, NULL);
}

/* The application writes an array through its buffer after zcs's dispatches: the next map
   shows the application's bytes, also after the staged tier read the array ahead (asking
   for the buffer forgets what was read ahead). */
START_TEST(application_writes_after_a_read_ahead_are_seen)
{
    const uint32_t count = 256;
    app a = app_create(1);
    zcs_vulkan_attach_desc desc = desc_of(&a);
    zcs_context *context = NULL;
    ZCS_CK(zcs_vulkan_context_attach(&desc, &context));
    zcs_array *array = zcs_test_indexed_u32(context, count);
    zcs_program *program = NULL;
    zcs_kernel *increment = zcs_test_increment_kernel(context, array, count, 1, &program);
    zcs_test_leave_read_ahead(context, increment, array, count);

    fill_job job = {.pattern = 0xabcdu};
    ZCS_CK(zcs_vulkan_array_native(array, &job.array));
    app_submit(&a, record_fill, &job); /* waits for the queue */
    const uint32_t *data = NULL;
    ZCS_CK(zcs_array_map(array, ZCS_MAP_READ, (void **)&data));
    for (uint32_t i = 0; i < count; i++)
        ck_assert_msg(data[i] == job.pattern, "element %u is %u, expected %u", i, data[i],
                      job.pattern);
    ZCS_CK(zcs_array_unmap(array));

    zcs_kernel_destroy(increment);
    zcs_program_destroy(program);
    ZCS_CK(zcs_array_destroy(array));
    zcs_test_context_destroy(context);
    VK_CK(vkDeviceWaitIdle(a.device));
    app_destroy(&a);
}
END_TEST

START_TEST(own_context_reports_its_objects)
{
    zcs_context *context = zcs_test_context();
    zcs_vulkan_context_objects objects;
    ZCS_CK(zcs_vulkan_context_native(context, &objects));
    ck_assert_ptr_nonnull(objects.instance);
    ck_assert_ptr_nonnull(objects.physical_device);
    ck_assert_ptr_nonnull(objects.device);
    ck_assert_ptr_nonnull(objects.queue);
    ck_assert_uint_ge(objects.vulkan_api_version, VK_API_VERSION_1_1);
    /* The external-memory extensions zcs enabled on its device, as the imports see them. */
    zcs_import_requirements rules;
    ZCS_CK(zcs_import_requirements_get(context, &rules));
    ck_assert_int_eq((objects.features & ZCS_VULKAN_FEATURE_EXTERNAL_MEMORY_HOST) != 0,
                     rules.host_import);
    ck_assert_int_eq((objects.features & ZCS_VULKAN_FEATURE_EXTERNAL_MEMORY_FD) != 0,
                     rules.opaque_fd_import);
    ck_assert_int_eq((objects.features & ZCS_VULKAN_FEATURE_EXTERNAL_MEMORY_DMA_BUF) != 0,
                     rules.dma_buf_import);
    zcs_array *array = NULL;
    ZCS_CK(zcs_array_create(context, 8, 10, 0, &array));
    zcs_vulkan_array_objects native;
    ZCS_CK(zcs_vulkan_array_native(array, &native));
    ck_assert_ptr_nonnull(native.buffer);
    ck_assert_uint_eq(native.range, 80);
    ck_assert_int_eq(native.device_address != 0,
                     (objects.features & ZCS_VULKAN_FEATURE_BUFFER_DEVICE_ADDRESS) != 0);
    ZCS_CK_STATUS(zcs_vulkan_array_native(array, NULL), ZCS_ERROR_NULL_HANDLE);
    ZCS_CK_STATUS(zcs_vulkan_array_native(NULL, &native), ZCS_ERROR_NULL_HANDLE);
    ZCS_CK_STATUS(zcs_vulkan_context_native(context, NULL), ZCS_ERROR_NULL_HANDLE);
    ZCS_CK_STATUS(zcs_vulkan_context_native(NULL, &objects), ZCS_ERROR_NULL_HANDLE);
    ZCS_CK(zcs_array_destroy(array));
    ZCS_CK_STATUS(zcs_vulkan_array_native(array, &native), ZCS_ERROR_INVALID_HANDLE);
    zcs_test_context_destroy(context);
}
END_TEST

/* A device without the optional features: attach works, device addresses do not. */
START_TEST(device_without_optional_features)
{
    app a = app_create(0);
    zcs_vulkan_attach_desc desc = desc_of(&a);
    zcs_context *context = NULL;
    ZCS_CK(zcs_vulkan_context_attach(&desc, &context));
    zcs_vulkan_context_objects objects;
    ZCS_CK(zcs_vulkan_context_native(context, &objects));
    ck_assert_uint_eq(objects.features, 0);
    zcs_array *array = zcs_test_indexed_u32(context, 64);
    uint64_t address = 0;
    ZCS_CK_STATUS(zcs_array_device_address(array, &address), ZCS_ERROR_UNSUPPORTED);
    zcs_vulkan_array_objects native;
    ZCS_CK(zcs_vulkan_array_native(array, &native));
    ck_assert_uint_eq(native.device_address, 0);
    zcs_program *program = NULL;
    zcs_kernel *increment = zcs_test_increment_kernel(context, array, 64, 5, &program);
    size_t global = 64;
    ZCS_CK(zcs_dispatch(increment, 1, &global, NULL));
    zcs_test_expect_indexed(array, 64, 5);
    zcs_kernel_destroy(increment);
    zcs_program_destroy(program);
    ZCS_CK(zcs_array_destroy(array));
    zcs_test_context_destroy(context);
    app_destroy(&a);
}
END_TEST

/* What the imports of an attached context report, checked against what it declared. */
static zcs_import_requirements requirements_of(zcs_context *context, uint32_t declared)
{
    zcs_import_requirements rules;
    memset(&rules, 0, sizeof rules);
    ZCS_CK(zcs_import_requirements_get(context, &rules));
    ck_assert_int_eq(rules.host_import, (declared & ZCS_VULKAN_FEATURE_EXTERNAL_MEMORY_HOST) != 0);
    ck_assert_int_eq(rules.opaque_fd_import,
                     (declared & ZCS_VULKAN_FEATURE_EXTERNAL_MEMORY_FD) != 0);
    ck_assert_int_eq(rules.opaque_fd_export,
                     (declared & ZCS_VULKAN_FEATURE_EXTERNAL_MEMORY_FD) != 0);
    ck_assert_int_eq(rules.dma_buf_import,
                     (declared & ZCS_VULKAN_FEATURE_EXTERNAL_MEMORY_DMA_BUF) != 0);
    ck_assert_uint_gt(rules.alignment, 0);
    return rules;
}

/* Aligned application memory of at least 4096 bytes that meets the import rule; its size
   in bytes into *out_size. */
static uint32_t *aligned_host(const zcs_import_requirements *rules, size_t *out_size)
{
    size_t unit = rules->alignment > rules->size_multiple ? rules->alignment : rules->size_multiple;
    size_t size = (4096 + unit - 1) / unit * unit;
    uint32_t *host = aligned_alloc(rules->alignment, size);
    ck_assert_ptr_nonnull(host);
    *out_size = size;
    return host;
}

/* Import aligned application memory with ZCS_ARRAY_REQUIRE_ZERO_COPY, let a kernel add 7
   to it, and find the results in the application's own memory, nothing copied. */
static void zero_copy_host_import(zcs_context *context, const zcs_import_requirements *rules)
{
    size_t size = 0;
    uint32_t *host = aligned_host(rules, &size);
    uint32_t count = (uint32_t)(size / sizeof(uint32_t));
    for (uint32_t i = 0; i < count; i++)
        host[i] = i;
    zcs_array *array = NULL;
    ZCS_CK(zcs_array_import_host(context, host, sizeof(uint32_t), count,
                                 ZCS_ARRAY_REQUIRE_ZERO_COPY, &array));
    zcs_array_info info;
    ZCS_CK(zcs_array_info_get(array, &info));
    ck_assert_msg(info.zero_copy == 1, "%s", info.reason);
    zcs_program *program = NULL;
    zcs_kernel *increment = zcs_test_increment_kernel(context, array, count, 7, &program);
    size_t global = count;
    ZCS_CK(zcs_dispatch(increment, 1, &global, NULL));
    const uint32_t *data = NULL;
    ZCS_CK(zcs_array_map(array, ZCS_MAP_READ, (void **)&data));
    zcs_context_info context_info;
    ZCS_CK(zcs_context_info_get(context, &context_info));
    if (!context_info.validation) /* (validation mode hands out a guarded shadow) */
        ck_assert_ptr_eq(data, host);
    for (uint32_t i = 0; i < count; i++)
        ck_assert_msg(host[i] == i + 7, "host[%u] is %u, expected %u", i, host[i], i + 7);
    ZCS_CK(zcs_array_unmap(array));
    zcs_stats stats;
    ZCS_CK(zcs_stats_get(context, &stats));
    ck_assert_uint_eq(stats.bytes_copied, 0);
    zcs_kernel_destroy(increment);
    zcs_program_destroy(program);
    ZCS_CK(zcs_array_destroy(array));
    free(host);
}

/* An exportable array exported as an opaque fd and imported again: one memory, no copy. */
static void opaque_fd_round_trip(zcs_context *context)
{
    const uint32_t count = 1024;
    zcs_array *exported = NULL;
    ZCS_CK(zcs_array_create(context, sizeof(uint32_t), count, ZCS_ARRAY_EXPORTABLE, &exported));
    uint32_t *data = NULL;
    ZCS_CK(zcs_array_map(exported, ZCS_MAP_WRITE_DISCARD, (void **)&data));
    for (uint32_t i = 0; i < count; i++)
        data[i] = 3 * i;
    ZCS_CK(zcs_array_unmap(exported));
    int fd = -1;
    ZCS_CK(zcs_array_export_fd(exported, &fd));
    zcs_array *imported = NULL;
    ZCS_CK(zcs_array_import_fd(context, fd, ZCS_FD_OPAQUE, sizeof(uint32_t), count, 0, &imported));
    ZCS_CK(zcs_array_map(imported, ZCS_MAP_READ, (void **)&data));
    for (uint32_t i = 0; i < count; i++)
        ck_assert_msg(data[i] == 3 * i, "imported[%u] is %u, expected %u", i, data[i], 3 * i);
    ZCS_CK(zcs_array_unmap(imported));
    zcs_stats stats;
    ZCS_CK(zcs_stats_get(context, &stats));
    ck_assert_uint_eq(stats.bytes_copied, 0);
    ZCS_CK(zcs_array_destroy(imported));
    ZCS_CK(zcs_array_destroy(exported));
}

/* An application device with the external-memory extensions, declared: host memory is
   imported zero-copy, and opaque fds are exported and imported. */
START_TEST(declared_import_extensions_are_used)
{
    app a = app_create_on(VK_API_VERSION_1_2, 1, 1);
    ck_assert_msg(a.imports & ZCS_VULKAN_FEATURE_EXTERNAL_MEMORY_HOST,
                  "the test's device (lavapipe) lists no VK_EXT_external_memory_host");
    zcs_vulkan_attach_desc desc = desc_of(&a);
    desc.features |= a.imports;
    zcs_context *context = NULL;
    ZCS_CK(zcs_vulkan_context_attach(&desc, &context));
    zcs_vulkan_context_objects objects;
    ZCS_CK(zcs_vulkan_context_native(context, &objects));
    ck_assert_uint_eq(objects.features, a.features | a.imports);
    zcs_import_requirements rules = requirements_of(context, a.imports);
    zero_copy_host_import(context, &rules);
    if (a.imports & ZCS_VULKAN_FEATURE_EXTERNAL_MEMORY_FD)
        opaque_fd_round_trip(context);
    zcs_test_context_destroy(context);
    VK_CK(vkDeviceWaitIdle(a.device));
    app_destroy(&a);
}
END_TEST

/* The extensions need Vulkan 1.1 only, unlike the two 1.2 features. */
START_TEST(import_extensions_on_vulkan_1_1)
{
    app a = app_create_on(VK_API_VERSION_1_1, 0, 1);
    ck_assert_msg(a.imports & ZCS_VULKAN_FEATURE_EXTERNAL_MEMORY_HOST,
                  "the test's device (lavapipe) lists no VK_EXT_external_memory_host");
    zcs_vulkan_attach_desc desc = desc_of(&a);
    ck_assert_uint_eq(desc.vulkan_api_version, VK_API_VERSION_1_1);
    desc.features = a.imports;
    zcs_context *context = NULL;
    ZCS_CK(zcs_vulkan_context_attach(&desc, &context));
    zcs_vulkan_context_objects objects;
    ZCS_CK(zcs_vulkan_context_native(context, &objects));
    ck_assert_uint_eq(objects.features, a.imports);
    zcs_import_requirements rules = requirements_of(context, a.imports);
    zero_copy_host_import(context, &rules);
    zcs_test_context_destroy(context);
    VK_CK(vkDeviceWaitIdle(a.device));
    app_destroy(&a);
}
END_TEST

/* The same device attached without declaring its extensions: zcs does not use them, so
   imports copy and zero-copy is refused, as before the bits existed. */
START_TEST(undeclared_import_extensions_are_not_used)
{
    app a = app_create_on(VK_API_VERSION_1_2, 1, 1);
    zcs_vulkan_attach_desc desc = desc_of(&a); /* without a.imports */
    zcs_context *context = NULL;
    ZCS_CK(zcs_vulkan_context_attach(&desc, &context));
    zcs_vulkan_context_objects objects;
    ZCS_CK(zcs_vulkan_context_native(context, &objects));
    ck_assert_uint_eq(objects.features, a.features);
    zcs_import_requirements rules = requirements_of(context, 0);
    ck_assert_msg(strstr(rules.description, "not declared") != NULL, "%s", rules.description);

    size_t size = 0;
    uint32_t *host = aligned_host(&rules, &size);
    zcs_array *array = NULL;
    ZCS_CK_STATUS(zcs_array_import_host(context, host, sizeof(uint32_t), size / sizeof(uint32_t),
                                        ZCS_ARRAY_REQUIRE_ZERO_COPY, &array),
                  ZCS_ERROR_UNSUPPORTED);
    ck_assert_ptr_null(array);
    ck_assert_msg(strstr(zcs_last_error(), "ZCS_ARRAY_REQUIRE_ZERO_COPY") != NULL &&
                      strstr(zcs_last_error(), "VK_EXT_external_memory_host") != NULL,
                  "%s", zcs_last_error());
    /* Without the flag the import copies. */
    ZCS_CK(
        zcs_array_import_host(context, host, sizeof(uint32_t), size / sizeof(uint32_t), 0, &array));
    zcs_array_info info;
    ZCS_CK(zcs_array_info_get(array, &info));
    ck_assert_int_eq(info.zero_copy, 0);
    ZCS_CK(zcs_array_destroy(array));
    free(host);
    array = NULL;
    ZCS_CK_STATUS(zcs_array_create(context, 4, 64, ZCS_ARRAY_EXPORTABLE, &array),
                  ZCS_ERROR_UNSUPPORTED);
    ck_assert_ptr_null(array);
    zcs_test_context_destroy(context);
    VK_CK(vkDeviceWaitIdle(a.device));
    app_destroy(&a);
}
END_TEST

static void attach_refused(const zcs_vulkan_attach_desc *desc, zcs_status expected,
                           const char *message_part)
{
    zcs_context *context = NULL;
    ZCS_CK_STATUS(zcs_vulkan_context_attach(desc, &context), expected);
    ck_assert_ptr_null(context);
    ck_assert_msg(strstr(zcs_last_error(), message_part) != NULL, "\"%s\" does not say \"%s\"",
                  zcs_last_error(), message_part);
}

START_TEST(bad_attach_is_refused_and_leaves_the_application_alone)
{
    app a = app_create(1);
    zcs_vulkan_attach_desc desc = desc_of(&a);
    zcs_context *context = NULL;
    ZCS_CK_STATUS(zcs_vulkan_context_attach(NULL, &context), ZCS_ERROR_NULL_HANDLE);
    ZCS_CK_STATUS(zcs_vulkan_context_attach(&desc, NULL), ZCS_ERROR_NULL_HANDLE);

    zcs_vulkan_attach_desc bad = desc;
    bad.instance = VK_NULL_HANDLE;
    attach_refused(&bad, ZCS_ERROR_NULL_HANDLE, "desc->instance");
    bad = desc;
    bad.physical_device = VK_NULL_HANDLE;
    attach_refused(&bad, ZCS_ERROR_NULL_HANDLE, "desc->physical_device");
    bad = desc;
    bad.device = VK_NULL_HANDLE;
    attach_refused(&bad, ZCS_ERROR_NULL_HANDLE, "desc->device");
    bad = desc;
    bad.flags = ZCS_CONTEXT_DEVICE_INDEX;
    attach_refused(&bad, ZCS_ERROR_INVALID_ARGUMENT, "ZCS_CONTEXT_DEVICE_INDEX");
    bad = desc;
    bad.tier = ZCS_TIER_SVM_FINE;
    attach_refused(&bad, ZCS_ERROR_UNSUPPORTED, "OpenCL");
    bad = desc;
    bad.vulkan_api_version = 0;
    attach_refused(&bad, ZCS_ERROR_UNSUPPORTED, "zcs needs Vulkan 1.1");
    bad = desc;
    bad.vulkan_api_version = VK_API_VERSION_1_1;
    attach_refused(&bad, ZCS_ERROR_INVALID_ARGUMENT, "a Vulkan 1.2 feature");
    bad = desc;
    bad.features = 0x80;
    attach_refused(&bad, ZCS_ERROR_INVALID_ARGUMENT, "unknown bits");
    /* The external-memory bits: what the physical device does not list is refused, naming
       the bit and the extension (whether the application enabled an offered one cannot be
       checked). */
    bad = desc;
    bad.features |= ZCS_VULKAN_FEATURE_EXTERNAL_MEMORY_DMA_BUF;
    attach_refused(&bad, ZCS_ERROR_INVALID_ARGUMENT,
                   "desc->features has ZCS_VULKAN_FEATURE_EXTERNAL_MEMORY_DMA_BUF, but "
                   "VK_EXT_external_memory_dma_buf requires VK_KHR_external_memory_fd: declare "
                   "ZCS_VULKAN_FEATURE_EXTERNAL_MEMORY_FD too");
    static const struct {
        uint32_t bits;
        const char *bit;
        const char *name;
    } extensions[] = {
        {ZCS_VULKAN_FEATURE_EXTERNAL_MEMORY_HOST, "ZCS_VULKAN_FEATURE_EXTERNAL_MEMORY_HOST",
         VK_EXT_EXTERNAL_MEMORY_HOST_EXTENSION_NAME},
        {ZCS_VULKAN_FEATURE_EXTERNAL_MEMORY_FD, "ZCS_VULKAN_FEATURE_EXTERNAL_MEMORY_FD",
         VK_KHR_EXTERNAL_MEMORY_FD_EXTENSION_NAME},
        {ZCS_VULKAN_FEATURE_EXTERNAL_MEMORY_DMA_BUF | ZCS_VULKAN_FEATURE_EXTERNAL_MEMORY_FD,
         "ZCS_VULKAN_FEATURE_EXTERNAL_MEMORY_DMA_BUF",
         VK_EXT_EXTERNAL_MEMORY_DMA_BUF_EXTENSION_NAME},
    };
    VkPhysicalDeviceProperties properties;
    vkGetPhysicalDeviceProperties(a.physical_device, &properties);
    for (size_t i = 0; i < sizeof extensions / sizeof extensions[0]; i++) {
        if (device_lists(a.physical_device, extensions[i].name) ||
            ((extensions[i].bits & ZCS_VULKAN_FEATURE_EXTERNAL_MEMORY_DMA_BUF) &&
             !device_lists(a.physical_device, VK_KHR_EXTERNAL_MEMORY_FD_EXTENSION_NAME)))
            continue; /* offered (lavapipe 22.3 offers all but dma-buf) */
        char expected[512];
        snprintf(expected, sizeof expected, "desc->features has %s, but \"%s\" does not offer %s",
                 extensions[i].bit, properties.deviceName, extensions[i].name);
        bad = desc;
        bad.features |= extensions[i].bits;
        attach_refused(&bad, ZCS_ERROR_INVALID_ARGUMENT, expected);
    }
    bad = desc;
    bad.queue_family_index = 999;
    attach_refused(&bad, ZCS_ERROR_INVALID_ARGUMENT, "desc->queue_family_index 999");
    bad = desc;
    bad.queue_index = 999;
    attach_refused(&bad, ZCS_ERROR_INVALID_ARGUMENT, "desc->queue_index 999");

    /* A physical device of another instance. */
    VkDebugUtilsMessengerEXT other_messenger = VK_NULL_HANDLE;
    VkInstance other = make_instance(&other_messenger);
    bad = desc;
    bad.physical_device = first_physical_device(other);
    attach_refused(&bad, ZCS_ERROR_INVALID_ARGUMENT, "not one of desc->instance's");
    if (other_messenger != VK_NULL_HANDLE) {
        PFN_vkDestroyDebugUtilsMessengerEXT destroy =
            (PFN_vkDestroyDebugUtilsMessengerEXT)vkGetInstanceProcAddr(
                other, "vkDestroyDebugUtilsMessengerEXT");
        destroy(other, other_messenger, NULL);
    }
    vkDestroyInstance(other, NULL);

    /* The application's objects are untouched: attaching still works, and the layer saw
       nothing wrong (app_destroy checks). */
    ZCS_CK(zcs_vulkan_context_attach(&desc, &context));
    zcs_test_context_destroy(context);
    app_destroy(&a);
}
END_TEST

/* The attach description's wait fields reach the context, as zcs_context_desc's do. */
START_TEST(attached_context_takes_its_wait)
{
    app a = app_create(1);
    zcs_vulkan_attach_desc desc = desc_of(&a);
    desc.wait = ZCS_WAIT_POLL;
    desc.wait_poll_us = 7;
    zcs_context *context = NULL;
    ZCS_CK(zcs_vulkan_context_attach(&desc, &context));
    zcs_context_info info;
    ZCS_CK(zcs_context_info_get(context, &info));
    ck_assert_int_eq(info.wait, ZCS_WAIT_POLL);
    ck_assert_uint_eq(info.wait_poll_us, 7);
    ck_assert_ptr_nonnull(strstr(info.wait_reason, "the context option"));
    zcs_test_context_destroy(context);
    desc.wait = (zcs_wait)ZCS_WAIT_COUNT;
    context = NULL;
    ZCS_CK_STATUS(zcs_vulkan_context_attach(&desc, &context), ZCS_ERROR_INVALID_ARGUMENT);
    ck_assert_ptr_null(context);
    app_destroy(&a);
}
END_TEST

static Suite *vulkan_interop_suite(void)
{
    Suite *suite = suite_create("vulkan_interop");
    TCase *tc = tcase_create("vulkan_interop");
    tcase_add_test(tc, application_commands_between_zcs_dispatches);
    tcase_add_test(tc, attached_context_takes_its_wait);
    tcase_add_test(tc, application_writes_after_a_read_ahead_are_seen);
    tcase_add_test(tc, own_context_reports_its_objects);
    tcase_add_test(tc, device_without_optional_features);
    tcase_add_test(tc, declared_import_extensions_are_used);
    tcase_add_test(tc, import_extensions_on_vulkan_1_1);
    tcase_add_test(tc, undeclared_import_extensions_are_not_used);
    tcase_add_test(tc, bad_attach_is_refused_and_leaves_the_application_alone);
    suite_add_tcase(suite, tc);
    return suite;
}

int main(void)
{
    return zcs_test_run(vulkan_interop_suite());
}
