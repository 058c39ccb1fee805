/* Validation mode: shadow mappings fenced by guard bytes (see validation.h). */
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "core/validation.h"

zcs_status zcs__validation_map(zcs_array *buffer, zcs_access access, void *real_ptr, size_t size,
                               void **out_ptr)
{
    zcs_context *context = buffer->context;
    size_t alignment = context->info.alignment;
    /* Guards are a multiple of the alignment, so the shadow is aligned like the array. */
    size_t guard = zcs__validation_guard_size(context);
    if (size > SIZE_MAX - 2 * guard - alignment)
        return zcs__fail(context, ZCS_ERROR_OUT_OF_MEMORY, 0,
                         "zcs_array_map (validation): a shadow of %zu bytes is too large", size);
    unsigned char *block = zcs__malloc(size + 2 * guard + alignment);
    if (block == NULL)
        return zcs__fail(context, ZCS_ERROR_OUT_OF_MEMORY, 0,
                         "zcs_array_map (validation): no host memory for a shadow of %zu bytes",
                         size);
    unsigned char *start = block + guard;
    start += (alignment - (uintptr_t)start % alignment) % alignment;
    memset(start - guard, ZCS__GUARD_PATTERN, guard);
    memset(start + size, ZCS__GUARD_PATTERN, guard);
    if (access == ZCS_MAP_WRITE_DISCARD)
        memset(start, ZCS__DISCARD_PATTERN, size);
    else
        memcpy(start, real_ptr, size);
    buffer->shadow_block = block;
    buffer->shadow_ptr = start;
    buffer->shadow_guard = guard;
    buffer->real_map_ptr = real_ptr;
    *out_ptr = start;
    return ZCS_SUCCESS;
}

/* Offset (from the range's start) of the first guard byte that changed, or 0 with *found 0. */
static long long zcs__first_corruption(const zcs_array *buffer, int *found)
{
    const unsigned char *start = buffer->shadow_ptr;
    size_t guard = buffer->shadow_guard;
    *found = 1;
    /* Before the range: report the byte nearest to it, the likeliest underrun. */
    for (size_t i = 1; i <= guard; i++)
        if (start[-(ptrdiff_t)i] != ZCS__GUARD_PATTERN)
            return -(long long)i;
    for (size_t i = 0; i < guard; i++)
        if (start[buffer->map_size + i] != ZCS__GUARD_PATTERN)
            return (long long)(buffer->map_size + i);
    *found = 0;
    return 0;
}

zcs_status zcs__validation_unmap(zcs_array *buffer)
{
    zcs_status status = ZCS_SUCCESS;
    int corrupted = 0;
    long long offset = zcs__first_corruption(buffer, &corrupted);
    if (corrupted)
        status =
            zcs__fail(buffer->context, ZCS_ERROR_GUARD_CORRUPTED, 0,
                      "zcs_array_unmap (validation): the host wrote outside the mapped range of "
                      "an array of %zu elements of %zu bytes: byte %lld relative to the "
                      "range's start (mapped bytes [%zu, %zu) of the array) was overwritten",
                      buffer->count, buffer->elem_size, offset, buffer->map_offset,
                      buffer->map_offset + buffer->map_size);
    if (buffer->map_access != ZCS_MAP_READ)
        memcpy(buffer->real_map_ptr, buffer->shadow_ptr, buffer->map_size);
    zcs__free(buffer->shadow_block);
    buffer->shadow_block = NULL;
    buffer->shadow_ptr = NULL;
    buffer->real_map_ptr = NULL;
    return status;
}

size_t zcs__validation_guard_size(const zcs_context *context)
{
    size_t alignment = context->info.alignment;
    return ZCS__GUARD_BYTES > alignment ? ZCS__GUARD_BYTES : alignment;
}

zcs_status zcs__validation_fill_guards(zcs_array *buffer)
{
    unsigned char *pattern = zcs__malloc(buffer->guard_size);
    if (pattern == NULL)
        return zcs__fail(buffer->context, ZCS_ERROR_OUT_OF_MEMORY, 0,
                         "zcs_array_create (validation): no host memory for guard bytes");
    memset(pattern, ZCS__GUARD_PATTERN, buffer->guard_size);
    zcs_status status =
        zcs__backend_array_guard(buffer, ZCS__GUARD_BEFORE, ZCS__GUARD_WRITE, pattern);
    if (status == ZCS_SUCCESS)
        status = zcs__backend_array_guard(buffer, ZCS__GUARD_AFTER, ZCS__GUARD_WRITE, pattern);
    zcs__free(pattern);
    return status;
}

zcs_status zcs__validation_check_guards(zcs_array *buffer, const char *when)
{
    size_t guard = buffer->guard_size;
    unsigned char *bytes = zcs__malloc(guard);
    if (bytes == NULL)
        return zcs__fail(buffer->context, ZCS_ERROR_OUT_OF_MEMORY, 0,
                         "%s (validation): no host memory to check guard bytes", when);
    long long offset = 0;
    int corrupted = 0;
    zcs_status status = zcs__backend_array_guard(buffer, ZCS__GUARD_BEFORE, ZCS__GUARD_READ, bytes);
    /* Before the array: report the byte nearest to it, the likeliest underrun. */
    for (size_t i = guard; status == ZCS_SUCCESS && !corrupted && i > 0; i--) {
        if (bytes[i - 1] != ZCS__GUARD_PATTERN) {
            corrupted = 1;
            offset = (long long)(i - 1) - (long long)guard;
        }
    }
    if (status == ZCS_SUCCESS && !corrupted)
        status = zcs__backend_array_guard(buffer, ZCS__GUARD_AFTER, ZCS__GUARD_READ, bytes);
    for (size_t i = 0; status == ZCS_SUCCESS && !corrupted && i < guard; i++) {
        if (bytes[i] != ZCS__GUARD_PATTERN) {
            corrupted = 1;
            offset = (long long)(buffer->size + i);
        }
    }
    zcs__free(bytes);
    if (status != ZCS_SUCCESS || !corrupted)
        return status;
    /* Restore the guards so the overrun is reported once; if even that fails, the report
       below still stands and the next check reports again. */
    (void)zcs__validation_fill_guards(buffer);
    return zcs__fail(buffer->context, ZCS_ERROR_GUARD_CORRUPTED, 0,
                     "%s (validation): a kernel wrote outside an array of %zu elements of %zu "
                     "bytes: byte %lld relative to the array's start was overwritten",
                     when, buffer->count, buffer->elem_size, offset);
}
