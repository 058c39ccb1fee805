/* Context creation and destruction, info, statistics and zcs_finish. */
#define _POSIX_C_SOURCE 200809L /* strcasecmp */

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "backend.h"
#include "core/checks.h"
#include "core/list.h"
#include "core/validation.h"

#define ZCS__KNOWN_CONTEXT_FLAGS                                                                   \
    (ZCS_CONTEXT_VALIDATE | ZCS_CONTEXT_IGNORE_ENVIRONMENT | ZCS_CONTEXT_DEVICE_INDEX)

/* "#N" or "N" (decimal digits only, below UINT32_MAX) is a device index; anything else is
   a name filter. Returns 1 and sets *out_index for an index. */
static int zcs__device_index_from_text(const char *text, uint32_t *out_index)
{
    if (text[0] == '#')
        text++;
    if (text[0] == '\0')
        return 0;
    uint64_t value = 0;
    for (const char *c = text; *c != '\0'; c++) {
        if (*c < '0' || *c > '9')
            return 0;
        value = value * 10 + (uint64_t)(*c - '0');
        if (value >= ZCS__ANY_DEVICE)
            return 0;
    }
    *out_index = (uint32_t)value;
    return 1;
}

static int zcs__wait_from_name(const char *name, zcs_wait *out_wait)
{
    for (int w = ZCS_WAIT_AUTO; w < ZCS_WAIT_COUNT; w++) {
        if (strcmp(name, zcs_wait_name((zcs_wait)w)) == 0) {
            *out_wait = (zcs_wait)w;
            return 1;
        }
    }
    return 0;
}

static int zcs__tier_from_name(const char *name, zcs_tier *out_tier)
{
    for (int t = ZCS_TIER_AUTO; t < ZCS_TIER_COUNT; t++) {
        if (strcmp(name, zcs__tier_name((zcs_tier)t)) == 0) {
            *out_tier = (zcs_tier)t;
            return 1;
        }
    }
    return 0;
}

/* 1 for 1/yes/on/true, 0 for 0/no/off/false (any case), -1 for anything else. */
static int zcs__parse_switch(const char *value)
{
    static const char *const on[] = {"1", "yes", "on", "true"};
    static const char *const off[] = {"0", "no", "off", "false"};
    for (size_t i = 0; i < sizeof on / sizeof on[0]; i++) {
        if (strcasecmp(value, on[i]) == 0)
            return 1;
        if (strcasecmp(value, off[i]) == 0)
            return 0;
    }
    return -1;
}

/* What zcs_context_create and zcs__context_attach settle before the backend runs. */
typedef struct zcs__context_settings {
    zcs_tier tier;
    const char *tier_source;
    int validation;
    int use_environment;
    zcs_wait wait; /* ZCS_WAIT_AUTO: resolved once the device is known (zcs__wait_resolve) */
    uint32_t wait_poll_us;
    const char *wait_source;
} zcs__context_settings;

/* The tier (with ZCS_TIER), validation (with ZCS_VALIDATE) and wait (with ZCS_WAIT) of a new
   context, from the desc's tier, flags and wait; unknown flag bits, tiers, waits and
   variable values are refused. */
