/*
 * What the struct-layout and pointer features (src/core/layout.c) need from a backend,
 * beyond src/backend.h. Both backends implement these: src/opencl/cl_layout.c and
 * src/vulkan/vk_layout.c.
 */
#ifndef ZCS_BACKEND_LAYOUT_H
#define ZCS_BACKEND_LAYOUT_H

#include "core/objects.h"

/*
 * Kernel language of zcs_program_create_from_source on this backend, for the layout
 * probe: ZCS__LAYOUT_LANG_OPENCL_C or ZCS__LAYOUT_LANG_GLSL.
 */
typedef enum zcs__layout_language {
    ZCS__LAYOUT_LANG_OPENCL_C = 1,
    ZCS__LAYOUT_LANG_GLSL = 2,
} zcs__layout_language;

extern const zcs__layout_language zcs__backend_layout_language;

/*
 * The address kernels see for the buffer's first byte (what a ZCS_PTR field holds).
 * The buffer is live. A tier or backend without one fails with ZCS_ERROR_UNSUPPORTED
 * and a message that says why.
 */
zcs_status zcs__backend_array_device_address(zcs_array *buffer, uint64_t *out_address);

/*
 * Let `kernel` reach `count` arrays through pointers stored in memory (count may be 0:
 * clear the list). The handles are live, of the kernel's context, and count is at most
 * ZCS_MAX_KERNEL_ARGS.
 */
zcs_status zcs__backend_kernel_set_indirect(zcs_kernel *kernel, zcs_array *const *buffers,
                                            size_t count);

/*
 * Forget the layout checks cached for `context` (src/core/layout.c). zcs_context_destroy
 * calls it, so that a later context at the same address starts with an empty cache.
 */
void zcs__layout_context_destroy(zcs_context *context);

#endif /* ZCS_BACKEND_LAYOUT_H */
