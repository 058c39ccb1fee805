/*
 * Bringing the application's memory (docs/guide.md, "Bringing your own memory"): the
 * import rules, zcs_array_import_host with its checked rule and its counted copy fallback,
 * and the file-descriptor export and import. The checks and the registration are
 * zcs_array_create's (zcs__array_new); the backends share the memory (src/opencl/import.c,
 * src/vulkan/import.c).
 */
#include <stdio.h>
#include <string.h>

#include "backend.h"
#include "core/checks.h"

/* The device's rules, asked of the backend under the context lock; the description is
   kept from the first call, so concurrent callers see one text. */
static zcs_status zcs__import_rules(zcs_context *context, zcs_import_requirements *out)
{
    zcs_import_requirements rules;
    memset(&rules, 0, sizeof rules);
    char text[sizeof context->import_description];
    pthread_mutex_lock(&context->lock);
    zcs_status status = zcs__backend_import_requirements(context, &rules, text, sizeof text);
    /* Written once: a description handed out earlier never changes under its reader. */
    if (status == ZCS_SUCCESS && context->import_description[0] == '\0')
        zcs__copy_string(context->import_description, sizeof context->import_description, text);
    rules.description = context->import_description;
    pthread_mutex_unlock(&context->lock);
    if (status != ZCS_SUCCESS)
        return status;
    if (rules.alignment == 0)
        rules.alignment = 1;
    if (rules.size_multiple == 0)
        rules.size_multiple = 1;
    *out = rules;
    return ZCS_SUCCESS;
}

zcs_status zcs_import_requirements_get(zcs_context *context_handle, zcs_import_requirements *out)
{
    ZCS__RESOLVE_CONTEXT(context, context_handle, "zcs_import_requirements_get");
    if (out == NULL)
        return zcs__fail(context, ZCS_ERROR_NULL_HANDLE, 0,
                         "zcs_import_requirements_get: out is NULL");
    return zcs__import_rules(context, out);
}

zcs_status zcs__import_check_exportable(zcs_array *array)
{
    zcs_import_requirements rules;
    zcs_status status = zcs__import_rules(array->context, &rules);
    if (status == ZCS_SUCCESS && !rules.opaque_fd_export)
        status = zcs__fail(array->context, ZCS_ERROR_UNSUPPORTED, 0,
                           "zcs_array_create: ZCS_ARRAY_EXPORTABLE: the device cannot export "
                           "memory as a file descriptor (%s)",
                           rules.description);
    return status;
}

/* Copy `size` bytes between the application's memory and the array's own, counted. */
static void zcs__import_copy(zcs_array *array, void *to, const void *from, size_t size)
{
    memcpy(to, from, size);
    zcs__stats_add_copied(array->context, size);
}

void *zcs__import_map(zcs_array *array, zcs_access access, size_t offset, size_t size,
                      void *device_ptr)
{
    unsigned char *host = (unsigned char *)array->import_host + offset;
    array->import_device_ptr = device_ptr;
    /* Bring what kernels wrote into the application's memory, unless it is all
       overwritten. */
    if (access != ZCS_MAP_WRITE_DISCARD)
        zcs__import_copy(array, host, device_ptr, size);
    return host;
}

void zcs__import_unmap(zcs_array *array)
{
    if (array->map_access != ZCS_MAP_READ)
        zcs__import_copy(array, array->import_device_ptr,
                         (unsigned char *)array->import_host + array->map_offset, array->map_size);
    array->map_ptr = array->import_device_ptr;
    array->import_device_ptr = NULL;
}

/* What zcs_array_import_host hands zcs__array_new. */
typedef struct zcs__host_import {
    void *ptr;
    zcs_import_requirements rules;
} zcs__host_import;

/* Fill the array's own memory with the application's bytes (the copy fallback's start). */
static zcs_status zcs__import_initial_copy(zcs_array *array)
{
    void *device_ptr = NULL;
    zcs_status status =
        zcs__backend_array_map(array, ZCS_MAP_WRITE_DISCARD, 0, array->size, 0, &device_ptr);
    if (status != ZCS_SUCCESS)
        return status;
    zcs__import_copy(array, device_ptr, array->import_host, array->size);
    array->map_access = ZCS_MAP_WRITE_DISCARD;
    array->map_offset = 0;
    array->map_size = array->size;
    array->map_ptr = device_ptr;
    status = zcs__backend_array_unmap(array);
    array->map_ptr = NULL;
    array->map_size = 0;
    return status;
}

