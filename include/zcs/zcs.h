/*
 * zcs — zero-copy structs shared between the CPU and an (integrated) GPU.
 *
 * This header is the whole public API. It includes no OpenCL or Vulkan header:
 * applications that want the native handles include <zcs/zcs_opencl.h> or
 * <zcs/zcs_vulkan.h>.
 *
 * The model in one paragraph: a context owns one device. Arrays of structs are
 * allocated in memory that both the CPU and the device address without a copy
 * (the best "tier" the device offers). The host maps an array (or a range of its
 * elements) to read or write it, unmaps it, and dispatches kernels that read and
 * write the same memory. docs/guide.md walks through it; docs/design.md says why.
 *
 * Conventions:
 *  - Every function returns a zcs_status; ZCS_SUCCESS is 0.
 *  - Out-parameters are written only on success.
 *  - Destroy/free functions accept NULL and do nothing.
 *  - A failing call records a message: zcs_last_error() (this thread) and
 *    zcs_context_last_error() (the context) return it, with the backend's own
 *    error name and code (for example "clCreateBuffer failed: CL_INVALID_VALUE (-30)").
 *
 * Handles: a handle is a process-wide slot number and generation, never an address.
 * Once an object is freed or destroyed its handle is refused with ZCS_ERROR_INVALID_HANDLE
 * (void functions ignore it) for the rest of the process, whatever was created since in
 * this or any other context, with validation on or off; no memory is kept for it.
 *
 * Thread safety. Any call may come from any thread. Which calls may overlap:
 *  - Calls on different objects, and calls that only name a context (allocation, program
 *    creation, finish, stats, info, last error), may overlap freely.
 *  - One kernel: one call at a time (zcs_kernel_set_*, zcs_dispatch, zcs_kernel_destroy).
 *    A call made while another thread is inside one on the same kernel is refused with
 *    ZCS_ERROR_BUSY and changes nothing (zcs_kernel_destroy then does nothing and records
 *    ZCS_ERROR_BUSY in zcs_last_error). Create one kernel object per thread instead.
 *  - One array: zcs_map, zcs_map_range, zcs_unmap, zcs_free and zcs_buffer_device_address
 *    one at a time, as for kernels (ZCS_ERROR_BUSY). A mapped pointer may be used by any
 *    thread until the unmap. The getters (zcs_buffer_count, ...) may overlap anything.
 *  - A free while another thread dispatches a kernel that uses the array, sets it as an
 *    argument or lists it in zcs_kernel_set_indirect: allowed. Either that call comes
 *    first (the dispatch is queued and the free waits for it to finish) or the free does
 *    (zcs_kernel_set_buffer/_set_indirect give ZCS_ERROR_INVALID_HANDLE, zcs_dispatch gives
 *    ZCS_ERROR_KERNEL_ARGUMENT). Never memory freed under a kernel.
 *  - A map while another thread dispatches a kernel on the array: the map waits for the
 *    kernel, or the dispatch is refused with ZCS_ERROR_MAPPED (see zcs_map).
 *  - One program: kernel creation from several threads at once is allowed; a
 *    zcs_program_destroy that overlaps one does nothing (ZCS_ERROR_BUSY in zcs_last_error).
 *  - zcs_context_destroy must not overlap any other call on the context or on its
 *    arrays, programs and kernels: it frees them, and a call already inside the library on
 *    another thread would read freed memory. Calls that start after it returns are
 *    refused with ZCS_ERROR_INVALID_HANDLE.
 */
#ifndef ZCS_ZCS_H
#define ZCS_ZCS_H

#include <stddef.h>
#include <stdint.h>

#include "zcs/version.h"

