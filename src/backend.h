/*
 * The one internal interface a backend implements (src/opencl/ or src/vulkan/; one
 * per build). The core (src/core/) checks every public argument, keeps the object
 * lists, the statistics, the map state and the dispatch ordering, then calls these.
 * A backend function reports failures with zcs__fail() and returns its status; it
 * may rely on its arguments being valid as the comments below say.
 */
#ifndef ZCS_BACKEND_H
#define ZCS_BACKEND_H

#include "core/objects.h"

/* ZCS_BACKEND_OPENCL or ZCS_BACKEND_VULKAN. */
extern const zcs_backend zcs__backend_id;

/*
 * Choose a device and a tier and create the backend state in context->impl.
 * device_name: filter (never NULL, may be ""); tier: forced tier or ZCS_TIER_AUTO;
 * tier_source: where a forced tier came from, for the reason text ("ZCS_TIER" or
 * "the context option"). Fill context->info (device, platform, unified_memory, is_gpu,
 * tier, tier_reason, max_alloc_size, alignment) using the context's string buffers.
 * On failure, release everything made so far (context->impl stays NULL).
 */
zcs_status zcs__backend_context_create(zcs_context *context, const char *device_name, zcs_tier tier,
                                       const char *tier_source);

/* Release the backend state. Every buffer, kernel and program is already destroyed. */
void zcs__backend_context_destroy(zcs_context *context);

/* Allocate buffer->size bytes (plus the guards, see zcs__backend_buffer_guard) with
   buffer->tier and buffer->flags into buffer->impl. */
zcs_status zcs__backend_buffer_create(zcs_buffer *buffer);

/*
 * Validation mode's device-side guards. When buffer->guard_size is not 0, create
 * allocates buffer->size + 2 * guard_size bytes and the array (what kernels and maps
 * see) starts guard_size bytes in. This copies one guard, the one before the array
 * (back == 0) or after it (back == 1), into `bytes` (write == 0) or from it (write == 1);
 * guard_size bytes either way. No kernel uses the buffer and it is not mapped.
 */
zcs_status zcs__backend_buffer_guard(zcs_buffer *buffer, int back, int write, unsigned char *bytes);

/* Release the buffer's memory (it is unmapped and no dispatch uses it). */
void zcs__backend_buffer_destroy(zcs_buffer *buffer);

/*
 * Map [offset, offset + size) bytes for `access` and return the host pointer to the
 * first mapped byte. Kernels that used the buffer have finished. Count copied bytes
 * with zcs__stats_add_copied.
 */
zcs_status zcs__backend_buffer_map(zcs_buffer *buffer, zcs_access access, size_t offset,
                                   size_t size, void **out_ptr);

/* End the mapping recorded in buffer->map_* (make host writes visible to kernels). */
zcs_status zcs__backend_buffer_unmap(zcs_buffer *buffer);

/* Build from source in the backend's language (length > 0, options may be NULL). */
zcs_status zcs__backend_program_create_source(zcs_program *program, const char *source,
                                              size_t length, const char *options);

/* Create from a SPIR-V module (size a multiple of 4). */
zcs_status zcs__backend_program_create_spirv(zcs_program *program, const void *code, size_t size);

/* Create from a builtin's embedded data (OpenCL C source, or SPIR-V on Vulkan). */
zcs_status zcs__backend_program_create_builtin(zcs_program *program, const void *data, size_t size);

/*
 * Build from a file's contents (already read; `path` for messages and to tell the
 * format by its extension).
 */
zcs_status zcs__backend_program_create_file(zcs_program *program, const char *path,
                                            const void *data, size_t size, const char *options);

void zcs__backend_program_destroy(zcs_program *program);

/*
 * Create kernel->impl for kernel->name in `program`; fill kernel->num_params and
 * kernel->param_kinds where the backend can tell. An unknown name gives
 * ZCS_ERROR_KERNEL_NOT_FOUND.
 */
zcs_status zcs__backend_kernel_create(zcs_kernel *kernel, zcs_program *program);

void zcs__backend_kernel_destroy(zcs_kernel *kernel);

/* Pass argument `index` (already recorded in kernel->args[index]) to the backend. */
zcs_status zcs__backend_kernel_set_arg(zcs_kernel *kernel, uint32_t index);

/*
 * Enqueue the kernel. dims is 1..3; global_size has dims non-zero entries; local_size
 * is NULL or has dims non-zero entries. Arguments 0 to arg_count - 1 are set, no array
 * among them is mapped.
 * `serial` is the dispatch's serial number (see zcs_context.submitted_serial).
 */
zcs_status zcs__backend_dispatch(zcs_kernel *kernel, uint32_t dims, const size_t *global_size,
                                 const size_t *local_size, uint32_t arg_count, uint64_t serial);

/* Wait until every dispatch enqueued so far has finished. */
zcs_status zcs__backend_finish(zcs_context *context);

#endif /* ZCS_BACKEND_H */
