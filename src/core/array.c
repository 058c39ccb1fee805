/* Arrays of structs: allocation, free, map and unmap, with their argument checks. */
#include <stdio.h>
#include <string.h>

#include "backend.h"
#include "core/checks.h"
#include "core/list.h"
#include "core/validation.h"

#define ZCS__KNOWN_ARRAY_FLAGS                                                                     \
    (ZCS_ARRAY_HOST_WRITE_ONLY | ZCS_ARRAY_HOST_READ_ONLY | ZCS_ARRAY_DEVICE_READ_ONLY |           \
     ZCS_ARRAY_DEVICE_WRITE_ONLY | ZCS_ARRAY_STREAMED)

/* Give back bytes reserved by zcs_array_create when the allocation failed. */
static void zcs__unreserve(zcs_context *context, size_t size)
{
    pthread_mutex_lock(&context->lock);
    context->bytes_live -= size;
    pthread_mutex_unlock(&context->lock);
}

/* zcs_array_create's way to give an array memory: the backend allocates it. */
static zcs_status zcs__make_allocated(zcs_array *array, void *user)
{
    (void)user;
    if (array->flags & ZCS_ARRAY_EXPORTABLE) {
        zcs_status status = zcs__import_check_exportable(array);
        if (status != ZCS_SUCCESS)
            return status;
    }
    return zcs__backend_array_create(array);
}

zcs_status zcs_array_create(zcs_context *context_handle, size_t elem_size, size_t count,
                            uint32_t flags, zcs_array **out_buffer)
{
    ZCS__RESOLVE_CONTEXT(context, context_handle, "zcs_array_create");
    return zcs__array_new(context, "zcs_array_create", elem_size, count, flags,
                          ZCS_ARRAY_EXPORTABLE, zcs__make_allocated, NULL, out_buffer);
}