static zcs_status zcs__context_settle(const char *function, zcs_tier desc_tier, uint32_t flags,
                                      uint32_t known_flags, zcs_wait desc_wait,
                                      uint32_t wait_poll_us, zcs__context_settings *out)
{
    if ((flags & ~known_flags) != 0)
        return zcs__fail(NULL, ZCS_ERROR_INVALID_ARGUMENT, 0, "%s: unknown flag bits 0x%x",
                         function, (unsigned)(flags & ~known_flags));
    if ((int)desc_tier < 0 || (int)desc_tier >= ZCS_TIER_COUNT)
        return zcs__fail(NULL, ZCS_ERROR_INVALID_ARGUMENT, 0, "%s: unknown tier %d", function,
                         (int)desc_tier);
    int use_environment = (flags & ZCS_CONTEXT_IGNORE_ENVIRONMENT) == 0;

    zcs_tier tier = desc_tier;
    const char *tier_source = "the context option";
    const char *tier_env = use_environment ? getenv("ZCS_TIER") : NULL;
    if (tier == ZCS_TIER_AUTO && tier_env != NULL && tier_env[0] != '\0') {
        if (!zcs__tier_from_name(tier_env, &tier))
            return zcs__fail(NULL, ZCS_ERROR_INVALID_ARGUMENT, 0,
                             "ZCS_TIER=%s is not a tier: use auto, svm_fine, svm_coarse, "
                             "host_ptr, vulkan_mapped or staged",
                             tier_env);
        tier_source = "ZCS_TIER";
    }
    if (tier != ZCS_TIER_AUTO &&
        (zcs__tier_backends(tier) & ZCS__BACKEND_BIT(zcs__backend_id)) == 0)
        return zcs__fail(NULL, ZCS_ERROR_UNSUPPORTED, 0,
                         "tier %s (forced by %s) belongs to the %s backend; this zcs is built "
                         "with the %s backend",
                         zcs__tier_name(tier), tier_source,
                         zcs__backend_name(zcs__tier_backend(tier)),
                         zcs__backend_name(zcs__backend_id));

    int validation = (flags & ZCS_CONTEXT_VALIDATE) != 0;
    const char *validate_env = use_environment ? getenv("ZCS_VALIDATE") : NULL;
    if (validate_env != NULL && validate_env[0] != '\0') {
        int on = zcs__parse_switch(validate_env);
        if (on < 0)
            return zcs__fail(NULL, ZCS_ERROR_INVALID_ARGUMENT, 0,
                             "ZCS_VALIDATE=%s is not a switch: use 1, yes, on or true to turn "
                             "validation on, 0, no, off or false (or nothing) to leave it off",
                             validate_env);
        validation |= on;
    }

    if ((int)desc_wait < 0 || (int)desc_wait >= ZCS_WAIT_COUNT)
        return zcs__fail(NULL, ZCS_ERROR_INVALID_ARGUMENT, 0, "%s: unknown wait %d", function,
                         (int)desc_wait);
    zcs_wait wait = desc_wait;
    const char *wait_source = "the context option";
    const char *wait_env = use_environment ? getenv("ZCS_WAIT") : NULL;
    if (wait == ZCS_WAIT_AUTO && wait_env != NULL && wait_env[0] != '\0') {
        if (!zcs__wait_from_name(wait_env, &wait))
            return zcs__fail(NULL, ZCS_ERROR_INVALID_ARGUMENT, 0,
                             "ZCS_WAIT=%s is not a wait: use auto, block or poll", wait_env);
        wait_source = "ZCS_WAIT";
    }
    out->wait = wait;
    out->wait_poll_us = wait_poll_us;
    out->wait_source = wait_source;
    out->tier = tier;
    out->tier_source = tier_source;
    out->validation = validation;
    out->use_environment = use_environment;
    return ZCS_SUCCESS;
}

/* A new context object with its locks and lists, before the backend state. */
static zcs_status zcs__context_new(const char *function, int validation, zcs_context **out)
{
    zcs_context *context = zcs__calloc(1, sizeof *context);
    if (context == NULL)
        return zcs__fail(NULL, ZCS_ERROR_OUT_OF_MEMORY, 0, "%s: out of host memory", function);
    int locks = 0;
    if (pthread_mutex_init(&context->lock, NULL) == 0)
        locks++;
    if (locks == 1 && pthread_mutex_init(&context->dispatch_lock, NULL) == 0)
        locks++;
    if (locks == 2 && pthread_mutex_init(&context->error_lock, NULL) == 0)
        locks++;
    if (locks < 3) {
        if (locks > 1)
            pthread_mutex_destroy(&context->dispatch_lock);
        if (locks > 0)
            pthread_mutex_destroy(&context->lock);
        zcs__free(context);
        return zcs__fail(NULL, ZCS_ERROR_OUT_OF_MEMORY, 0, "%s: cannot create a mutex", function);
    }
    zcs__list_init(&context->buffers);
    zcs__list_init(&context->programs);
    zcs__list_init(&context->kernels);
    context->info.backend = zcs__backend_id;
    context->info.backend_name = zcs__backend_name(zcs__backend_id);
    context->info.device_name = context->device_name;
    context->info.platform_name = context->platform_name;
    context->info.tier_reason = context->tier_reason;
    context->info.wait_reason = context->wait_reason;
    context->info.validation = validation;
    *out = context;
    return ZCS_SUCCESS;
}