static zcs_status zcs__make_host_import(zcs_array *array, void *user)
{
    zcs__host_import *import = user;
    const zcs_import_requirements *rules = &import->rules;
    zcs_context *context = array->context;
    char why[256] = "";
    array->imported = 1;
    array->import_host = import->ptr;
    uintptr_t address = (uintptr_t)import->ptr;
    if (!rules->host_import)
        (void)snprintf(why, sizeof why, "the device cannot import host memory (%s)",
                       rules->description);
    else if (address % rules->alignment != 0)
        (void)snprintf(why, sizeof why,
                       "the address %p is not a multiple of the device's import alignment of "
                       "%zu bytes",
                       import->ptr, rules->alignment);
    else if (array->size % rules->size_multiple != 0)
        (void)snprintf(why, sizeof why,
                       "the size of %zu bytes is not a multiple of the device's import size "
                       "multiple of %zu bytes",
                       array->size, rules->size_multiple);

    if (why[0] == '\0') {
        /* Zero-copy: the bytes around the application's memory are not zcs's to guard. */
        size_t guard = array->guard_size;
        array->guard_size = 0;
        zcs_status status = zcs__backend_array_import_host(array);
        if (status == ZCS_SUCCESS) {
            array->zero_copy = 1; /* whatever the context's own tier (staged) would be */
            return ZCS_SUCCESS;
        }
        array->guard_size = guard;
        if (status != ZCS_ERROR_UNSUPPORTED)
            return status;
        (void)snprintf(why, sizeof why, "%s", zcs_last_error());
    }
    if (array->flags & ZCS_ARRAY_REQUIRE_ZERO_COPY)
        return zcs__fail(context, ZCS_ERROR_UNSUPPORTED, 0,
                         "zcs_array_import_host: ZCS_ARRAY_REQUIRE_ZERO_COPY, but %s (the rule: "
                         "address a multiple of %zu, size a multiple of %zu; "
                         "zcs_import_requirements_get)",
                         why, rules->alignment, rules->size_multiple);

    /* The counted copy: zcs's own memory, kept equal to the application's at map and
       unmap. */
    array->import_copy = 1;
    zcs_status status = zcs__backend_array_create(array);
    if (status != ZCS_SUCCESS)
        return status;
    /* After the backend's create, whose tier (staged) may have written a reason of its own. */
    array->zero_copy = 0;
    static const char copying[] =
        "imported with a copy at every map and unmap, counted in bytes_copied: ";
    zcs__copy_string(array->reason, sizeof array->reason, copying);
    zcs__copy_string(array->reason + strlen(copying), sizeof array->reason - strlen(copying), why);
    status = zcs__import_initial_copy(array);
    if (status != ZCS_SUCCESS)
        zcs__backend_array_destroy(array);
    return status;
}

zcs_status zcs_array_import_host(zcs_context *context_handle, void *ptr, size_t elem_size,
                                 size_t count, uint32_t flags, zcs_array **out_array)
{
    ZCS__RESOLVE_CONTEXT(context, context_handle, "zcs_array_import_host");
    if (ptr == NULL)
        return zcs__fail(context, ZCS_ERROR_NULL_HANDLE, 0, "zcs_array_import_host: ptr is NULL");
    zcs__host_import import = {.ptr = ptr};
    zcs_status status = zcs__import_rules(context, &import.rules);
    if (status != ZCS_SUCCESS)
        return status;
    return zcs__array_new(context, "zcs_array_import_host", elem_size, count, flags,
                          ZCS_ARRAY_REQUIRE_ZERO_COPY, zcs__make_host_import, &import, out_array);
}

/* What zcs_array_import_fd hands zcs__array_new. */
typedef struct zcs__fd_import {
    int fd;
    zcs_fd_type type;
} zcs__fd_import;

static zcs_status zcs__make_fd_import(zcs_array *array, void *user)
{
    const zcs__fd_import *import = user;
    array->imported = 1;
    array->guard_size = 0; /* the memory is the exporter's, whole */
    (void)snprintf(array->reason, sizeof array->reason,
                   "imported zero-copy from a %s file descriptor",
                   import->type == ZCS_FD_DMA_BUF ? "dma-buf" : "opaque");
    array->zero_copy = 1;
    return zcs__backend_array_import_fd(array, import->fd, import->type);
}

zcs_status zcs_array_import_fd(zcs_context *context_handle, int fd, zcs_fd_type type,
                               size_t elem_size, size_t count, uint32_t flags,
                               zcs_array **out_array)
{
    ZCS__RESOLVE_CONTEXT(context, context_handle, "zcs_array_import_fd");
    if (fd < 0)
        return zcs__fail(context, ZCS_ERROR_INVALID_ARGUMENT, 0,
                         "zcs_array_import_fd: fd %d is not a file descriptor", fd);
    if (type != ZCS_FD_OPAQUE && type != ZCS_FD_DMA_BUF)
        return zcs__fail(context, ZCS_ERROR_INVALID_ARGUMENT, 0,
                         "zcs_array_import_fd: type %d is not a zcs_fd_type value", (int)type);
    zcs__fd_import import = {fd, type};
    /* Imported memory is always shared as it is: the flag asks for nothing more. */
    return zcs__array_new(context, "zcs_array_import_fd", elem_size, count, flags,
                          ZCS_ARRAY_REQUIRE_ZERO_COPY, zcs__make_fd_import, &import, out_array);
}

zcs_status zcs_array_export_fd(zcs_array *handle, int *out_fd)
{
    ZCS__CLAIM(zcs_array, array, handle, ZCS__MAGIC_ARRAY, 1, "array", "zcs_array_export_fd");
    zcs_status status = ZCS_SUCCESS;
    if (out_fd == NULL)
        status = zcs__fail(array->context, ZCS_ERROR_NULL_HANDLE, 0,
                           "zcs_array_export_fd: out_fd is NULL");
    else if (!(array->flags & ZCS_ARRAY_EXPORTABLE))
        status = zcs__fail(array->context, ZCS_ERROR_UNSUPPORTED, 0,
                           "zcs_array_export_fd: the array was not created with "
                           "ZCS_ARRAY_EXPORTABLE, so its memory may be shared with other "
                           "arrays; create it with that flag");
    else
        status = zcs__backend_array_export_fd(array, out_fd);
    zcs__handle_release(handle);
    return status;
}