zcs_status zcs__array_new(zcs_context *context, const char *call, size_t elem_size, size_t count,
                          uint32_t flags, uint32_t extra_flags, zcs__array_make_fn make, void *user,
                          zcs_array **out_buffer)
{
    uint32_t known_flags = (uint32_t)ZCS__KNOWN_ARRAY_FLAGS | extra_flags;
    if (out_buffer == NULL)
        return zcs__fail(context, ZCS_ERROR_NULL_HANDLE, 0, "%s: out_array is NULL", call);
    if (elem_size == 0 || count == 0)
        return zcs__fail(context, ZCS_ERROR_ZERO_SIZE, 0,
                         "%s: element size %zu and count %zu: neither may be zero", call, elem_size,
                         count);
    if (count > SIZE_MAX / elem_size)
        return zcs__fail(context, ZCS_ERROR_SIZE_OVERFLOW, 0,
                         "%s: %zu elements of %zu bytes overflow size_t", call, count, elem_size);
    size_t size = elem_size * count;
    /* Validation mode allocates guard bytes on both sides, within the same limits; an
       exportable array is shared whole with its importers, so it has none. */
    size_t guard = context->info.validation && !(flags & ZCS_ARRAY_EXPORTABLE)
                       ? zcs__validation_guard_size(context)
                       : 0;
    if (size > SIZE_MAX - 2 * guard || (uint64_t)(size + 2 * guard) > context->info.max_alloc_size)
        return zcs__fail(context, ZCS_ERROR_TOO_LARGE, 0,
                         "%s: %zu bytes (%zu elements of %zu bytes)%s exceed the device's "
                         "maximum allocation of %llu bytes",
                         call, size, count, elem_size,
                         guard != 0 ? " and validation's guard bytes" : "",
                         (unsigned long long)context->info.max_alloc_size);
    if ((flags & ~known_flags) != 0)
        return zcs__fail(
            context, ZCS_ERROR_INVALID_ARGUMENT, 0, "%s: unknown flag bits 0x%x%s", call,
            (unsigned)(flags & ~known_flags),
            (flags & ~known_flags & (ZCS_ARRAY_EXPORTABLE | ZCS_ARRAY_REQUIRE_ZERO_COPY))
                ? " (ZCS_ARRAY_EXPORTABLE is for zcs_array_create, "
                  "ZCS_ARRAY_REQUIRE_ZERO_COPY for the imports)"
                : "");
    if ((flags & ZCS_ARRAY_HOST_WRITE_ONLY) && (flags & ZCS_ARRAY_HOST_READ_ONLY))
        return zcs__fail(context, ZCS_ERROR_INVALID_ARGUMENT, 0,
                         "%s: ZCS_ARRAY_HOST_WRITE_ONLY and ZCS_ARRAY_HOST_READ_ONLY "
                         "exclude each other (use 0 for host read and write)",
                         call);
    if ((flags & ZCS_ARRAY_DEVICE_READ_ONLY) && (flags & ZCS_ARRAY_DEVICE_WRITE_ONLY))
        return zcs__fail(context, ZCS_ERROR_INVALID_ARGUMENT, 0,
                         "%s: ZCS_ARRAY_DEVICE_READ_ONLY and ZCS_ARRAY_DEVICE_WRITE_ONLY "
                         "exclude each other (use 0 for kernel read and write)",
                         call);

    /* Reserve the bytes against the budget before the backend allocates them. */
    pthread_mutex_lock(&context->lock);
    uint64_t budget = context->info.memory_budget;
    uint64_t live = context->bytes_live;
    int over_budget = budget != 0 && (uint64_t)size > budget - (live < budget ? live : budget);
    if (!over_budget)
        context->bytes_live += size;
    pthread_mutex_unlock(&context->lock);
    if (over_budget)
        return zcs__fail(context, ZCS_ERROR_OUT_OF_MEMORY, 0,
                         "%s: %zu more bytes would exceed the device memory of %llu bytes "
                         "(%llu bytes of arrays are live in this context)",
                         call, size, (unsigned long long)budget, (unsigned long long)live);

    zcs_array *buffer = zcs__calloc(1, sizeof *buffer);
    if (buffer == NULL) {
        zcs__unreserve(context, size);
        return zcs__fail(context, ZCS_ERROR_OUT_OF_MEMORY, 0, "%s: out of host memory", call);
    }
    buffer->context = context;
    buffer->elem_size = elem_size;
    buffer->count = count;
    buffer->size = size;
    buffer->flags = flags;
    /* Streamed arrays keep host memory where the context stages the others (the backend
       set streamed_tier when it chose staged automatically). */
    int streamed =
        (flags & ZCS_ARRAY_STREAMED) != 0 && context->streamed_tier != context->info.tier;
    buffer->tier = streamed ? context->streamed_tier : context->info.tier;
    buffer->guard_size = guard;
    buffer->zero_copy = buffer->tier != ZCS_TIER_STAGED;
    if (streamed)
        (void)snprintf(buffer->reason, sizeof buffer->reason,
                       "%s: ZCS_ARRAY_STREAMED on a device without unified memory: each side "
                       "touches the data once, so it stays in host memory the device reaches "
                       "over the bus, with no copies",
                       zcs__tier_name(buffer->tier));
    else
        (void)snprintf(buffer->reason, sizeof buffer->reason,
                       "allocated by zcs with the context's tier %s", zcs__tier_name(buffer->tier));
    zcs_status status = make(buffer, user);
    if (status == ZCS_SUCCESS && buffer->guard_size != 0) {
        status = zcs__validation_fill_guards(buffer);
        if (status != ZCS_SUCCESS)
            zcs__backend_array_destroy(buffer);
    }
    if (status != ZCS_SUCCESS) {
        zcs__free(buffer);
        zcs__unreserve(context, size);
        return status;
    }
    buffer->handle = zcs__handle_register(buffer, ZCS__MAGIC_ARRAY, context);
    if (buffer->handle == NULL) {
        zcs__backend_array_destroy(buffer);
        zcs__free(buffer);
        zcs__unreserve(context, size);
        return zcs__fail(context, ZCS_ERROR_OUT_OF_MEMORY, 0, "%s: out of host memory", call);
    }

    pthread_mutex_lock(&context->lock);
    zcs__list_push(&context->buffers, &buffer->link);
    context->stats.bytes_allocated[buffer->tier] += size;
    context->stats.bytes_allocated_total += size;
    if (buffer->imported)
        context->stats.imports++;
    else
        context->stats.allocations++;
    context->stats.live_arrays++;
    context->stats.live_imported_arrays += buffer->imported != 0;
    context->stats.live_copying_arrays += buffer->zero_copy == 0;
    pthread_mutex_unlock(&context->lock);
    *out_buffer = buffer->handle;
    return ZCS_SUCCESS;
}

static zcs_status zcs__unmap(zcs_array *buffer);

