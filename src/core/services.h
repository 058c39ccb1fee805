/*
 * What the layers built on the public API (src/struct_check/) may use of the core, beside
 * the public API itself: failure messages recorded on a context handle, and the heap
 * allocator the tests' fault injection reaches. The core's objects stay out of sight.
 */
#ifndef ZCS_CORE_SERVICES_H
#define ZCS_CORE_SERVICES_H

#include <stddef.h>
#include <stdint.h>

#include "zcs/zcs.h"

/*
 * Record a failure on this thread and, when `context` is a live context handle, on that
 * context (zcs_context_last_error), and return `status`. backend_error is the backend's
 * raw code (cl_int, VkResult) or 0.
 */
zcs_status zcs__fail_handle(const zcs_context *context, zcs_status status, int64_t backend_error,
                            const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* 1 if `context` is a live context handle (no message is recorded either way). */
int zcs__context_live(const zcs_context *context);

/* Allocation through one place, so tests can make it fail (src/core/memory.c). */
void *zcs__malloc(size_t size);
void *zcs__calloc(size_t count, size_t size);
void zcs__free(void *ptr);

/* Bounded string copy that always terminates (dst_size > 0). */
void zcs__copy_string(char *dst, size_t dst_size, const char *src);

#endif /* ZCS_CORE_SERVICES_H */
