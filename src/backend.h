/*
 * The one internal interface a backend implements (src/opencl/ or src/vulkan/; one per
 * build, so these are plain functions the linker binds, not a table). The core
 * (src/core/) checks every public argument, keeps the object lists, the statistics, the
 * map state and the dispatch ordering, then calls these. A backend function reports its
 * failures with zcs__fail() and returns the status; it may rely on its arguments being
 * valid as the comments say.
 *
 * Grouped by object, in the order of the public API: devices and contexts, arrays,
 * programs and kernels, submission and waiting. A new capability adds its functions to
 * its object's group (attaching to an application's context under contexts, importing
 * and exporting memory under arrays, events under submission), in both backends, with
 * the same name.
 */
#ifndef ZCS_BACKEND_H
#define ZCS_BACKEND_H

#include "core/objects.h"

/* ZCS_BACKEND_OPENCL or ZCS_BACKEND_VULKAN. */
extern const zcs_backend zcs__backend_id;

/* ------------------------------------------------------------------------ */
/* Devices and contexts                                                     */
/* ------------------------------------------------------------------------ */

/* zcs__device_choice.index when no index was asked for. */
#define ZCS__ANY_DEVICE UINT32_MAX

/* Which device a context asks for. */
typedef struct zcs__device_choice {
    const char *name;   /* name filter, never NULL, may be "" (any device) */
    uint32_t index;     /* a device index (zcs_device_get_info's numbering) or ZCS__ANY_DEVICE */
    const char *source; /* where the name or index came from, for messages */
} zcs__device_choice;

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

/*
 * Choose a device and a tier and create the backend state in context->impl.
 * device: the name filter or index; tier: ZCS_TIER_AUTO or a forced tier of this
 * backend (the core refuses the other backend's tiers); tier_source: where a forced
 * tier came from, for the reason text ("ZCS_TIER" or "the context option"). Fill
 * context->info (device, platform, unified_memory, is_gpu, tier, tier_reason,
 * max_alloc_size, memory_budget, alignment, device_index, limits) using the context's
 * string buffers. An index past the last device, or of a device that cannot be used,
 * gives ZCS_ERROR_NO_DEVICE. A forced tier the device lacks gives ZCS_ERROR_UNSUPPORTED.
 * Where the automatic choice is ZCS_TIER_STAGED (a device without unified memory), set
 * context->streamed_tier to the host-memory tier of ZCS_ARRAY_STREAMED arrays (left at
 * ZCS_TIER_AUTO, the core sets it to info.tier).
 * On failure, release everything made so far (context->impl stays NULL).
 */
zcs_status zcs__backend_context_create(zcs_context *context, const zcs__device_choice *device,
                                       zcs_tier tier, const char *tier_source);

/*
 * Attach: create the backend state in context->impl on objects the application made.
 * native_desc is the backend's public attach desc (zcs_opencl_attach_desc,
 * zcs_vulkan_attach_desc), not NULL; tier and tier_source as for create. Check the
 * application's objects (NULL handles, objects that do not belong together: NULL_HANDLE,
 * INVALID_ARGUMENT; what zcs needs and they lack: UNSUPPORTED naming it), take what zcs
 * keeps (OpenCL retains, Vulkan owns nothing of the application's) and fill context->info
 * as create does. On failure, release everything taken so far and leave the application's
 * objects as they were (context->impl stays NULL).
 */
zcs_status zcs__backend_context_attach(zcs_context *context, const void *native_desc, zcs_tier tier,
                                       const char *tier_source);

/* Release the backend state. Every array, kernel and program is already destroyed. */
void zcs__backend_context_destroy(zcs_context *context);

/* ------------------------------------------------------------------------ */
/* Arrays                                                                   */
/* ------------------------------------------------------------------------ */

/* Allocate array->size bytes (plus the guards, see zcs__backend_array_guard) with
   array->tier (the context's tier, or its streamed_tier) and array->flags into
   array->impl. */
zcs_status zcs__backend_array_create(zcs_array *array);