zcs_status zcs__array_destroy_object(zcs_array *buffer)
{
    zcs_context *context = buffer->context;
    /* Retire the handle and read the last use in one locked step: a dispatch on another
       thread either resolved the array first (and stamped its serial, which the wait below
       covers) or no longer finds it (and is refused). */
    pthread_mutex_lock(&context->lock);
    zcs__handle_unregister(buffer->handle);
    uint64_t last_use = buffer->last_use_serial;
    pthread_mutex_unlock(&context->lock);
    zcs_status status = zcs__array_wait(buffer, last_use);
    if (status == ZCS_SUCCESS && buffer->guard_size != 0 && !buffer->mapped)
        status = zcs__validation_check_guards(buffer, "zcs_array_destroy");
    if (buffer->mapped) {
        zcs_status unmap_status = zcs__unmap(buffer);
        if (status == ZCS_SUCCESS)
            status = unmap_status;
    }

    pthread_mutex_lock(&context->lock);
    zcs__list_remove(&buffer->link);
    context->stats.bytes_allocated[buffer->tier] -= buffer->size;
    context->bytes_live -= buffer->size;
    context->stats.frees++;
    context->stats.live_arrays--;
    context->stats.live_imported_arrays -= buffer->imported != 0;
    context->stats.live_copying_arrays -= buffer->zero_copy == 0;
    pthread_mutex_unlock(&context->lock);

    zcs__backend_array_destroy(buffer);
    zcs__free(buffer);
    return status;
}

zcs_status zcs_array_destroy(zcs_array *handle)
{
    if (handle == NULL)
        return ZCS_SUCCESS;
    ZCS__CLAIM(zcs_array, buffer, handle, ZCS__MAGIC_ARRAY, 1, "buffer", "zcs_array_destroy");
    return zcs__array_destroy_object(buffer);
}

zcs_array *zcs__array_still(const void *handle, const zcs_array *expected)
{
    zcs_array *buffer = zcs__handle_lookup(handle, ZCS__MAGIC_ARRAY);
    return buffer == expected ? buffer : NULL;
}

/* The fields of an array the getters return (they never change while it lives). */
typedef struct zcs__array_facts {
    size_t elem_size;
    size_t count;
    size_t size;
    zcs_tier tier;
    uint32_t flags;
    int zero_copy;
    int imported;
    const char *reason;
} zcs__array_facts;

static void zcs__read_facts(const void *object, void *out)
{
    const zcs_array *buffer = object;
    zcs__array_facts *facts = out;
    facts->elem_size = buffer->elem_size;
    facts->count = buffer->count;
    facts->size = buffer->size;
    facts->tier = buffer->tier;
    facts->flags = buffer->flags;
    facts->zero_copy = buffer->zero_copy;
    facts->imported = buffer->imported;
    facts->reason = buffer->reason;
}

/* Read under the pool's lock: a free on another thread retires the handle before it
   releases the memory, so this never reads a freed array. */
static zcs__array_facts zcs__array_facts_of(const zcs_array *handle)
{
    zcs__array_facts facts = {0, 0, 0, ZCS_TIER_AUTO, 0, 0, 0, NULL};
    (void)zcs__handle_read(handle, ZCS__MAGIC_ARRAY, zcs__read_facts, &facts);
    return facts;
}

size_t zcs_array_elem_size(const zcs_array *buffer)
{
    return zcs__array_facts_of(buffer).elem_size;
}

size_t zcs_array_count(const zcs_array *buffer)
{
    return zcs__array_facts_of(buffer).count;
}

size_t zcs_array_size(const zcs_array *buffer)
{
    return zcs__array_facts_of(buffer).size;
}

zcs_tier zcs_array_tier(const zcs_array *buffer)
{
    return zcs__array_facts_of(buffer).tier;
}

zcs_status zcs_array_info_get(const zcs_array *array, zcs_array_info *out_info)
{
    if (array == NULL || out_info == NULL)
        return zcs__fail(NULL, ZCS_ERROR_NULL_HANDLE, 0, "zcs_array_info_get: %s is NULL",
                         array == NULL ? "array" : "out_info");
    zcs__array_facts facts;
    if (!zcs__handle_read(array, ZCS__MAGIC_ARRAY, zcs__read_facts, &facts))
        return zcs__fail(NULL, ZCS_ERROR_INVALID_HANDLE, 0,
                         "zcs_array_info_get: not a live array handle");
    zcs_array_info info = {
        .elem_size = facts.elem_size,
        .count = facts.count,
        .size = facts.size,
        .flags = facts.flags,
        .tier = facts.tier,
        .zero_copy = facts.zero_copy,
        .imported = facts.imported,
        .reason = facts.reason,
    };
    *out_info = info;
    return ZCS_SUCCESS;
}

/* Set the mapped flag under the context lock (zcs_dispatch reads it from other threads). */
static void zcs__set_mapped(zcs_array *buffer, int mapped)
{
    pthread_mutex_lock(&buffer->context->lock);
    buffer->mapped = mapped;
    pthread_mutex_unlock(&buffer->context->lock);
}

