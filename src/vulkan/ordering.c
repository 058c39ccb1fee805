/*
 * Vulkan backend: what orders maps and dispatches, array by array, and with the
 * application's work.
 *
 * Each dispatch records a barrier after the previous one (dispatch.c), so dispatches
 * finish in the order of their serials. A map waits for its array's newest dispatch by
 * that dispatch's slot fence, outside any lock (submit.c); never for the whole queue: a
 * map of an array that no pending dispatch uses returns at once. Where the device has
 * timeline semaphores (Vulkan 1.2), every dispatch also signals the context's timeline
 * with its serial, for the application to wait for (zcs_vulkan_timeline); zcs's own waits
 * keep to fences, which NVIDIA's driver wakes from sooner.
 *
 * The application's semaphores: zcs_vulkan_wait_semaphore makes the next dispatch wait
 * (and with it every later one); zcs_vulkan_array_used_by makes the next map, free and
 * dispatch of one array wait for a timeline value.
 */
#include <string.h>

#include "core/checks.h"
#include "vulkan/internal.h"
#include "zcs/zcs_vulkan.h"

zcs_status zcs__vk_ordering_init(struct zcs__context_impl *impl)
{
    impl->timeline = VK_NULL_HANDLE;
    if (!impl->timeline_semaphores)
        return ZCS_SUCCESS;
    VkSemaphoreTypeCreateInfo type_info = {
        .sType = VK_STRUCTURE_TYPE_SEMAPHORE_TYPE_CREATE_INFO,
        .semaphoreType = VK_SEMAPHORE_TYPE_TIMELINE,
        .initialValue = 0,
    };
    VkSemaphoreCreateInfo info = {
        .sType = VK_STRUCTURE_TYPE_SEMAPHORE_CREATE_INFO,
        .pNext = &type_info,
    };
    VkResult result = zcs__vk.vkCreateSemaphore(impl->device, &info, NULL, &impl->timeline);
    if (result != VK_SUCCESS) {
        impl->timeline = VK_NULL_HANDLE;
        return zcs__vk_fail(impl->context, result, "vkCreateSemaphore",
                            "the context's timeline semaphore");
    }
    return ZCS_SUCCESS;
}

void zcs__vk_ordering_destroy(struct zcs__context_impl *impl)
{
    if (impl->timeline != VK_NULL_HANDLE)
        zcs__vk.vkDestroySemaphore(impl->device, impl->timeline, NULL);
    impl->timeline = VK_NULL_HANDLE;
}

zcs_status zcs__vk_wait_list_add(zcs_context *context, zcs__vk_wait_list *list,
                                 VkSemaphore semaphore, uint64_t value)
{
    for (uint32_t i = 0; i < list->count; i++) {
        if (list->semaphores[i] == semaphore && value != 0) {
            /* One timeline, one wait: the larger value covers the smaller. */
            if (value > list->values[i])
                list->values[i] = value;
            return ZCS_SUCCESS;
        }
    }
    if (list->count == list->capacity) {
        uint32_t grown = list->capacity == 0 ? 4 : list->capacity * 2;
        VkSemaphore *semaphores = zcs__malloc(grown * sizeof *semaphores);
        uint64_t *values = zcs__malloc(grown * sizeof *values);
        if (semaphores == NULL || values == NULL) {
            zcs__free(semaphores);
            zcs__free(values);
            return zcs__fail(context, ZCS_ERROR_OUT_OF_MEMORY, 0,
                             "out of host memory for a semaphore wait list");
        }
        if (list->count > 0) {
            memcpy(semaphores, list->semaphores, list->count * sizeof *semaphores);
            memcpy(values, list->values, list->count * sizeof *values);
        }
        zcs__free(list->semaphores);
        zcs__free(list->values);
        list->semaphores = semaphores;
        list->values = values;
        list->capacity = grown;
    }
    list->semaphores[list->count] = semaphore;
    list->values[list->count++] = value;
    return ZCS_SUCCESS;
}