/* After the backend's create or attach returned `status`: hand out the context's handle,
   or free the context (the backend released its state on failure). */
static zcs_status zcs__context_publish(const char *function, zcs_context *context,
                                       const zcs__context_settings *settings, zcs_status status,
                                       zcs_context **out_context)
{
    if (status == ZCS_SUCCESS)
        zcs__wait_resolve(context, settings->wait, settings->wait_poll_us, settings->wait_source);
    /* Arrays flagged ZCS_ARRAY_STREAMED take the context's tier unless the backend chose
       another for them (a staged context on a discrete device). */
    if (status == ZCS_SUCCESS && context->streamed_tier == ZCS_TIER_AUTO)
        context->streamed_tier = context->info.tier;
    if (status == ZCS_SUCCESS &&
        (context->handle = zcs__handle_register(context, ZCS__MAGIC_CONTEXT, NULL)) == NULL) {
        zcs__backend_context_destroy(context);
        status = zcs__fail(NULL, ZCS_ERROR_OUT_OF_MEMORY, 0, "%s: out of host memory", function);
    }
    if (status != ZCS_SUCCESS) {
        /* The message is on this thread already; the context dies with it. */
        pthread_mutex_destroy(&context->error_lock);
        pthread_mutex_destroy(&context->dispatch_lock);
        pthread_mutex_destroy(&context->lock);
        zcs__free(context);
        return status;
    }
    *out_context = context->handle;
    return ZCS_SUCCESS;
}

zcs_status zcs_context_create(const zcs_context_desc *desc, zcs_context **out_context)
{
    static const zcs_context_desc defaults = {0};
    const char *function = "zcs_context_create";
    if (out_context == NULL)
        return zcs__fail(NULL, ZCS_ERROR_NULL_HANDLE, 0, "zcs_context_create: out_context is NULL");
    if (desc == NULL)
        desc = &defaults;
    zcs__context_settings settings = {0};
    zcs_status status =
        zcs__context_settle(function, desc->tier, desc->flags, ZCS__KNOWN_CONTEXT_FLAGS, desc->wait,
                            desc->wait_poll_us, &settings);
    if (status != ZCS_SUCCESS)
        return status;

    zcs__device_choice device = {"", ZCS__ANY_DEVICE, "the context option"};
    if ((desc->flags & ZCS_CONTEXT_DEVICE_INDEX) != 0) {
        if (desc->device_name != NULL)
            return zcs__fail(NULL, ZCS_ERROR_INVALID_ARGUMENT, 0,
                             "zcs_context_create: ZCS_CONTEXT_DEVICE_INDEX with a device_name "
                             "(\"%.100s\"): choose the device by index or by name, not both",
                             desc->device_name);
        if (desc->device_index == ZCS__ANY_DEVICE)
            return zcs__fail(NULL, ZCS_ERROR_NO_DEVICE, 0,
                             "zcs_context_create: device index %u is past the last device",
                             (unsigned)desc->device_index);
        device.index = desc->device_index;
    } else {
        const char *device_name = desc->device_name;
        if (device_name == NULL && settings.use_environment) {
            device_name = getenv("ZCS_DEVICE");
            device.source = "ZCS_DEVICE";
        }
        if (device_name == NULL)
            device_name = "";
        if (!zcs__device_index_from_text(device_name, &device.index))
            device.name = device_name;
    }

    zcs_context *context = NULL;
    status = zcs__context_new(function, settings.validation, &context);
    if (status != ZCS_SUCCESS)
        return status;
    status = zcs__backend_context_create(context, &device, settings.tier, settings.tier_source);
    return zcs__context_publish(function, context, &settings, status, out_context);
}