static int zcs__access_reads(zcs_access access)
{
    return access == ZCS_MAP_READ || access == ZCS_MAP_READ_WRITE;
}

static int zcs__access_writes(zcs_access access)
{
    return access != ZCS_MAP_READ;
}

static zcs_status zcs__map_range(zcs_array *buffer, zcs_access access, size_t first, size_t count,
                                 void **out_ptr)
{
    zcs_context *context = buffer->context;
    if (out_ptr == NULL)
        return zcs__fail(context, ZCS_ERROR_NULL_HANDLE, 0, "zcs_array_map: out_ptr is NULL");
    if (access < ZCS_MAP_READ || access > ZCS_MAP_WRITE_DISCARD)
        return zcs__fail(context, ZCS_ERROR_INVALID_ARGUMENT, 0,
                         "zcs_array_map: access %d is not a zcs_access value", (int)access);
    if (count == 0)
        return zcs__fail(context, ZCS_ERROR_ZERO_SIZE, 0, "zcs_array_map_range: count is zero");
    if (first >= buffer->count || count > buffer->count - first)
        return zcs__fail(
            context, ZCS_ERROR_OUT_OF_RANGE, 0,
            "zcs_array_map_range: elements [%zu, %zu + %zu) lie past the end of an array "
            "of %zu elements",
            first, first, count, buffer->count);
    if ((buffer->flags & ZCS_ARRAY_HOST_WRITE_ONLY) && zcs__access_reads(access))
        return zcs__fail(context, ZCS_ERROR_ACCESS_DENIED, 0,
                         "zcs_array_map: the array was allocated ZCS_ARRAY_HOST_WRITE_ONLY; map it "
                         "with ZCS_MAP_WRITE or ZCS_MAP_WRITE_DISCARD");
    if ((buffer->flags & ZCS_ARRAY_HOST_READ_ONLY) && zcs__access_writes(access))
        return zcs__fail(context, ZCS_ERROR_ACCESS_DENIED, 0,
                         "zcs_array_map: the array was allocated ZCS_ARRAY_HOST_READ_ONLY; map it "
                         "with ZCS_MAP_READ");
    /* Claim the mapping and read the array's last use in one locked step: a dispatch on
       another thread either came first (and the map waits for it) or sees the claim (and
       refuses with ZCS_ERROR_MAPPED). */
    pthread_mutex_lock(&context->lock);
    int already_mapped = buffer->mapped;
    buffer->mapped = 1;
    uint64_t last_use = buffer->last_use_serial;
    int app_use = buffer->app_use_pending;
    int busy = !already_mapped && (last_use > context->completed_serial || app_use);
    if (busy)
        context->stats.map_waits++;
    pthread_mutex_unlock(&context->lock);
    if (already_mapped)
        return zcs__fail(context, ZCS_ERROR_ALREADY_MAPPED, 0,
                         "zcs_array_map: the array (%zu elements of %zu bytes) is already mapped; "
                         "unmap it first",
                         buffer->count, buffer->elem_size);

    /* The ordering rule: kernels that use the array finish before the host sees it. Where
       only a dispatch of zcs's is pending, the backend waits for it itself, queueing its
       map behind it, so the frame waits once; validation's guard check and the
       application's declared work need the wait first. */
    int backend_waits = busy && !app_use && buffer->guard_size == 0;
    zcs_status status = ZCS_SUCCESS;
    if (backend_waits)
        zcs__serial_handed_over(context, last_use);
    else if (busy)
        status = zcs__array_wait(buffer, last_use);
    /* The kernels are done: in validation mode, see whether one wrote past the array. */
    if (status == ZCS_SUCCESS && buffer->guard_size != 0)
        status = zcs__validation_check_guards(buffer, "zcs_array_map");

    size_t offset = first * buffer->elem_size;
    size_t size = count * buffer->elem_size;
    void *ptr = NULL;
    if (status == ZCS_SUCCESS)
        status = zcs__backend_array_map(buffer, access, offset, size, backend_waits ? last_use : 0,
                                        &ptr);
    if (status == ZCS_SUCCESS && backend_waits)
        zcs__array_waited(buffer, last_use);
    if (status == ZCS_SUCCESS && buffer->import_copy)
        ptr = zcs__import_map(buffer, access, offset, size, ptr);
    if (status == ZCS_SUCCESS) {
        buffer->map_access = access;
        buffer->map_offset = offset;
        buffer->map_size = size;
        if (context->info.validation) {
            void *real_ptr = ptr;
            status = zcs__validation_map(buffer, access, real_ptr, size, &ptr);
            if (status != ZCS_SUCCESS) {
                buffer->map_ptr = buffer->import_copy ? buffer->import_device_ptr : real_ptr;
                zcs__backend_array_unmap(buffer);
            }
        }
    }
    if (status != ZCS_SUCCESS) {
        zcs__set_mapped(buffer, 0); /* give the claim back */
        return status;
    }
    buffer->map_ptr = ptr;
    pthread_mutex_lock(&context->lock);
    context->stats.maps++;
    context->stats.bytes_mapped += size;
    pthread_mutex_unlock(&context->lock);
    *out_ptr = ptr;
    return ZCS_SUCCESS;
}