/* Release the array's memory (it is unmapped and no dispatch uses it). */
void zcs__backend_array_destroy(zcs_array *array);

/*
 * Map [offset, offset + size) bytes for `access` and return the host pointer to the
 * first mapped byte. Count copied bytes with zcs__stats_add_copied.
 *
 * `after`: 0 when kernels that used the array have finished (the core waited); else the
 * serial of the array's newest dispatch, handed to the backend but perhaps still running,
 * with no application work declared on the array. The backend then returns only once
 * that dispatch is done: where the map itself is device work (a copy, a runtime's map) it
 * queues it behind the dispatch and waits once, the way a blocking map of a hand-written
 * frame does; elsewhere it calls zcs__backend_array_wait first.
 */
zcs_status zcs__backend_array_map(zcs_array *array, zcs_access access, size_t offset, size_t size,
                                  uint64_t after, void **out_ptr);

/* End the mapping recorded in array->map_* (make host writes visible to kernels). */
zcs_status zcs__backend_array_unmap(zcs_array *array);

/* Which guard of an array (zcs__backend_array_guard). */
typedef enum zcs__guard_side {
    ZCS__GUARD_BEFORE = 0, /* the guard_size bytes before the array's first byte */
    ZCS__GUARD_AFTER = 1,  /* the guard_size bytes after its last byte */
} zcs__guard_side;

/* Which way zcs__backend_array_guard copies. */
typedef enum zcs__guard_copy {
    ZCS__GUARD_READ = 0,  /* from the guard into `bytes` */
    ZCS__GUARD_WRITE = 1, /* from `bytes` into the guard */
} zcs__guard_copy;

/*
 * Validation mode's device-side guards. When array->guard_size is not 0, create
 * allocates array->size + 2 * guard_size bytes and the array (what kernels and maps
 * see) starts guard_size bytes in. This copies the guard on `side` to or from `bytes`,
 * guard_size bytes. No kernel uses the array and it is not mapped.
 */
zcs_status zcs__backend_array_guard(zcs_array *array, zcs__guard_side side, zcs__guard_copy copy,
                                    unsigned char *bytes);

/*
 * The address kernels see for the array's first byte (what a ZCS_PTR field holds). The
 * array is live. A tier or device without one gives ZCS_ERROR_UNSUPPORTED and a message
 * that says why.
 */
zcs_status zcs__backend_array_device_address(zcs_array *array, uint64_t *out_address);

/*
 * Importing and exporting memory (src/opencl/import.c, src/vulkan/import.c).
 *
 * The device's import rules into *out (zeroed by the core), and what the device offers and
 * lacks in words into `text` (text_size bytes; the core keeps the first text in the
 * context). Called under the context lock: it only reads what the context already knows
 * or asks the driver.
 */
zcs_status zcs__backend_import_requirements(zcs_context *context, zcs_import_requirements *out,
                                            char *text, size_t text_size);

/*
 * Share array->size bytes of the application's memory at array->import_host (the core has
 * checked the rule and set guard_size to 0) into array->impl, and set array->tier to the
 * tier whose argument and map path the array takes. ZCS_ERROR_UNSUPPORTED (the message
 * says why) makes the core fall back to a copy, unless the application asked for
 * zero-copy.
 */
zcs_status zcs__backend_array_import_host(zcs_array *array);

/* A new file descriptor for the memory of an array made with ZCS_ARRAY_EXPORTABLE
   (zcs__backend_array_create allocates those, unguarded, in memory of their own). */
zcs_status zcs__backend_array_export_fd(zcs_array *array, int *out_fd);

/* Import `fd` (>= 0) of `type` as array->impl (array->size bytes, guard_size 0). On
   success the descriptor belongs to the backend, which closes it at destroy if the driver
   did not take it; on failure it is still the caller's. */
zcs_status zcs__backend_array_import_fd(zcs_array *array, int fd, zcs_fd_type type);

/* ------------------------------------------------------------------------ */
/* Programs and kernels                                                     */
/* ------------------------------------------------------------------------ */