void zcs__vk_wait_list_free(zcs__vk_wait_list *list)
{
    zcs__free(list->semaphores);
    zcs__free(list->values);
    memset(list, 0, sizeof *list);
}

zcs_status zcs__vk_dispatch_waits(zcs_kernel *kernel, uint32_t arg_count,
                                  zcs__vk_wait_list *out_list)
{
    struct zcs__context_impl *ctx = kernel->context->impl;
    zcs_status status = ZCS_SUCCESS;
    pthread_mutex_lock(&ctx->submit_lock);
    uint32_t total = zcs__dispatch_array_count(kernel, arg_count);
    for (uint32_t i = 0; i < total && status == ZCS_SUCCESS; i++) {
        zcs_array *array = zcs__dispatch_array(kernel, arg_count, i);
        if (array == NULL)
            continue;
        const zcs__vk_wait_list *waits = &array->impl->app_waits;
        for (uint32_t w = 0; w < waits->count && status == ZCS_SUCCESS; w++)
            status = zcs__vk_wait_list_add(kernel->context, out_list, waits->semaphores[w],
                                           waits->values[w]);
    }
    pthread_mutex_unlock(&ctx->submit_lock);
    if (status != ZCS_SUCCESS)
        zcs__vk_wait_list_free(out_list);
    return status;
}

void zcs__vk_dispatch_waits_done(zcs_kernel *kernel, uint32_t arg_count)
{
    struct zcs__context_impl *ctx = kernel->context->impl;
    pthread_mutex_lock(&ctx->submit_lock);
    uint32_t total = zcs__dispatch_array_count(kernel, arg_count);
    for (uint32_t i = 0; i < total; i++) {
        zcs_array *array = zcs__dispatch_array(kernel, arg_count, i);
        if (array != NULL)
            array->impl->app_waits.count = 0;
    }
    pthread_mutex_unlock(&ctx->submit_lock);
}

/* The timeline value that covers dispatch `serial`: a failed dispatch never signals its
   own, and ran nothing, so the newest submitted one before it stands for it. */
static uint64_t zcs__vk_covering_value(struct zcs__context_impl *ctx, uint64_t serial)
{
    pthread_mutex_lock(&ctx->submit_lock);
    uint64_t last = ctx->last_submitted_serial;
    pthread_mutex_unlock(&ctx->submit_lock);
    return serial < last ? serial : last;
}

/* The query zcs__wait_poll runs on timeline values: 1 when every one is reached. */
typedef struct zcs__values_query {
    VkDevice device;
    uint32_t count;
    const VkSemaphore *semaphores;
    const uint64_t *values;
} zcs__values_query;

static int zcs__values_reached(void *argument)
{
    const zcs__values_query *query = argument;
    for (uint32_t i = 0; i < query->count; i++) {
        uint64_t value = 0;
        if (zcs__vk.vkGetSemaphoreCounterValue(query->device, query->semaphores[i], &value) !=
            VK_SUCCESS)
            return -1;
        if (value < query->values[i])
            return 0;
    }
    return 1;
}

/* Wait on the host for `count` timeline values. */
static zcs_status zcs__vk_wait_values(zcs_context *context, uint32_t count,
                                      const VkSemaphore *semaphores, const uint64_t *values)
{
    if (count == 0)
        return ZCS_SUCCESS;
    zcs__values_query query = {context->impl->device, count, semaphores, values};
    if (zcs__vk.vkGetSemaphoreCounterValue != NULL &&
        zcs__wait_poll(context, zcs__values_reached, &query)) {
        zcs__stats_add_device_wait(context);
        return ZCS_SUCCESS;
    }
    VkSemaphoreWaitInfo info = {
        .sType = VK_STRUCTURE_TYPE_SEMAPHORE_WAIT_INFO,
        .semaphoreCount = count,
        .pSemaphores = semaphores,
        .pValues = values,
    };
    VkResult result = zcs__vk.vkWaitSemaphores(context->impl->device, &info, UINT64_MAX);
    zcs__stats_add_device_wait(context);
    if (result != VK_SUCCESS)
        return zcs__vk_fail(context, result, "vkWaitSemaphores",
                            "waiting for the work that uses an array");
    return ZCS_SUCCESS;
}