zcs_status zcs_array_map_range(zcs_array *handle, zcs_access access, size_t first, size_t count,
                               void **out_ptr)
{
    ZCS__CLAIM(zcs_array, buffer, handle, ZCS__MAGIC_ARRAY, 1, "buffer", "zcs_array_map_range");
    zcs_status status = zcs__map_range(buffer, access, first, count, out_ptr);
    zcs__handle_release(handle);
    return status;
}

zcs_status zcs_array_map(zcs_array *handle, zcs_access access, void **out_ptr)
{
    ZCS__CLAIM(zcs_array, buffer, handle, ZCS__MAGIC_ARRAY, 1, "buffer", "zcs_array_map");
    zcs_status status = zcs__map_range(buffer, access, 0, buffer->count, out_ptr);
    zcs__handle_release(handle);
    return status;
}

static zcs_status zcs__unmap(zcs_array *buffer)
{
    zcs_context *context = buffer->context;
    if (!buffer->mapped)
        return zcs__fail(context, ZCS_ERROR_NOT_MAPPED, 0,
                         "zcs_array_unmap: the array (%zu elements of %zu bytes) is not mapped",
                         buffer->count, buffer->elem_size);
    zcs_status status = ZCS_SUCCESS;
    if (buffer->shadow_block != NULL) {
        void *real_ptr = buffer->real_map_ptr;
        status = zcs__validation_unmap(buffer);
        buffer->map_ptr = real_ptr;
    }
    if (buffer->import_copy)
        zcs__import_unmap(buffer);
    zcs_status unmap_status = zcs__backend_array_unmap(buffer);
    if (status == ZCS_SUCCESS)
        status = unmap_status;
    /* Even when the backend failed, the host must not use the pointer again: the mapping
       ends here so the array stays usable. */
    buffer->map_ptr = NULL;
    zcs__set_mapped(buffer, 0);
    if (status == ZCS_SUCCESS && buffer->guard_size != 0)
        status = zcs__validation_check_guards(buffer, "zcs_array_unmap");
    pthread_mutex_lock(&context->lock);
    context->stats.unmaps++;
    pthread_mutex_unlock(&context->lock);
    return status;
}

zcs_status zcs_array_unmap(zcs_array *handle)
{
    ZCS__CLAIM(zcs_array, buffer, handle, ZCS__MAGIC_ARRAY, 1, "buffer", "zcs_array_unmap");
    zcs_status status = zcs__unmap(buffer);
    zcs__handle_release(handle);
    return status;
}

zcs_status zcs_array_mapping(zcs_array *handle, int *out_mapped, zcs_access *out_access)
{
    ZCS__CLAIM(zcs_array, array, handle, ZCS__MAGIC_ARRAY, 1, "array", "zcs_array_mapping");
    zcs_status status = ZCS_SUCCESS;
    if (out_mapped == NULL) {
        status = zcs__fail(array->context, ZCS_ERROR_NULL_HANDLE, 0,
                           "zcs_array_mapping: out_mapped is NULL");
    } else {
        pthread_mutex_lock(&array->context->lock);
        *out_mapped = array->mapped;
        if (array->mapped && out_access != NULL)
            *out_access = array->map_access;
        pthread_mutex_unlock(&array->context->lock);
    }
    zcs__handle_release(handle);
    return status;
}

zcs_status zcs_array_device_address(zcs_array *handle, uint64_t *out_address)
{
    ZCS__CLAIM(zcs_array, buffer, handle, ZCS__MAGIC_ARRAY, 1, "buffer",
               "zcs_array_device_address");
    zcs_status status = out_address == NULL
                            ? zcs__fail(buffer->context, ZCS_ERROR_NULL_HANDLE, 0,
                                        "zcs_array_device_address: out_address is NULL")
                            : zcs__backend_array_device_address(buffer, out_address);
    zcs__handle_release(handle);
    return status;
}