zcs_status zcs__context_attach(const char *function, const void *native_desc, zcs_tier tier,
                               uint32_t flags, zcs_wait wait, uint32_t wait_poll_us,
                               zcs_context **out_context)
{
    if (out_context == NULL)
        return zcs__fail(NULL, ZCS_ERROR_NULL_HANDLE, 0, "%s: out_context is NULL", function);
    if (native_desc == NULL)
        return zcs__fail(NULL, ZCS_ERROR_NULL_HANDLE, 0, "%s: desc is NULL", function);
    /* The device is the application's: ZCS_CONTEXT_DEVICE_INDEX has no meaning here. */
    const uint32_t known = ZCS_CONTEXT_VALIDATE | ZCS_CONTEXT_IGNORE_ENVIRONMENT;
    if ((flags & ZCS_CONTEXT_DEVICE_INDEX) != 0)
        return zcs__fail(NULL, ZCS_ERROR_INVALID_ARGUMENT, 0,
                         "%s: ZCS_CONTEXT_DEVICE_INDEX does not apply: the application's "
                         "objects name the device",
                         function);
    zcs__context_settings settings = {0};
    zcs_status status =
        zcs__context_settle(function, tier, flags, known, wait, wait_poll_us, &settings);
    if (status != ZCS_SUCCESS)
        return status;
    zcs_context *context = NULL;
    status = zcs__context_new(function, settings.validation, &context);
    if (status != ZCS_SUCCESS)
        return status;
    status = zcs__backend_context_attach(context, native_desc, settings.tier, settings.tier_source);
    return zcs__context_publish(function, context, &settings, status, out_context);
}

void zcs_context_destroy(zcs_context *handle)
{
    zcs_context *context = zcs__handle_lookup(handle, ZCS__MAGIC_CONTEXT);
    if (context == NULL)
        return;
    /* The context's own handle goes first: calls that start from here on are refused. */
    zcs__handle_unregister(handle);
    zcs__backend_finish(context);
    while (!zcs__list_empty(&context->kernels))
        zcs__kernel_destroy_object(ZCS__CONTAINER_OF(context->kernels.next, zcs_kernel, link));
    while (!zcs__list_empty(&context->programs))
        zcs__program_destroy_object(ZCS__CONTAINER_OF(context->programs.next, zcs_program, link));
    while (!zcs__list_empty(&context->buffers))
        (void)zcs__array_destroy_object(ZCS__CONTAINER_OF(context->buffers.next, zcs_array, link));
    zcs__backend_context_destroy(context);
    pthread_mutex_destroy(&context->error_lock);
    pthread_mutex_destroy(&context->dispatch_lock);
    pthread_mutex_destroy(&context->lock);
    zcs__free(context);
}

zcs_status zcs_context_info_get(const zcs_context *context_handle, zcs_context_info *out_info)
{
    ZCS__RESOLVE_CONTEXT(context, context_handle, "zcs_context_info_get");
    if (out_info == NULL)
        return zcs__fail(context, ZCS_ERROR_NULL_HANDLE, 0,
                         "zcs_context_info_get: out_info is NULL");
    *out_info = context->info;
    return ZCS_SUCCESS;
}

zcs_status zcs_stats_get(const zcs_context *context_handle, zcs_stats *out_stats)
{
    ZCS__RESOLVE_CONTEXT(context, context_handle, "zcs_stats_get");
    if (out_stats == NULL)
        return zcs__fail(context, ZCS_ERROR_NULL_HANDLE, 0, "zcs_stats_get: out_stats is NULL");
    pthread_mutex_lock(&context->lock);
    *out_stats = context->stats;
    pthread_mutex_unlock(&context->lock);
    out_stats->validation_messages = atomic_load(&context->validation_messages);
    /* A poll counts itself before its timeout: read the timeouts first, so that a snapshot
       taken during a poll never has more timeouts than polls. (A wait in progress may show
       its poll before its device wait, which counts once the wait returns.) */
    out_stats->poll_timeouts = atomic_load(&context->poll_timeouts);
    out_stats->polled_waits = atomic_load(&context->polled_waits);
    out_stats->device_waits = atomic_load(&context->device_waits);
    return ZCS_SUCCESS;
}

void zcs__stats_add_copied(zcs_context *context, uint64_t bytes)
{
    pthread_mutex_lock(&context->lock);
    context->stats.bytes_copied += bytes;
    pthread_mutex_unlock(&context->lock);
}