zcs_status zcs__backend_array_wait(zcs_array *array, uint64_t serial)
{
    zcs_context *context = array->context;
    struct zcs__context_impl *ctx = context->impl;
    zcs_status status = ZCS_SUCCESS;
    /* zcs's own dispatch: by its slot's fence (see zcs__vk_wait_dispatch for why not the
       timeline). */
    if (serial != 0)
        status = zcs__vk_wait_dispatch(ctx, serial);
    if (status != ZCS_SUCCESS)
        return status;
    /* The application's work: copy the list, wait outside the lock, then forget what was
       waited for (new entries cannot come: the array is claimed). */
    zcs__vk_wait_list waits = {0};
    pthread_mutex_lock(&ctx->submit_lock);
    const zcs__vk_wait_list *app = &array->impl->app_waits;
    for (uint32_t w = 0; w < app->count && status == ZCS_SUCCESS; w++)
        status = zcs__vk_wait_list_add(context, &waits, app->semaphores[w], app->values[w]);
    pthread_mutex_unlock(&ctx->submit_lock);
    if (status == ZCS_SUCCESS)
        status = zcs__vk_wait_values(context, waits.count, waits.semaphores, waits.values);
    zcs__vk_wait_list_free(&waits);
    if (status == ZCS_SUCCESS) {
        pthread_mutex_lock(&ctx->submit_lock);
        array->impl->app_waits.count = 0;
        pthread_mutex_unlock(&ctx->submit_lock);
    }
    return status;
}

/* ------------------------------------------------------------------------ */
/* The ordering calls of zcs/zcs_vulkan.h                                    */
/* ------------------------------------------------------------------------ */

static zcs_status zcs__vk_need_timeline(zcs_context *context, const char *function)
{
    if (context->impl->timeline_semaphores)
        return ZCS_SUCCESS;
    return zcs__fail(context, ZCS_ERROR_UNSUPPORTED, 0,
                     "%s: the device has no timeline semaphores (the Vulkan 1.2 feature "
                     "timelineSemaphore is not enabled)",
                     function);
}

zcs_status zcs_vulkan_wait_semaphore(zcs_context *context_handle, VkSemaphore semaphore,
                                     uint64_t value)
{
    ZCS__RESOLVE_CONTEXT(context, context_handle, "zcs_vulkan_wait_semaphore");
    if (semaphore == VK_NULL_HANDLE)
        return zcs__fail(context, ZCS_ERROR_NULL_HANDLE, 0,
                         "zcs_vulkan_wait_semaphore: semaphore is VK_NULL_HANDLE");
    if (value != 0) {
        zcs_status status = zcs__vk_need_timeline(context, "zcs_vulkan_wait_semaphore");
        if (status != ZCS_SUCCESS)
            return status;
    }
    struct zcs__context_impl *ctx = context->impl;
    pthread_mutex_lock(&ctx->submit_lock);
    zcs_status status = ZCS_SUCCESS;
    /* A binary semaphore is waited for once: the same one twice would wait for two
       signals. */
    for (uint32_t i = 0; i < ctx->pending_waits.count && value == 0; i++)
        if (ctx->pending_waits.semaphores[i] == semaphore)
            status = zcs__fail(context, ZCS_ERROR_INVALID_ARGUMENT, 0,
                               "zcs_vulkan_wait_semaphore: that binary semaphore is already "
                               "waited for by the next dispatch");
    if (status == ZCS_SUCCESS)
        status = zcs__vk_wait_list_add(context, &ctx->pending_waits, semaphore, value);
    pthread_mutex_unlock(&ctx->submit_lock);
    return status;
}