#ifdef __cplusplus
extern "C" {
#endif

#if defined(ZCS_STATIC_DEFINE)
#define ZCS_API
#elif defined(_WIN32)
#ifdef ZCS_BUILDING_LIBRARY
#define ZCS_API __declspec(dllexport)
#else
#define ZCS_API __declspec(dllimport)
#endif
#elif defined(__GNUC__)
#define ZCS_API __attribute__((visibility("default")))
#else
#define ZCS_API
#endif

/* ------------------------------------------------------------------------ */
/* Statuses                                                                  */
/* ------------------------------------------------------------------------ */

/*
 * The one table of statuses: XX(code, NAME, message). It generates the enum,
 * zcs_status_name() and zcs_status_string(). Codes are stable across releases.
 */
#define ZCS_STATUS_MAP(XX)                                                                         \
    XX(0, SUCCESS, "success")                                                                      \
    XX(-1, ERROR_INVALID_ARGUMENT, "invalid argument")                                             \
    XX(-2, ERROR_NULL_HANDLE, "a required handle or pointer is NULL")                              \
    XX(-3, ERROR_INVALID_HANDLE, "handle is not a live zcs object of the expected type")           \
    XX(-4, ERROR_ZERO_SIZE, "element size or element count is zero")                               \
    XX(-5, ERROR_SIZE_OVERFLOW, "element size times element count overflows size_t")               \
    XX(-6, ERROR_TOO_LARGE, "size exceeds the device's maximum allocation")                        \
    XX(-7, ERROR_OUT_OF_MEMORY, "out of host or device memory")                                    \
    XX(-8, ERROR_NO_DEVICE, "no usable device found")                                              \
    XX(-9, ERROR_UNSUPPORTED, "the device or backend does not support this")                       \
    XX(-10, ERROR_ALREADY_MAPPED, "the array is already mapped")                                   \
    XX(-11, ERROR_NOT_MAPPED, "the array is not mapped")                                           \
    XX(-12, ERROR_OUT_OF_RANGE, "element range lies past the end of the array")                    \
    XX(-13, ERROR_MAPPED, "an array a kernel uses is still mapped by the host")                    \
    XX(-14, ERROR_ACCESS_DENIED, "access conflicts with the array's allocation flags")             \
    XX(-15, ERROR_BUILD, "program build failed")                                                   \
    XX(-16, ERROR_KERNEL_NOT_FOUND, "no kernel of that name in the program")                       \
    XX(-17, ERROR_KERNEL_ARGUMENT, "kernel argument index, size or kind is invalid")               \
    XX(-18, ERROR_DISPATCH, "kernel dispatch failed")                                              \
    XX(-19, ERROR_IO, "file could not be read")                                                    \
    XX(-20, ERROR_BACKEND, "the backend API reported an error")                                    \
    XX(-21, ERROR_BUSY, "another thread is in a call on the same kernel, array or program")        \
    XX(-22, ERROR_LAYOUT_MISMATCH, "host and device disagree on a struct's layout")                \
    XX(-23, ERROR_GUARD_CORRUPTED, "bytes outside the array were overwritten")                     \
    XX(-24, ERROR_DEVICE_LOST, "the device was lost")

/* Return status of every zcs function. */
typedef enum zcs_status {
#define ZCS_STATUS_ENUM_(code, name, msg) ZCS_##name = (code),
    ZCS_STATUS_MAP(ZCS_STATUS_ENUM_)
#undef ZCS_STATUS_ENUM_
} zcs_status;

/* "ZCS_ERROR_TOO_LARGE" for ZCS_ERROR_TOO_LARGE; "ZCS_UNKNOWN_STATUS" for codes not in the table.
 */
ZCS_API const char *zcs_status_name(zcs_status status);

/* A short English sentence for the status; "unknown status" for codes not in the table. */
ZCS_API const char *zcs_status_string(zcs_status status);

/*
 * The message of the last failing zcs call made by this thread, or "" when none
 * failed yet. Valid until this thread's next failing call. Works when there is
 * no context (zcs_context_create failed, a NULL handle was passed).
 */
ZCS_API const char *zcs_last_error(void);

/* The library's version as (MAJOR << 16) | (MINOR << 8) | PATCH, see zcs/version.h. */
ZCS_API uint32_t zcs_version(void);

/* ------------------------------------------------------------------------ */
/* Context                                                                   */
/* ------------------------------------------------------------------------ */

typedef struct zcs_context zcs_context;
typedef struct zcs_buffer zcs_buffer;
typedef struct zcs_program zcs_program;
typedef struct zcs_kernel zcs_kernel;

/* Which backend this build of zcs uses (chosen at configure time, ZCS_BACKEND). */
typedef enum zcs_backend {
    ZCS_BACKEND_OPENCL = 1,
    ZCS_BACKEND_VULKAN = 2,
} zcs_backend;

/*
 * How arrays are allocated and shared. ZCS_TIER_AUTO picks the best the device
 * offers, in the order listed.
 */
typedef enum zcs_tier {
    ZCS_TIER_AUTO = 0,
    /* OpenCL fine-grain buffer SVM: one pointer for host and device, map and unmap
       copy nothing and only order host access against kernels. */
    ZCS_TIER_SVM_FINE = 1,
    /* OpenCL coarse-grain buffer SVM: one pointer, clEnqueueSVMMap/Unmap around host access. */
    ZCS_TIER_SVM_COARSE = 2,
    /* OpenCL CL_MEM_ALLOC_HOST_PTR buffer mapped with clEnqueueMapBuffer (OpenCL 1.2). */
    ZCS_TIER_HOST_PTR = 3,
    /* Vulkan host-visible memory, mapped once and kept mapped; flushed and invalidated
       at unmap and map where the memory type is not host-coherent. */
    ZCS_TIER_VULKAN_MAPPED = 4,
} zcs_tier;

/* Number of zcs_tier values, for arrays indexed by tier (zcs_stats). */
#define ZCS_TIER_COUNT 5

/* "auto", "svm_fine", "svm_coarse", "host_ptr", "vulkan_mapped"; NULL for other values. */
ZCS_API const char *zcs_tier_name(zcs_tier tier);

/* Context creation flags. */
typedef enum zcs_context_flags {
    /* Turn on validation: extra checks that cost time. The environment variable
       ZCS_VALIDATE=1|yes|on|true also turns it on; 0|no|off|false or empty leaves it to
       this flag; any other value makes zcs_context_create fail with
       ZCS_ERROR_INVALID_ARGUMENT. */
    ZCS_CONTEXT_VALIDATE = 0x1,
    /* Ignore the ZCS_DEVICE and ZCS_TIER environment variables. */
    ZCS_CONTEXT_IGNORE_ENVIRONMENT = 0x2,
} zcs_context_flags;

/*
 * How to create a context. Zero-initialise it ({0}) and set what you need: every
 * zero field means "default".
 */
typedef struct zcs_context_desc {
    /* Part of a platform or device name, matched case-insensitively (for example "pocl",
       "llvmpipe", "Intel"). NULL: the environment variable ZCS_DEVICE, else automatic
       choice (integrated GPU with unified memory, then any GPU, then a CPU device).
       A name that matches no device gives ZCS_ERROR_NO_DEVICE. */
    const char *device_name;
    /* Force an allocation tier. ZCS_TIER_AUTO (0): the environment variable ZCS_TIER
       (svm_fine|svm_coarse|host_ptr|vulkan_mapped), else the best tier the device offers.
       A tier the device or backend lacks gives ZCS_ERROR_UNSUPPORTED. */
    zcs_tier tier;
    /* zcs_context_flags bits; 0 for none. */
    uint32_t flags;
} zcs_context_desc;

/*
 * Create a context on one device. desc may be NULL (all defaults).
 * Returns ZCS_SUCCESS, ZCS_ERROR_NULL_HANDLE (out_context is NULL),
 * ZCS_ERROR_INVALID_ARGUMENT (unknown flag bits, tier or ZCS_TIER value),
 * ZCS_ERROR_NO_DEVICE (the message lists the devices found and why each was refused),
 * ZCS_ERROR_UNSUPPORTED (forced tier not offered), ZCS_ERROR_OUT_OF_MEMORY, ZCS_ERROR_BACKEND.
 */
ZCS_API zcs_status zcs_context_create(const zcs_context_desc *desc, zcs_context **out_context);

/*
 * Destroy a context: waits for its dispatches, then frees every buffer, kernel and
 * program still alive (they must not be used afterwards). NULL does nothing.
 */
ZCS_API void zcs_context_destroy(zcs_context *context);

/* What a context runs on and why. Strings are owned by the context. */
typedef struct zcs_context_info {
    zcs_backend backend;
    /* "OpenCL" or "Vulkan". */
    const char *backend_name;
    const char *platform_name;
    const char *device_name;
    /* 1 if the device shares physical memory with the host (integrated GPU, CPU device). */
    int unified_memory;
    /* 1 for a GPU, 0 for a CPU or other device. */
    int is_gpu;
    /* The tier every allocation of this context uses. */
    zcs_tier tier;
    /* A sentence on why that tier (and device) were chosen. */
    const char *tier_reason;
    /* Largest single array in bytes. */
    uint64_t max_alloc_size;
    /* Most bytes of arrays a context keeps alive at once: the device's memory as it reports
       it (OpenCL CL_DEVICE_GLOBAL_MEM_SIZE, Vulkan the chosen memory heap's size). An
       allocation past it gives ZCS_ERROR_OUT_OF_MEMORY with both figures in the message,
       rather than relying on a runtime that may overcommit. 0: no budget. */
    uint64_t memory_budget;
    /* Alignment in bytes of every array's first element. */
    size_t alignment;
    /* 1 if validation is on. */
    int validation;
} zcs_context_info;

/* Fill *out_info. Returns ZCS_SUCCESS, ZCS_ERROR_NULL_HANDLE, ZCS_ERROR_INVALID_HANDLE. */
ZCS_API zcs_status zcs_context_info_get(const zcs_context *context, zcs_context_info *out_info);

/*
 * The message of the last failing call on this context (any thread), "" if none.
 * Returns this thread's copy, taken under the context's lock: other threads' failures do
 * not change it; it stays valid until this thread calls zcs_context_last_error again.
 * "invalid context handle" for a handle that is not a live context.
 */
ZCS_API const char *zcs_context_last_error(const zcs_context *context);

/*
 * The backend's raw error of the last failing call on this context (a cl_int or a
 * VkResult), 0 if the failure did not come from the backend.
 */
ZCS_API int64_t zcs_context_last_backend_error(const zcs_context *context);

/* Counters since the context was created (live_* are current values). */
typedef struct zcs_stats {
    /* Bytes of live arrays, by zcs_tier. */
    uint64_t bytes_allocated[ZCS_TIER_COUNT];
    /* Bytes ever allocated, all tiers. */
    uint64_t bytes_allocated_total;
    uint64_t allocations;
    uint64_t frees;
    uint64_t live_buffers;
    uint64_t live_programs;
    uint64_t live_kernels;
    uint64_t maps;
    uint64_t unmaps;
    /* Bytes the host mapped, summed over maps. */
    uint64_t bytes_mapped;
    uint64_t dispatches;
    /* Bytes the runtime itself copied between host and device memory to serve maps
       and unmaps. 0 on every zero-copy tier. Where host and device memory are separate
       (a discrete GPU) each map for reading counts its range, and each unmap after
       writing counts its range again. */
    uint64_t bytes_copied;
    /* Times the host waited for kernels before a map could proceed. */
    uint64_t map_waits;
} zcs_stats;

/* Fill *out_stats. Returns ZCS_SUCCESS, ZCS_ERROR_NULL_HANDLE, ZCS_ERROR_INVALID_HANDLE. */
ZCS_API zcs_status zcs_stats_get(const zcs_context *context, zcs_stats *out_stats);

/* ------------------------------------------------------------------------ */
/* Arrays of structs                                                         */
/* ------------------------------------------------------------------------ */

/*
 * Allocation flags: how the array will be used. 0 means the host reads and writes
 * it and kernels read and write it. The library turns them into backend bits
 * (CL_MEM_HOST_WRITE_ONLY, CL_MEM_READ_ONLY, ... and the Vulkan memory-type choice).
 */
typedef enum zcs_alloc_flags {
    /* The host only writes the array, sequentially, and never reads it. Such memory may
       be write-combined: a read through the pointer can be tens of times slower, and
       `p[i].x += 1` hides a read. Mapping for ZCS_MAP_READ or ZCS_MAP_READ_WRITE gives
       ZCS_ERROR_ACCESS_DENIED. */
    ZCS_ALLOC_HOST_WRITE_ONLY = 0x1,
    /* The host only reads the array (results read back); prefers cached memory.
       Mapping for writing gives ZCS_ERROR_ACCESS_DENIED. */
    ZCS_ALLOC_HOST_READ_ONLY = 0x2,
    /* Kernels only read the array. */
    ZCS_ALLOC_DEVICE_READ_ONLY = 0x4,
    /* Kernels only write the array. */
    ZCS_ALLOC_DEVICE_WRITE_ONLY = 0x8,
} zcs_alloc_flags;

/*
 * Allocate an array of `count` structs of `elem_size` bytes each, with the
 * context's tier, aligned to zcs_context_info.alignment. Contents are undefined
 * until written.
 * Returns ZCS_SUCCESS, ZCS_ERROR_NULL_HANDLE, ZCS_ERROR_INVALID_HANDLE,
 * ZCS_ERROR_ZERO_SIZE (elem_size or count is 0), ZCS_ERROR_SIZE_OVERFLOW
 * (elem_size * count overflows), ZCS_ERROR_TOO_LARGE (over the device's maximum
 * allocation; the message gives the limit), ZCS_ERROR_INVALID_ARGUMENT (unknown or
 * contradictory flags), ZCS_ERROR_OUT_OF_MEMORY (the device or the host refused, or the
 * context's memory_budget would be exceeded; the message gives the figures),
 * ZCS_ERROR_BACKEND.
 */
ZCS_API zcs_status zcs_alloc(zcs_context *context, size_t elem_size, size_t count, uint32_t flags,
                             zcs_buffer **out_buffer);

/* Allocate `count` elements of type T: ZCS_ALLOC(ctx, struct particle, n, 0, &buf). */
#define ZCS_ALLOC(context, T, count, flags, out_buffer)                                            \
    zcs_alloc((context), sizeof(T), (count), (flags), (out_buffer))

/*
 * Free an array. Waits for dispatches that use it. If it is still mapped it is
 * unmapped first. NULL does nothing. The memory is released whatever the status.
 * Returns ZCS_SUCCESS, ZCS_ERROR_INVALID_HANDLE (not a live buffer), ZCS_ERROR_BUSY
 * (another thread is mapping or freeing it: nothing is freed), and what the wait
 * and the unmap may report: ZCS_ERROR_GUARD_CORRUPTED (validation mode: a kernel or the
 * host wrote outside the array), ZCS_ERROR_DEVICE_LOST, ZCS_ERROR_OUT_OF_MEMORY,
 * ZCS_ERROR_BACKEND.
 */
ZCS_API zcs_status zcs_free(zcs_buffer *buffer);

/* Element size, element count and size in bytes of an array (0 for an invalid handle). */
ZCS_API size_t zcs_buffer_elem_size(const zcs_buffer *buffer);
ZCS_API size_t zcs_buffer_count(const zcs_buffer *buffer);
ZCS_API size_t zcs_buffer_size(const zcs_buffer *buffer);

/* The tier an array was allocated with (ZCS_TIER_AUTO for an invalid handle). */
ZCS_API zcs_tier zcs_buffer_tier(const zcs_buffer *buffer);

/* Host access for zcs_map. */
typedef enum zcs_access {
    /* The host reads; the data written by kernels is visible. */
    ZCS_MAP_READ = 1,
    /* The host writes (and may read what it wrote); the previous contents are preserved. */
    ZCS_MAP_WRITE = 2,
    /* The host reads and writes. */
    ZCS_MAP_READ_WRITE = 3,
    /* The host overwrites every byte of the range; the previous contents are discarded
       (CL_MAP_WRITE_INVALIDATE_REGION). Cheapest where the runtime would copy. */
    ZCS_MAP_WRITE_DISCARD = 4,
} zcs_access;

/*
 * Map the whole array for host access and return its first element in *out_ptr.
 *
 * Ordering rule (both backends, every tier): a map waits for every dispatched kernel
 * that uses the array to finish, so the host always sees kernel results and never
 * races a kernel. A dispatch whose kernel uses a mapped array fails with ZCS_ERROR_MAPPED:
 * unmap first. On zero-copy tiers neither map nor unmap copies.
 *
 * One mapping per array at a time: mapping a mapped array gives ZCS_ERROR_ALREADY_MAPPED.
 * Map, unmap and dispatch may come from different threads: a dispatch of an array being
 * mapped is refused, a map of an array being dispatched waits.
 * Returns also ZCS_ERROR_NULL_HANDLE, ZCS_ERROR_INVALID_HANDLE, ZCS_ERROR_INVALID_ARGUMENT
 * (unknown access), ZCS_ERROR_ACCESS_DENIED (access against the allocation flags),
 * ZCS_ERROR_GUARD_CORRUPTED (validation mode: a kernel wrote outside the array; the
 * array is not mapped), ZCS_ERROR_OUT_OF_MEMORY (validation mode's shadow copy, or the
 * runtime), ZCS_ERROR_DEVICE_LOST, ZCS_ERROR_BACKEND.
 */
ZCS_API zcs_status zcs_map(zcs_buffer *buffer, zcs_access access, void **out_ptr);

/*
 * Map elements [first, first + count) and return a pointer to element `first`.
 * count 0 gives ZCS_ERROR_ZERO_SIZE; a range past the end gives ZCS_ERROR_OUT_OF_RANGE.
 * Otherwise as zcs_map.
 */
ZCS_API zcs_status zcs_map_range(zcs_buffer *buffer, zcs_access access, size_t first, size_t count,
                                 void **out_ptr);

/*
 * End host access. Writes made through the mapped pointer become visible to kernels
 * dispatched after this call. The pointer must not be used afterwards.
 * Returns ZCS_SUCCESS, ZCS_ERROR_NULL_HANDLE, ZCS_ERROR_INVALID_HANDLE,
 * ZCS_ERROR_NOT_MAPPED, ZCS_ERROR_GUARD_CORRUPTED (validation mode: the host wrote outside
 * the mapped range, or a kernel outside the array; the message gives the byte offset; the
 * array is unmapped all the same), ZCS_ERROR_BACKEND.
 */
ZCS_API zcs_status zcs_unmap(zcs_buffer *buffer);

/* ------------------------------------------------------------------------ */
/* Programs and kernels                                                      */
/* ------------------------------------------------------------------------ */

/*
 * Build a program from source code in the backend's kernel language: OpenCL C on
 * the OpenCL backend, GLSL compute on the Vulkan backend (where zcs was built with
 * a GLSL compiler; ZCS_ERROR_UNSUPPORTED otherwise). length 0 means NUL-terminated.
 * options are passed to the compiler (may be NULL).
 * Returns ZCS_SUCCESS, ZCS_ERROR_NULL_HANDLE, ZCS_ERROR_INVALID_HANDLE,
 * ZCS_ERROR_ZERO_SIZE (empty source), ZCS_ERROR_BUILD (the message holds the compiler's
 * build log; on Vulkan also an unknown compiler option), ZCS_ERROR_UNSUPPORTED,
 * ZCS_ERROR_OUT_OF_MEMORY, ZCS_ERROR_BACKEND.
 */
ZCS_API zcs_status zcs_program_create_from_source(zcs_context *context, const char *source,
                                                  size_t length, const char *options,
                                                  zcs_program **out_program);

/*
 * Build a program from a file: OpenCL C (.cl) on OpenCL; SPIR-V (.spv) or, with a
 * GLSL compiler, GLSL (.comp) on Vulkan. As zcs_program_create_from_source, plus
 * ZCS_ERROR_IO when the file cannot be read or is not a regular file (a directory, a
 * FIFO, a device: the message names it and the reason; a FIFO is never waited on) and
 * ZCS_ERROR_ZERO_SIZE for an empty file. Files whose size the system reports as 0
 * (/proc) are read to their end. On Vulkan, GLSL without #version is compiled as
 * #version 450; a version too old for compute shaders gives ZCS_ERROR_BUILD.
 */
ZCS_API zcs_status zcs_program_create_from_file(zcs_context *context, const char *path,
                                                const char *options, zcs_program **out_program);

/*
 * Create a program from a SPIR-V module (size in bytes, a multiple of 4). Vulkan;
 * OpenCL where the device accepts IL (OpenCL 2.1+), ZCS_ERROR_UNSUPPORTED elsewhere.
 * Returns ZCS_SUCCESS, ZCS_ERROR_NULL_HANDLE, ZCS_ERROR_INVALID_HANDLE,
 * ZCS_ERROR_INVALID_ARGUMENT (size 0 or not a multiple of 4; on Vulkan also a missing
 * magic number), ZCS_ERROR_BUILD (a malformed module, no entry point; on Vulkan every
 * module, GLSL-compiled ones included, passes SPIRV-Tools' validator with the rules of the
 * device's Vulkan version before the driver sees it, and its message is returned),
 * ZCS_ERROR_UNSUPPORTED, ZCS_ERROR_OUT_OF_MEMORY, ZCS_ERROR_BACKEND.
 */
ZCS_API zcs_status zcs_program_create_from_spirv(zcs_context *context, const void *code,
                                                 size_t size, zcs_program **out_program);

/*
 * Create one of the library's own programs, embedded at build time from kernels/
 * (kernels/<name>.cl on OpenCL, kernels/<name>.comp on Vulkan). Each holds one kernel
 * named like the program. zcs_builtin_program_names() lists them.
 * Unknown name: ZCS_ERROR_KERNEL_NOT_FOUND.
 */
ZCS_API zcs_status zcs_program_create_builtin(zcs_context *context, const char *name,
                                              zcs_program **out_program);

/* NULL-terminated list of the embedded programs' names. */
ZCS_API const char *const *zcs_builtin_program_names(void);

/* Destroy a program; kernels created from it stay valid. NULL does nothing. */
ZCS_API void zcs_program_destroy(zcs_program *program);

/*
 * Create a kernel object for the function `name` of a program (on Vulkan: the SPIR-V
 * entry point; a module whose only entry point is "main" also answers to the name
 * of its builtin program or file stem, up to 127 characters). Names have no length limit
 * of zcs's own; on PoCL, which aborts the process on kernel names of more than 252
 * characters (its cache names a file after each kernel), those give ZCS_ERROR_UNSUPPORTED.
 * Returns ZCS_SUCCESS, ZCS_ERROR_NULL_HANDLE, ZCS_ERROR_INVALID_HANDLE,
 * ZCS_ERROR_KERNEL_NOT_FOUND, ZCS_ERROR_UNSUPPORTED, ZCS_ERROR_BUSY (the program is being
 * destroyed on another thread), ZCS_ERROR_OUT_OF_MEMORY, ZCS_ERROR_BACKEND.
 */
ZCS_API zcs_status zcs_kernel_create(zcs_program *program, const char *name,
                                     zcs_kernel **out_kernel);

/* Destroy a kernel. NULL does nothing. */
ZCS_API void zcs_kernel_destroy(zcs_kernel *kernel);

/* Most kernel arguments a zcs kernel takes. */
#define ZCS_MAX_KERNEL_ARGS 16
/* Most bytes of by-value arguments, together (the Vulkan push-constant minimum). */
#define ZCS_MAX_VALUE_BYTES 128

/*
 * Set argument `index` to an array. The library passes what the tier needs (an SVM
 * pointer, a cl_mem, a storage buffer); the kernel sees a global pointer to the
 * first element. On Vulkan, array argument `index` is storage buffer binding `index`
 * of descriptor set 0.
 * Returns ZCS_SUCCESS, ZCS_ERROR_NULL_HANDLE, ZCS_ERROR_INVALID_HANDLE,
 * ZCS_ERROR_KERNEL_ARGUMENT (index out of range or not an array argument; the message
 * says which), ZCS_ERROR_INVALID_ARGUMENT (buffer of another context), ZCS_ERROR_BACKEND.
 */
ZCS_API zcs_status zcs_kernel_set_buffer(zcs_kernel *kernel, uint32_t index, zcs_buffer *buffer);

/*
 * Set argument `index` to a value of `size` bytes (copied). `size` must be the parameter's
 * own (4 for a uint, 16 for a float4 or a float3): a different size gives
 * ZCS_ERROR_KERNEL_ARGUMENT. OpenCL checks scalar and vector types by their name; structs
 * and size_t are passed as given. On Vulkan, value arguments
 * are packed into one push-constant block in argument order, each aligned to its size
 * (4, 8 or 16 bytes), up to ZCS_MAX_VALUE_BYTES together.
 * Returns ZCS_SUCCESS, ZCS_ERROR_NULL_HANDLE, ZCS_ERROR_INVALID_HANDLE,
 * ZCS_ERROR_KERNEL_ARGUMENT, ZCS_ERROR_BACKEND.
 */
ZCS_API zcs_status zcs_kernel_set_value(zcs_kernel *kernel, uint32_t index, size_t size,
                                        const void *value);

/*
 * Most work items per grid dimension zcs_dispatch takes (2^32 - 1): Vulkan's invocation
 * ids are 32 bits, and a larger OpenCL grid would run for days or, at SIZE_MAX, never end.
 */
#define ZCS_MAX_GLOBAL_SIZE 0xffffffffull

/*
 * Launch the kernel over a grid of `dims` (1 to 3) dimensions of global_size[d] work
 * items. local_size (the work-group size) may be NULL: the backend chooses (Vulkan:
 * 64, 8x8 or 4x4x4). Where a local size applies, global sizes are rounded up to a
 * multiple of it, so kernels must check their index against the element count.
 * On Vulkan the work-group size reaches the shader through specialization constants
 * 0, 1 and 2 (`layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;`).
 * Asynchronous: returns once queued; zcs_finish or a map waits for it.
 * Every argument must be set, and no array argument may be mapped.
 * Returns ZCS_SUCCESS, ZCS_ERROR_NULL_HANDLE, ZCS_ERROR_INVALID_HANDLE,
 * ZCS_ERROR_INVALID_ARGUMENT (dims, a zero size, a global size over ZCS_MAX_GLOBAL_SIZE or
 * one that rounded up to the local size passes it on Vulkan, a local size over the device
 * limit), ZCS_ERROR_KERNEL_ARGUMENT (an argument is unset, or an array argument was freed
 * since it was set: refused even if another array, of any context, was allocated since),
 * ZCS_ERROR_MAPPED, ZCS_ERROR_BUSY (another thread is in a call on this kernel),
 * ZCS_ERROR_DISPATCH, ZCS_ERROR_BACKEND.
 */
ZCS_API zcs_status zcs_dispatch(zcs_kernel *kernel, uint32_t dims, const size_t *global_size,
                                const size_t *local_size);

/*
 * Wait until every kernel dispatched on the context has finished. In validation mode,
 * then check the guard bytes of every unmapped array.
 * Returns ZCS_SUCCESS, ZCS_ERROR_NULL_HANDLE, ZCS_ERROR_INVALID_HANDLE,
 * ZCS_ERROR_GUARD_CORRUPTED (validation mode: a kernel wrote outside an array),
 * ZCS_ERROR_DEVICE_LOST, ZCS_ERROR_OUT_OF_MEMORY, ZCS_ERROR_BACKEND.
 */
ZCS_API zcs_status zcs_finish(zcs_context *context);

#ifdef __cplusplus
}
#endif

#endif /* ZCS_ZCS_H */