void zcs__stats_add_device_wait(zcs_context *context)
{
    atomic_fetch_add(&context->device_waits, 1);
}

void zcs__array_note_app_use(zcs_array *array)
{
    pthread_mutex_lock(&array->context->lock);
    array->app_use_pending = 1;
    pthread_mutex_unlock(&array->context->lock);
}

void zcs__serial_handed_over(zcs_context *context, uint64_t serial)
{
    pthread_mutex_lock(&context->lock);
    int in_flight = serial > context->enqueued_serial;
    pthread_mutex_unlock(&context->lock);
    if (in_flight) {
        /* Another thread is still handing that dispatch to the backend, under
           dispatch_lock: wait until it has. */
        pthread_mutex_lock(&context->dispatch_lock);
        pthread_mutex_unlock(&context->dispatch_lock);
    }
}

void zcs__array_waited(zcs_array *array, uint64_t serial)
{
    zcs_context *context = array->context;
    /* Dispatches finish in the order of their serials (both backends order each after the
       previous one), so every serial up to this one is done too. */
    pthread_mutex_lock(&context->lock);
    if (serial > context->completed_serial)
        context->completed_serial = serial;
    array->app_use_pending = 0;
    pthread_mutex_unlock(&context->lock);
}

zcs_status zcs__array_wait(zcs_array *array, uint64_t serial)
{
    zcs_context *context = array->context;
    pthread_mutex_lock(&context->lock);
    int done = serial <= context->completed_serial;
    int app_use = array->app_use_pending;
    pthread_mutex_unlock(&context->lock);
    if (done && !app_use)
        return ZCS_SUCCESS;
    zcs__serial_handed_over(context, serial);
    zcs_status status = zcs__backend_array_wait(array, done ? 0 : serial);
    if (status == ZCS_SUCCESS)
        zcs__array_waited(array, serial);
    return status;
}

zcs_status zcs__context_wait(zcs_context *context, uint64_t serial)
{
    pthread_mutex_lock(&context->lock);
    int done = serial <= context->completed_serial;
    pthread_mutex_unlock(&context->lock);
    if (done)
        return ZCS_SUCCESS;
    zcs__serial_handed_over(context, serial);
    /* Only serials already enqueued can be claimed complete after the finish below. */
    pthread_mutex_lock(&context->lock);
    uint64_t enqueued = context->enqueued_serial;
    pthread_mutex_unlock(&context->lock);
    zcs_status status = zcs__backend_finish(context);
    if (status != ZCS_SUCCESS)
        return status;
    pthread_mutex_lock(&context->lock);
    if (enqueued > context->completed_serial)
        context->completed_serial = enqueued;
    pthread_mutex_unlock(&context->lock);
    return ZCS_SUCCESS;
}

zcs_status zcs_finish(zcs_context *context_handle)
{
    ZCS__RESOLVE_CONTEXT(context, context_handle, "zcs_finish");
    pthread_mutex_lock(&context->lock);
    uint64_t enqueued = context->enqueued_serial;
    pthread_mutex_unlock(&context->lock);
    zcs_status status = enqueued == 0 ? ZCS_SUCCESS : zcs__context_wait(context, enqueued);
    if (status != ZCS_SUCCESS || !context->info.validation)
        return status;
    /* Validation mode: read the guards of every array that is neither mapped nor used by a
       dispatch another thread made since the wait. Under the lock, so that no other thread
       frees an array meanwhile and none of its calls is refused for it (a claim would make
       them fail with ZCS_ERROR_BUSY): validation mode is for finding bugs, and a guard read
       holds the lock no longer than a map's own check. A failure's message takes
       error_lock, not this one. */
    pthread_mutex_lock(&context->lock);
    for (zcs__link *link = context->buffers.next; link != &context->buffers; link = link->next) {
        zcs_array *buffer = ZCS__CONTAINER_OF(link, zcs_array, link);
        if (buffer->guard_size == 0 || buffer->mapped ||
            buffer->last_use_serial > context->completed_serial)
            continue;
        status = zcs__validation_check_guards(buffer, "zcs_finish");
        if (status != ZCS_SUCCESS)
            break;
    }
    pthread_mutex_unlock(&context->lock);
    return status;
}