zcs_status zcs_vulkan_array_used_by(zcs_array *array_handle, VkSemaphore timeline, uint64_t value)
{
    ZCS__CLAIM(zcs_array, array, array_handle, ZCS__MAGIC_ARRAY, 1, "array",
               "zcs_vulkan_array_used_by");
    zcs_context *context = array->context;
    zcs_status status = zcs__vk_need_timeline(context, "zcs_vulkan_array_used_by");
    if (status == ZCS_SUCCESS && timeline == VK_NULL_HANDLE)
        status = zcs__fail(context, ZCS_ERROR_NULL_HANDLE, 0,
                           "zcs_vulkan_array_used_by: timeline is VK_NULL_HANDLE");
    if (status == ZCS_SUCCESS && value == 0)
        status = zcs__fail(context, ZCS_ERROR_INVALID_ARGUMENT, 0,
                           "zcs_vulkan_array_used_by: value 0 is reached before any signal; "
                           "give the value the application's work signals");
    if (status == ZCS_SUCCESS && array->mapped)
        status = zcs__fail(context, ZCS_ERROR_MAPPED, 0,
                           "zcs_vulkan_array_used_by: the array is mapped; the application may "
                           "use it only while it is unmapped");
    if (status == ZCS_SUCCESS) {
        struct zcs__context_impl *ctx = context->impl;
        pthread_mutex_lock(&ctx->submit_lock);
        status = zcs__vk_wait_list_add(context, &array->impl->app_waits, timeline, value);
        if (status == ZCS_SUCCESS)
            zcs__readahead_forget(&array->impl->readahead);
        pthread_mutex_unlock(&ctx->submit_lock);
    }
    if (status == ZCS_SUCCESS)
        zcs__array_note_app_use(array);
    zcs__handle_release(array_handle);
    return status;
}

zcs_status zcs_vulkan_timeline(zcs_context *context_handle, VkSemaphore *out_timeline,
                               uint64_t *out_value)
{
    ZCS__RESOLVE_CONTEXT(context, context_handle, "zcs_vulkan_timeline");
    if (out_timeline == NULL && out_value == NULL)
        return zcs__fail(context, ZCS_ERROR_NULL_HANDLE, 0,
                         "zcs_vulkan_timeline: out_timeline and out_value are both NULL");
    zcs_status status = zcs__vk_need_timeline(context, "zcs_vulkan_timeline");
    if (status != ZCS_SUCCESS)
        return status;
    /* A dispatch being handed over on another thread is part of "so far". */
    pthread_mutex_lock(&context->dispatch_lock);
    uint64_t value = zcs__vk_covering_value(context->impl, UINT64_MAX);
    pthread_mutex_unlock(&context->dispatch_lock);
    if (out_timeline != NULL)
        *out_timeline = context->impl->timeline;
    if (out_value != NULL)
        *out_value = value;
    return ZCS_SUCCESS;
}

zcs_status zcs_vulkan_array_timeline_value(zcs_array *array_handle, uint64_t *out_value)
{
    ZCS__CLAIM(zcs_array, array, array_handle, ZCS__MAGIC_ARRAY, 0, "array",
               "zcs_vulkan_array_timeline_value");
    zcs_context *context = array->context;
    zcs_status status = zcs__vk_need_timeline(context, "zcs_vulkan_array_timeline_value");
    if (status == ZCS_SUCCESS && out_value == NULL)
        status = zcs__fail(context, ZCS_ERROR_NULL_HANDLE, 0,
                           "zcs_vulkan_array_timeline_value: out_value is NULL");
    if (status == ZCS_SUCCESS) {
        pthread_mutex_lock(&context->dispatch_lock);
        pthread_mutex_lock(&context->lock);
        uint64_t last_use = array->last_use_serial;
        pthread_mutex_unlock(&context->lock);
        *out_value = zcs__vk_covering_value(context->impl, last_use);
        pthread_mutex_unlock(&context->dispatch_lock);
    }
    zcs__handle_release(array_handle);
    return status;
}
