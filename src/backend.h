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

/* zcs__device_choice.index when no index was asked for. */
#define ZCS__ANY_DEVICE UINT32_MAX

/* Which device a context asks for. */
typedef struct zcs__device_choice {
    const char *name;   /* name filter, never NULL, may be "" (any device) */
    uint32_t index;     /* a device index (zcs_device_get_info's numbering) or ZCS__ANY_DEVICE */
    const char *source; /* where the name or index came from, for messages */
} zcs__device_choice;

/*
 * Choose a device and a tier and create the backend state in context->impl.
 * device: the name filter or index; tier: forced tier or ZCS_TIER_AUTO;
 * tier_source: where a forced tier came from, for the reason text ("ZCS_TIER" or
 * "the context option"). Fill context->info (device, platform, unified_memory, is_gpu,
 * tier, tier_reason, max_alloc_size, memory_budget, alignment, device_index, limits) using
 * the context's string buffers. An index past the last device, or of a device that cannot
 * be used, gives ZCS_ERROR_NO_DEVICE.
 * On failure, release everything made so far (context->impl stays NULL).
 */
zcs_status zcs__backend_context_create(zcs_context *context, const zcs__device_choice *device,
                                       zcs_tier tier, const char *tier_source);

/*
 * Device enumeration (zcs_device_count, zcs_device_get_info), sharing the inspection
 * and scoring that context creation uses, so a device's description equals what a
 * context on it reports. Count every device the backend lists, usable or not; none, or
 * no driver, is ZCS_ERROR_NO_DEVICE with a message saying what to install.
 */
zcs_status zcs__backend_device_count(uint32_t *out_count);

/*
 * Fill *out (zeroed by the core, index and backend already set) for device `index`; an
 * index past the last device gives ZCS_ERROR_INVALID_ARGUMENT with the count.
 */
zcs_status zcs__backend_device_info(uint32_t index, zcs_device_info *out);

/* Release the backend state. Every buffer, kernel and program is already destroyed. */
void zcs__backend_context_destroy(zcs_context *context);

/* Allocate buffer->size bytes (plus the guards, see zcs__backend_array_guard) with
   buffer->tier and buffer->flags into buffer->impl. */
zcs_status zcs__backend_array_create(zcs_array *buffer);

/*
 * Validation mode's device-side guards. When buffer->guard_size is not 0, create
 * allocates buffer->size + 2 * guard_size bytes and the array (what kernels and maps
 * see) starts guard_size bytes in. This copies one guard, the one before the array
 * (back == 0) or after it (back == 1), into `bytes` (write == 0) or from it (write == 1);
 * guard_size bytes either way. No kernel uses the buffer and it is not mapped.
 */
zcs_status zcs__backend_array_guard(zcs_array *buffer, int back, int write, unsigned char *bytes);

/* Release the buffer's memory (it is unmapped and no dispatch uses it). */
void zcs__backend_array_destroy(zcs_array *buffer);

/*
 * Map [offset, offset + size) bytes for `access` and return the host pointer to the
 * first mapped byte. Kernels that used the buffer have finished. Count copied bytes
 * with zcs__stats_add_copied.
 */
zcs_status zcs__backend_array_map(zcs_array *buffer, zcs_access access, size_t offset, size_t size,
                                  void **out_ptr);

/* End the mapping recorded in buffer->map_* (make host writes visible to kernels). */
zcs_status zcs__backend_array_unmap(zcs_array *buffer);

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