/* What a program is made from. */
typedef enum zcs__program_format {
    ZCS__PROGRAM_SOURCE = 1, /* text in the backend's kernel language (OpenCL C, GLSL) */
    ZCS__PROGRAM_SPIRV = 2,  /* a SPIR-V module */
} zcs__program_format;

/* The code of zcs__backend_program_create. */
typedef struct zcs__program_code {
    zcs__program_format format;
    const void *data;    /* the text (not NUL-terminated) or the module's bytes (any alignment) */
    size_t size;         /* bytes, > 0; a multiple of 4 for SPIR-V */
    const char *options; /* compiler options of a source, or NULL */
    /* The file the code was read from, or NULL: build logs name it, and a source's
       includes are searched for in its directory first. */
    const char *path;
} zcs__program_code;

/*
 * Build program->impl from `code`. The core has set program->default_kernel_name (the
 * builtin's name or the file's stem, for a module whose one entry point is "main").
 * A compiler's or validator's refusal gives ZCS_ERROR_BUILD with its log; code the
 * backend cannot take (SPIR-V on an OpenCL device older than 2.1, GLSL in a build
 * without a GLSL compiler) gives ZCS_ERROR_UNSUPPORTED. Any file that is not .spv is
 * source in the backend's language, whatever its extension.
 */
zcs_status zcs__backend_program_create(zcs_program *program, const zcs__program_code *code);

void zcs__backend_program_destroy(zcs_program *program);

/*
 * Create kernel->impl for kernel->name in `program`; fill kernel->num_params,
 * kernel->param_kinds and kernel->param_sizes where the backend can tell. An unknown
 * name gives ZCS_ERROR_KERNEL_NOT_FOUND.
 */
zcs_status zcs__backend_kernel_create(zcs_kernel *kernel, zcs_program *program);

void zcs__backend_kernel_destroy(zcs_kernel *kernel);

/* Pass argument `index` (already recorded in kernel->args[index]) to the backend. */
zcs_status zcs__backend_kernel_set_arg(zcs_kernel *kernel, uint32_t index);

/*
 * Let `kernel` reach `count` arrays through pointers stored in memory (count may be 0:
 * clear the list). The arrays are live, of the kernel's context, and count is at most
 * ZCS_MAX_INDIRECT_ARRAYS.
 */
zcs_status zcs__backend_kernel_set_indirect(zcs_kernel *kernel, zcs_array *const *arrays,
                                            size_t count);

/* ------------------------------------------------------------------------ */
/* Submission and waiting                                                   */
/* ------------------------------------------------------------------------ */

/*
 * Enqueue the kernel as dispatch number `serial`. dims is 1..3; global_size has dims
 * entries from 1 to ZCS_MAX_GLOBAL_SIZE; local_size is NULL or has dims non-zero entries.
 * Arguments 0 to arg_count - 1 are set and no array among them is mapped. Dispatches of a
 * context reach the backend one at a time, in the order of their serials, and each runs
 * after the previous one has finished (so a finished serial implies every earlier one).
 * It also waits for what the application declared through the interop headers'
 * ordering calls (events, semaphores) and for the unmaps of its arrays.
 */
zcs_status zcs__backend_dispatch(zcs_kernel *kernel, uint32_t dims, const size_t *global_size,
                                 const size_t *local_size, uint32_t arg_count, uint64_t serial);

/*
 * Wait until dispatch `serial` has finished (0: no dispatch to wait for), and for the
 * application work declared on the array (app_use_pending). `serial` is the array's
 * newest use and has been enqueued; the array is claimed and not mapped. Only what the
 * array needs: never a finish of the whole queue, so a map of an array no pending
 * dispatch uses returns while other dispatches still run.
 */
zcs_status zcs__backend_array_wait(zcs_array *array, uint64_t serial);

/* Wait until every dispatch enqueued so far, and every unmap's copy submitted so far, has
   finished (a staged array's upload may wait for its next dispatch, which nothing but zcs
   can observe). */
zcs_status zcs__backend_finish(zcs_context *context);

#endif /* ZCS_BACKEND_H */
