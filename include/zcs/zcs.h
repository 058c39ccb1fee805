/**
 * @file
 * zcs — zero-copy structs shared between the CPU and an (integrated) GPU.
 *
 * This header is the portable API: it includes no OpenCL or Vulkan header. What needs
 * native objects (attaching to an application's context, native handles of arrays,
 * ordering with native events or semaphores) is in zcs/zcs_opencl.h and zcs/zcs_vulkan.h,
 * each usable with a build of its backend.
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
 *  - One array: zcs_array_map, zcs_array_map_range, zcs_array_unmap, zcs_array_destroy and
 * zcs_array_device_address one at a time, as for kernels (ZCS_ERROR_BUSY). A mapped pointer may be
 * used by any thread until the unmap. The getters (zcs_array_count, ...) may overlap anything.
 *  - A free while another thread dispatches a kernel that uses the array, sets it as an
 *    argument or lists it in zcs_kernel_set_indirect: allowed. Either that call comes
 *    first (the dispatch is queued and the free waits for it to finish) or the free does
 *    (zcs_kernel_set_array/_set_indirect give ZCS_ERROR_INVALID_HANDLE, zcs_dispatch gives
 *    ZCS_ERROR_KERNEL_ARGUMENT). Never memory freed under a kernel.
 *  - A map while another thread dispatches a kernel on the array: the map waits for the
 *    kernel, or the dispatch is refused with ZCS_ERROR_MAPPED (see zcs_array_map).
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

/** Marks the symbols the shared library exports (it is built with hidden visibility). The
    library builds on Linux with gcc or clang only. */
#if defined(__GNUC__)
#define ZCS_API __attribute__((visibility("default")))
#else
#define ZCS_API
#endif

/* ------------------------------------------------------------------------ */
/* Statuses                                                                  */
/* ------------------------------------------------------------------------ */

/**
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

/** Return status of every zcs function. */
typedef enum zcs_status {
#define ZCS_STATUS_ENUM_(code, name, msg) ZCS_##name = (code),
    ZCS_STATUS_MAP(ZCS_STATUS_ENUM_)
#undef ZCS_STATUS_ENUM_
} zcs_status;

/** "ZCS_ERROR_TOO_LARGE" for ZCS_ERROR_TOO_LARGE; "ZCS_UNKNOWN_STATUS" for codes not in the table.
 */
ZCS_API const char *zcs_status_name(zcs_status status);

/** A short English sentence for the status; "unknown status" for codes not in the table. */
ZCS_API const char *zcs_status_string(zcs_status status);

/**
 * The message of the last failing zcs call made by this thread, or "" when none
 * failed yet. Valid until this thread's next failing call. Works when there is
 * no context (zcs_context_create failed, a NULL handle was passed).
 */
ZCS_API const char *zcs_last_error(void);

/** The library's version as (MAJOR << 16) | (MINOR << 8) | PATCH, see zcs/version.h. */
ZCS_API uint32_t zcs_version(void);

/* ------------------------------------------------------------------------ */
/* Context                                                                   */
/* ------------------------------------------------------------------------ */

typedef struct zcs_context zcs_context; /**< A device, its arrays, programs and kernels. */
typedef struct zcs_array zcs_array;     /**< An array of structs (zcs_array_create). */
typedef struct zcs_program zcs_program; /**< A built program (zcs_program_create_*). */
typedef struct zcs_kernel zcs_kernel;   /**< One kernel of a program, with its arguments. */

/** Which backend this build of zcs uses (chosen at configure time, ZCS_BACKEND). */
typedef enum zcs_backend {
    ZCS_BACKEND_OPENCL = 1,
    ZCS_BACKEND_VULKAN = 2,
} zcs_backend;

/**
 * How arrays are allocated and shared. ZCS_TIER_AUTO picks the best the device
 * offers, in the order listed.
 */
typedef enum zcs_tier {
    ZCS_TIER_AUTO = 0,
    /** OpenCL fine-grain buffer SVM: one pointer for host and device, map and unmap
       copy nothing and only order host access against kernels. */
    ZCS_TIER_SVM_FINE = 1,
    /** OpenCL coarse-grain buffer SVM: one pointer, clEnqueueSVMMap/Unmap around host access. */
    ZCS_TIER_SVM_COARSE = 2,
    /** OpenCL CL_MEM_ALLOC_HOST_PTR buffer mapped with clEnqueueMapBuffer (OpenCL 1.2). */
    ZCS_TIER_HOST_PTR = 3,
    /** Vulkan host-visible memory, mapped once and kept mapped; flushed and invalidated
       at unmap and map where the memory type is not host-coherent. */
    ZCS_TIER_VULKAN_MAPPED = 4,
    /** Both backends, for devices with memory of their own (discrete GPUs): the array
       lives in device memory (OpenCL: a plain cl_mem; Vulkan: DEVICE_LOCAL memory) and
       zcs keeps a host copy. A map copies the mapped range device-to-host (READ,
       READ_WRITE, and WRITE, which preserves the contents); ZCS_MAP_WRITE_DISCARD copies
       nothing; an unmap after any writing access copies the mapped range host-to-device. Every byte
       is counted in zcs_stats.bytes_copied, and zcs_array_info says zero_copy = 0. ZCS_TIER_AUTO
       picks it on a device without unified memory (zcs_context_info.unified_memory = 0) for every
       array not created with ZCS_ARRAY_STREAMED; it can be forced on any device (ZCS_TIER=staged).
     */
    ZCS_TIER_STAGED = 5,
} zcs_tier;

/** Number of zcs_tier values, for arrays indexed by tier (zcs_stats). */
#define ZCS_TIER_COUNT 6

/** "auto", "svm_fine", "svm_coarse", "host_ptr", "vulkan_mapped", "staged"; NULL for other
    values. */
ZCS_API const char *zcs_tier_name(zcs_tier tier);

/** Context creation flags. */
typedef enum zcs_context_flags {
    /** Turn on validation: extra checks that cost time. The environment variable
       ZCS_VALIDATE=1|yes|on|true also turns it on; 0|no|off|false or empty leaves it to
       this flag; any other value makes zcs_context_create fail with
       ZCS_ERROR_INVALID_ARGUMENT. */
    ZCS_CONTEXT_VALIDATE = 0x1,
    /** Ignore the ZCS_DEVICE, ZCS_TIER, ZCS_VALIDATE and ZCS_WAIT environment variables. */
    ZCS_CONTEXT_IGNORE_ENVIRONMENT = 0x2,
    /** Use zcs_context_desc.device_index: the device of that index in zcs_device_get_info's
       numbering (as `zcs-info --list` shows it). */
    ZCS_CONTEXT_DEVICE_INDEX = 0x4,
} zcs_context_flags;

/**
 * How a zcs call that must wait for the device waits: a map after a dispatch of its array,
 * zcs_finish, a staged copy. Blocking in the runtime's wait lets the thread sleep, but a
 * driver may wake it long after the work ended (NVIDIA's Vulkan driver on an H200: about
 * 20 us, 40% of a small frame; docs/benchmarks.md). Polling the work's status first returns
 * as soon as the work is done, and keeps a CPU core busy meanwhile.
 */
typedef enum zcs_wait {
    /** The environment variable ZCS_WAIT (auto|block|poll), else ZCS_WAIT_POLL on a Vulkan
       discrete GPU (a GPU without unified memory) when the process may run on more than
       one CPU (its affinity mask), ZCS_WAIT_BLOCK elsewhere: a CPU device runs its kernels
       on the cores a poll would take, an integrated GPU shares its power budget with them,
       and OpenCL runtimes wait well by themselves (on NVIDIA's, polling was slower).
       zcs_context_info.wait_reason says which rule applied. Waits that poll: a map's wait
       for a dispatch or for the application's work, a staged copy's, zcs_finish; not the
       wait for the oldest submission when all of Vulkan's 32 submission slots are in
       flight. */
    ZCS_WAIT_AUTO = 0,
    /** Block in the runtime's wait at once (vkWaitForFences, clFinish, clWaitForEvents). */
    ZCS_WAIT_BLOCK = 1,
    /** Poll the work's status (vkGetFenceStatus, clGetEventInfo) for up to
       zcs_context_desc.wait_poll_us, then block. */
    ZCS_WAIT_POLL = 2,
} zcs_wait;

/** Number of zcs_wait values. */
#define ZCS_WAIT_COUNT 3

/** The poll budget of ZCS_WAIT_POLL when zcs_context_desc.wait_poll_us is 0, in
    microseconds: longer than a small frame's wait on a discrete GPU. */
#define ZCS_DEFAULT_WAIT_POLL_US 200u

/** "auto", "block", "poll"; NULL for other values. */
ZCS_API const char *zcs_wait_name(zcs_wait wait);

/**
 * How to create a context. Zero-initialise it ({0}) and set what you need: every
 * zero field means "default".
 */
typedef struct zcs_context_desc {
    /** Part of a platform or device name, matched case-insensitively (for example
       "portable" for PoCL's platform, "llvmpipe", "Intel"), or a device index written "#N" or "N"
       (digits only: "#1" and "1" both name the device of index 1 in zcs_device_get_info's
       numbering). NULL: the environment variable ZCS_DEVICE (same syntax: ZCS_DEVICE=#1 or
       ZCS_DEVICE=1 picks device 1, ZCS_DEVICE=llvmpipe the best device whose name has "llvmpipe"),
       else automatic choice (integrated GPU with unified memory, then any GPU, then a CPU device).
       Ignored (and ZCS_DEVICE too) when flags has ZCS_CONTEXT_DEVICE_INDEX.
       A name that matches no device, or an index past the last device or of a device zcs
       cannot use, gives ZCS_ERROR_NO_DEVICE. */
    const char *device_name;
    /** Force an allocation tier. ZCS_TIER_AUTO (0): the environment variable ZCS_TIER
       (svm_fine|svm_coarse|host_ptr|vulkan_mapped|staged), else the best tier the device
       offers (on a device without unified memory: staged, and the best host-memory tier
       for ZCS_ARRAY_STREAMED arrays). A forced tier applies to every array, streamed or not.
       A tier the device or backend lacks gives ZCS_ERROR_UNSUPPORTED. */
    zcs_tier tier;
    /** zcs_context_flags bits; 0 for none. */
    uint32_t flags;
    /** The device to use, by index (0 to zcs_device_count() - 1); read only when flags has
       ZCS_CONTEXT_DEVICE_INDEX, so a zero-initialised desc still means "default". Setting
       the flag with a non-NULL device_name gives ZCS_ERROR_INVALID_ARGUMENT; an index past
       the last device, or of a device zcs cannot use, gives ZCS_ERROR_NO_DEVICE. */
    uint32_t device_index;
    /** How waits for the device wait (zcs_wait). ZCS_WAIT_AUTO (0): the environment
       variable ZCS_WAIT, else the rule under ZCS_WAIT_AUTO. A value outside zcs_wait, or a
       ZCS_WAIT that names none, gives ZCS_ERROR_INVALID_ARGUMENT. */
    zcs_wait wait;
    /** Under ZCS_WAIT_POLL, the longest a wait polls before it blocks, in microseconds;
       0: ZCS_DEFAULT_WAIT_POLL_US. Ignored while the wait blocks. */
    uint32_t wait_poll_us;
} zcs_context_desc;

/**
 * Create a context on one device. desc may be NULL (all defaults).
 * Returns ZCS_SUCCESS, ZCS_ERROR_NULL_HANDLE (out_context is NULL),
 * ZCS_ERROR_INVALID_ARGUMENT (unknown flag bits, tier or ZCS_TIER value, wait or ZCS_WAIT
 * value, a device index together with a device name),
 * ZCS_ERROR_NO_DEVICE (the message lists the devices found and why each was refused),
 * ZCS_ERROR_UNSUPPORTED (forced tier not offered), ZCS_ERROR_OUT_OF_MEMORY, ZCS_ERROR_BACKEND.
 */
ZCS_API zcs_status zcs_context_create(const zcs_context_desc *desc, zcs_context **out_context);

/**
 * Destroy a context: waits for its dispatches, then frees every buffer, kernel and
 * program still alive (they must not be used afterwards). NULL does nothing.
 */
ZCS_API void zcs_context_destroy(zcs_context *context);

/* ------------------------------------------------------------------------ */
/* Devices                                                                   */
/* ------------------------------------------------------------------------ */

/** What kind of device: the OpenCL device type or the Vulkan physical device type. */
typedef enum zcs_device_type {
    /** An accelerator or custom OpenCL device, or a Vulkan device of type OTHER. */
    ZCS_DEVICE_TYPE_OTHER = 0,
    /** A GPU that shares physical memory with the host (Vulkan INTEGRATED_GPU; an OpenCL GPU
       reporting CL_DEVICE_HOST_UNIFIED_MEMORY). */
    ZCS_DEVICE_TYPE_INTEGRATED_GPU = 1,
    /** A GPU with memory of its own (Vulkan DISCRETE_GPU; any other OpenCL GPU). */
    ZCS_DEVICE_TYPE_DISCRETE_GPU = 2,
    /** A virtualised GPU (Vulkan VIRTUAL_GPU). */
    ZCS_DEVICE_TYPE_VIRTUAL_GPU = 3,
    /** The host's own processor (PoCL, lavapipe). */
    ZCS_DEVICE_TYPE_CPU = 4,
} zcs_device_type;

/** "other", "integrated_gpu", "discrete_gpu", "virtual_gpu", "cpu"; NULL for other values. */
ZCS_API const char *zcs_device_type_name(zcs_device_type type);

/** What a device allows, as it reports it. 0 in a field means the API does not report it. */
typedef struct zcs_device_limits {
    /** Largest single array in bytes, as zcs_context_info.max_alloc_size. */
    uint64_t max_alloc_size;
    /** Most bytes of live arrays per context, as zcs_context_info.memory_budget. */
    uint64_t memory_budget;
    /** Most work items in one work group (OpenCL CL_DEVICE_MAX_WORK_GROUP_SIZE, Vulkan
       maxComputeWorkGroupInvocations). A kernel may allow fewer. */
    uint64_t max_work_group_size;
    /** Most work items per dimension of a work group (OpenCL CL_DEVICE_MAX_WORK_ITEM_SIZES,
       Vulkan maxComputeWorkGroupSize). */
    uint64_t max_work_item_sizes[3];
    /** Bytes of local (OpenCL __local) or workgroup-shared (Vulkan shared) memory per work
       group (CL_DEVICE_LOCAL_MEM_SIZE, maxComputeSharedMemorySize). */
    uint64_t local_memory_size;
    /** Parallel compute units (CL_DEVICE_MAX_COMPUTE_UNITS); 0 on Vulkan, which has no such
       query. */
    uint32_t compute_units;
    /** Most bytes of kernel arguments: OpenCL CL_DEVICE_MAX_PARAMETER_SIZE (all arguments);
       Vulkan maxPushConstantsSize (the by-value arguments; arrays are descriptors). One
       value is at most ZCS_MAX_VALUE_BYTES. */
    uint64_t max_parameter_bytes;
} zcs_device_limits;

/** Bit of zcs_device_info.tiers for a tier. */
#define ZCS_TIER_BIT(tier) (1u << (unsigned)(tier))

/**
 * One device the backend lists, as zcs_device_get_info describes it. Strings are arrays
 * of the struct itself, so a copy of the struct stays valid.
 */
typedef struct zcs_device_info {
    /** Its index (the argument of zcs_device_get_info, ZCS_CONTEXT_DEVICE_INDEX and
       ZCS_DEVICE=\#N). Stable while the set of drivers and devices does not change. */
    uint32_t index;
    /** The backend of this build, as zcs_context_info.backend. */
    zcs_backend backend;
    /** The device's name (CL_DEVICE_NAME, VkPhysicalDeviceProperties.deviceName), as
       zcs_context_info.device_name reports it for a context on the device. */
    char name[256];
    /** The platform: OpenCL's platform name; on Vulkan the API version and driver. As
       zcs_context_info.platform_name. */
    char platform_name[256];
    /** The driver's version: OpenCL CL_DRIVER_VERSION; Vulkan the driver's name and
       information (Vulkan 1.2 devices) or its numeric driverVersion. */
    char driver_version[256];
    /** The API version the device reports: "OpenCL 3.0 ..." (CL_DEVICE_VERSION) or
       "Vulkan 1.3.238". */
    char api_version[128];
    zcs_device_type type; /**< GPU (integrated, discrete, virtual), CPU or other. */
    /** 1 for a GPU (integrated, discrete or virtual), as zcs_context_info.is_gpu. */
    int is_gpu;
    /** 1 if the device shares physical memory with the host, as
       zcs_context_info.unified_memory (0 for a device zcs cannot use when unknown). */
    int unified_memory;
    /** 1 if zcs can create a context on the device; 0 and `refusal` says why not. */
    int usable;
    /** Why zcs cannot use the device (for example "no OpenCL C compiler"); "" when usable. */
    char refusal[256];
    /** 1 for the device zcs_context_create picks when neither a name, an index nor
       ZCS_DEVICE asks for another. */
    int is_default;
    /** The tiers the device offers, as ZCS_TIER_BIT(tier) bits (0 when not usable). */
    uint32_t tiers;
    /** The tier zcs picks automatically on the device (ZCS_TIER_AUTO when not usable), and
       why: the sentence zcs_context_info.tier_reason gives for a context made without a
       forced tier. */
    zcs_tier tier;
    char tier_reason[1024]; /**< Why zcs picks `tier` (see above); "" when not usable. */
    /** Alignment of every array's first element, as zcs_context_info.alignment (0 when not
       usable). */
    uint64_t alignment;
    /** The limits (all 0 when not usable). */
    zcs_device_limits limits;
    /** 1 if validation mode (ZCS_CONTEXT_VALIDATE, ZCS_VALIDATE=1) is available: always,
       on both backends, for a usable device. */
    int validation_mode_available;
    /** 1 if the Khronos validation layer (VK_LAYER_KHRONOS_validation) is installed, so
       ZCS_VULKAN_VALIDATION=1 would turn it on. Always 0 on OpenCL, which has no layer. */
    int validation_layer_available;
} zcs_device_info;

/**
 * Count the devices the backend lists (OpenCL: every device of every platform, at most
 * 64; Vulkan: every physical device), usable by zcs or not. Each call asks the driver
 * again. Indices run from 0 to *out_count - 1.
 * Returns ZCS_SUCCESS (*out_count is at least 1), ZCS_ERROR_NULL_HANDLE (out_count is
 * NULL), ZCS_ERROR_NO_DEVICE (no driver, no platform or no device; the message says what
 * to install or check), ZCS_ERROR_OUT_OF_MEMORY, ZCS_ERROR_BACKEND.
 */
ZCS_API zcs_status zcs_device_count(uint32_t *out_count);

/**
 * Describe device `index` (0 to zcs_device_count() - 1) into *out_info, without creating
 * a context (on Vulkan a logical device is opened and closed to read the memory a
 * context would use). The description ignores ZCS_DEVICE and ZCS_TIER: it is what a
 * context on that device reports with the automatic tier.
 * Returns ZCS_SUCCESS, ZCS_ERROR_NULL_HANDLE (out_info is NULL), ZCS_ERROR_INVALID_ARGUMENT
 * (index past the last device; the message gives the count), ZCS_ERROR_NO_DEVICE (no
 * driver or no device at all), ZCS_ERROR_OUT_OF_MEMORY, ZCS_ERROR_BACKEND.
 */
ZCS_API zcs_status zcs_device_get_info(uint32_t index, zcs_device_info *out_info);

/** What a context runs on and why. Strings are owned by the context. */
typedef struct zcs_context_info {
    zcs_backend backend; /**< The backend of this build. */
    /** "OpenCL" or "Vulkan". */
    const char *backend_name;
    const char *platform_name; /**< The platform (OpenCL) or API version and driver (Vulkan). */
    const char *device_name;   /**< The device's name. */
    /** 1 if the device shares physical memory with the host (integrated GPU, CPU device),
       0 if it has memory of its own (discrete GPU), as the API reports it: OpenCL's device
       type and CL_DEVICE_HOST_UNIFIED_MEMORY; Vulkan's device type and memory heaps (a
       discrete or virtual GPU with a DEVICE_LOCAL heap apart from the host's heap). Never
       from memory-type flags alone: resizable-BAR GPUs expose device-local host-visible
       memory and are still discrete. */
    int unified_memory;
    /** 1 for a GPU, 0 for a CPU or other device. */
    int is_gpu;
    /** The tier of the context's arrays. With the automatic choice on a device without
       unified memory this is ZCS_TIER_STAGED and ZCS_ARRAY_STREAMED arrays take the best
       host-memory tier instead (tier_reason names it; zcs_array_info gives each array's). */
    zcs_tier tier;
    /** A sentence on why that tier (and device) were chosen. */
    const char *tier_reason;
    /** Largest single array in bytes. */
    uint64_t max_alloc_size;
    /** Most bytes of arrays a context keeps alive at once: the device's memory as it reports
       it (OpenCL CL_DEVICE_GLOBAL_MEM_SIZE, Vulkan the chosen memory heap's size). An
       allocation past it gives ZCS_ERROR_OUT_OF_MEMORY with both figures in the message,
       rather than relying on a runtime that may overcommit. 0: no budget. */
    uint64_t memory_budget;
    /** Alignment in bytes of every array's first element: on OpenCL at least 128 (long16)
       and the device's base address alignment; on Vulkan at least 64 and the device's
       storage-buffer offset alignment and non-coherent atom size (64 on lavapipe). */
    size_t alignment;
    /** 1 if validation is on. */
    int validation;
    /** 1 if the Khronos validation layer checks this context's Vulkan calls
       (ZCS_VULKAN_VALIDATION=1 and the layer installed), counting its messages in
       zcs_stats.validation_messages; 0 otherwise, on OpenCL, and on a context attached to
       an application's instance (whose own messenger sees zcs's calls). */
    int validation_layer;
    /** The device's index in zcs_device_get_info's numbering; UINT32_MAX for the device of
       an attached context that zcs does not list (an OpenCL sub-device). */
    uint32_t device_index;
    /** The device's limits, as zcs_device_get_info reports them. */
    zcs_device_limits limits;
    /** How this context's waits wait: ZCS_WAIT_BLOCK or ZCS_WAIT_POLL, never
       ZCS_WAIT_AUTO. */
    zcs_wait wait;
    /** Under ZCS_WAIT_POLL, the poll budget in microseconds; 0 under ZCS_WAIT_BLOCK. */
    uint32_t wait_poll_us;
    /** A sentence on why that wait was chosen. */
    const char *wait_reason;
} zcs_context_info;

/** Fill *out_info. Returns ZCS_SUCCESS, ZCS_ERROR_NULL_HANDLE, ZCS_ERROR_INVALID_HANDLE. */
ZCS_API zcs_status zcs_context_info_get(const zcs_context *context, zcs_context_info *out_info);

/**
 * The message of the last failing call on this context (any thread), "" if none.
 * Returns this thread's copy, taken under the context's lock: other threads' failures do
 * not change it; it stays valid until this thread calls zcs_context_last_error again.
 * "invalid context handle" for a handle that is not a live context.
 */
ZCS_API const char *zcs_context_last_error(const zcs_context *context);

/**
 * The backend's raw error of the last failing call on this context (a cl_int or a
 * VkResult), 0 if the failure did not come from the backend.
 */
ZCS_API int64_t zcs_context_last_backend_error(const zcs_context *context);

/** Counters since the context was created (live_* are current values). */
typedef struct zcs_stats {
    /** Bytes of live arrays, by zcs_tier. */
    uint64_t bytes_allocated[ZCS_TIER_COUNT];
    /** Bytes ever allocated, all tiers. */
    uint64_t bytes_allocated_total;
    uint64_t allocations;   /**< Successful zcs_array_create calls. */
    uint64_t frees;         /**< zcs_array_destroy calls that freed an array. */
    uint64_t live_arrays;   /**< Arrays alive now. */
    uint64_t live_programs; /**< Programs alive now. */
    uint64_t live_kernels;  /**< Kernels alive now. */
    uint64_t maps;          /**< Successful maps. */
    uint64_t unmaps;        /**< Successful unmaps. */
    /** Bytes the host mapped, summed over maps. */
    uint64_t bytes_mapped;
    uint64_t dispatches; /**< Kernels dispatched. */
    /** Bytes the runtime itself copied between host and device memory to serve maps
       and unmaps. 0 on every zero-copy tier. On ZCS_TIER_STAGED zcs copies: each map but
       ZCS_MAP_WRITE_DISCARD counts its range, each unmap after writing counts it again.
       Where host and device memory are separate
       (a discrete GPU) each map for reading counts its range, and each unmap after
       writing counts its range again. Imports that are not zero-copy add what zcs copies
       between the application's memory and its own (zcs_array_import_host). */
    uint64_t bytes_copied;
    /** Times the host waited for kernels before a map could proceed. */
    uint64_t map_waits;
    /** Times a zcs call waited until device work finished (blocked, or polled first:
       polled_waits): a wait for kernels, for a copy, for a runtime's blocking map, or a
       finish. A map after a dispatch of its array waits once: where the map is itself
       device work (a staged copy, a runtime's map) it is queued behind the kernel and
       waited for with it. Counted by call, so a wait for work already done counts too. */
    uint64_t device_waits;
    /** Warnings and errors the Khronos validation layer reported for this context (Vulkan
       with ZCS_VULKAN_VALIDATION=1; see zcs_context_info.validation_layer); 0 otherwise. */
    uint64_t validation_messages;
    /** Successful zcs_array_import_host and zcs_array_import_fd calls (not counted in
       `allocations`). */
    uint64_t imports;
    /** Imported arrays alive now (zcs_array_info.imported is 1). */
    uint64_t live_imported_arrays;
    /** Arrays alive now that are not zero-copy (zcs_array_info.zero_copy is 0): zcs copies
       at their maps and unmaps, and counts those bytes in bytes_copied. */
    uint64_t live_copying_arrays;
    /** Of device_waits, those that polled the work's status before blocking
       (ZCS_WAIT_POLL; which waits poll: ZCS_WAIT_AUTO's documentation). */
    uint64_t polled_waits;
    /** Of polled_waits, those whose poll budget ran out before the work finished: they
       then blocked. Many of them say the budget is shorter than the work. */
    uint64_t poll_timeouts;
} zcs_stats;

/** Fill *out_stats. Returns ZCS_SUCCESS, ZCS_ERROR_NULL_HANDLE, ZCS_ERROR_INVALID_HANDLE. */
ZCS_API zcs_status zcs_stats_get(const zcs_context *context, zcs_stats *out_stats);

/* ------------------------------------------------------------------------ */
/* Arrays of structs                                                         */
/* ------------------------------------------------------------------------ */

/**
 * Allocation flags: how the array will be used. 0 means the host reads and writes
 * it and kernels read and write it. The library turns them into backend bits
 * (CL_MEM_HOST_WRITE_ONLY, CL_MEM_READ_ONLY, ... and the Vulkan memory-type choice).
 */
typedef enum zcs_array_flags {
    /** The host only writes the array, sequentially, and never reads it. Such memory may
       be write-combined: a read through the pointer can be tens of times slower, and
       `p[i].x += 1` hides a read. Mapping for ZCS_MAP_READ or ZCS_MAP_READ_WRITE gives
       ZCS_ERROR_ACCESS_DENIED. */
    ZCS_ARRAY_HOST_WRITE_ONLY = 0x1,
    /** The host only reads the array (results read back); prefers cached memory.
       Mapping for writing gives ZCS_ERROR_ACCESS_DENIED. */
    ZCS_ARRAY_HOST_READ_ONLY = 0x2,
    /** Kernels only read the array. */
    ZCS_ARRAY_DEVICE_READ_ONLY = 0x4,
    /** Kernels only write the array. */
    ZCS_ARRAY_DEVICE_WRITE_ONLY = 0x8,
    /** The data is streamed: each frame the host touches it once and kernels touch it once
       (written by one side, read by the other). On a device without unified memory, the
       automatic tier puts such an array in host memory the device reaches over the bus
       (zero-copy: svm_coarse/host_ptr on OpenCL, vulkan_mapped on Vulkan) instead of the
       staged tier, which pays a copy each way but lets kernels that read the data more
       than once read device memory. No effect on unified-memory devices or under a forced
       tier. */
    ZCS_ARRAY_STREAMED = 0x10,
    /** Imports only (zcs_array_import_host, zcs_array_import_fd): refuse with
       ZCS_ERROR_UNSUPPORTED, the rule and the offending address or size in the message,
       rather than fall back to a copy when the memory cannot be shared as it is.
       zcs_array_create refuses it (ZCS_ERROR_INVALID_ARGUMENT). */
    ZCS_ARRAY_REQUIRE_ZERO_COPY = 0x20,
    /** zcs_array_create only: allocate the array in memory of its own that
       zcs_array_export_fd can hand to another context or process (Vulkan
       VK_KHR_external_memory_fd). Such an array has no validation guards. Where the
       device cannot export, zcs_array_create gives ZCS_ERROR_UNSUPPORTED naming what is
       missing (always on OpenCL, which has no export extension). */
    ZCS_ARRAY_EXPORTABLE = 0x40,
} zcs_array_flags;

/**
 * Allocate an array of `count` structs of `elem_size` bytes each, with the
 * context's tier (or, on a device without unified memory and an automatic tier, the
 * host-memory tier for ZCS_ARRAY_STREAMED arrays: zcs_array_info says which and why),
 * aligned to zcs_context_info.alignment. Contents are undefined
 * until written.
 * Returns ZCS_SUCCESS, ZCS_ERROR_NULL_HANDLE, ZCS_ERROR_INVALID_HANDLE,
 * ZCS_ERROR_ZERO_SIZE (elem_size or count is 0), ZCS_ERROR_SIZE_OVERFLOW
 * (elem_size * count overflows), ZCS_ERROR_TOO_LARGE (over the device's maximum
 * allocation; the message gives the limit), ZCS_ERROR_INVALID_ARGUMENT (unknown or
 * contradictory flags, ZCS_ARRAY_REQUIRE_ZERO_COPY), ZCS_ERROR_UNSUPPORTED
 * (ZCS_ARRAY_EXPORTABLE on a device that cannot export; the message names what is missing),
 * ZCS_ERROR_OUT_OF_MEMORY (the device or the host refused, or the
 * context's memory_budget would be exceeded; the message gives the figures),
 * ZCS_ERROR_BACKEND.
 */
ZCS_API zcs_status zcs_array_create(zcs_context *context, size_t elem_size, size_t count,
                                    uint32_t flags, zcs_array **out_buffer);

/** Allocate `count` elements of type T: ZCS_ARRAY_CREATE(ctx, struct particle, n, 0, &buf). */
#define ZCS_ARRAY_CREATE(context, T, count, flags, out_buffer)                                     \
    zcs_array_create((context), sizeof(T), (count), (flags), (out_buffer))

/**
 * Free an array. Waits for dispatches that use it. If it is still mapped it is
 * unmapped first. NULL does nothing. The memory is released whatever the status.
 * Returns ZCS_SUCCESS, ZCS_ERROR_INVALID_HANDLE (not a live buffer), ZCS_ERROR_BUSY
 * (another thread is mapping or freeing it: nothing is freed), and what the wait
 * and the unmap may report: ZCS_ERROR_GUARD_CORRUPTED (validation mode: a kernel or the
 * host wrote outside the array), ZCS_ERROR_DEVICE_LOST, ZCS_ERROR_OUT_OF_MEMORY,
 * ZCS_ERROR_BACKEND.
 */
ZCS_API zcs_status zcs_array_destroy(zcs_array *buffer);

/** Element size in bytes of an array (0 for an invalid handle). */
ZCS_API size_t zcs_array_elem_size(const zcs_array *buffer);
/** Element count of an array (0 for an invalid handle). */
ZCS_API size_t zcs_array_count(const zcs_array *buffer);
/** Size in bytes of an array, element size times count (0 for an invalid handle). */
ZCS_API size_t zcs_array_size(const zcs_array *buffer);

/** The tier an array was allocated with (ZCS_TIER_AUTO for an invalid handle). */
ZCS_API zcs_tier zcs_array_tier(const zcs_array *buffer);

/** What an array is and how it is shared (zcs_array_info_get). */
typedef struct zcs_array_info {
    size_t elem_size; /**< Bytes of one element. */
    size_t count;     /**< Elements. */
    size_t size;      /**< elem_size * count. */
    uint32_t flags;   /**< The zcs_array_flags it was created with. */
    zcs_tier tier;    /**< The tier of its memory. */
    /** 1 when host and kernels reach the same memory (maps and unmaps copy nothing), 0
       when zcs copies at map and unmap (the copies are counted in zcs_stats.bytes_copied). */
    int zero_copy;
    /** 1 when the memory is the application's (imported), 0 when zcs allocated it. */
    int imported;
    /** Why the array has this tier and path, in words (for logs); valid while the array
       lives. */
    const char *reason;
} zcs_array_info;

/**
 * Fill *out_info for a live array.
 * Returns ZCS_SUCCESS, ZCS_ERROR_NULL_HANDLE (array or out_info), ZCS_ERROR_INVALID_HANDLE.
 */
ZCS_API zcs_status zcs_array_info_get(const zcs_array *array, zcs_array_info *out_info);

/** Host access for zcs_array_map. */
typedef enum zcs_access {
    /** The host reads; the data written by kernels is visible. */
    ZCS_MAP_READ = 1,
    /** The host writes (and may read what it wrote); the previous contents are preserved. */
    ZCS_MAP_WRITE = 2,
    /** The host reads and writes. */
    ZCS_MAP_READ_WRITE = 3,
    /** The host overwrites every byte of the range; the previous contents are discarded
       (CL_MAP_WRITE_INVALIDATE_REGION). Cheapest where the runtime would copy. */
    ZCS_MAP_WRITE_DISCARD = 4,
} zcs_access;

/**
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
ZCS_API zcs_status zcs_array_map(zcs_array *buffer, zcs_access access, void **out_ptr);

/**
 * Map elements [first, first + count) and return a pointer to element `first`.
 * count 0 gives ZCS_ERROR_ZERO_SIZE; a range past the end gives ZCS_ERROR_OUT_OF_RANGE.
 * Otherwise as zcs_array_map.
 */
ZCS_API zcs_status zcs_array_map_range(zcs_array *buffer, zcs_access access, size_t first,
                                       size_t count, void **out_ptr);

/**
 * End host access. Writes made through the mapped pointer become visible to kernels
 * dispatched after this call. The pointer must not be used afterwards.
 * Returns ZCS_SUCCESS, ZCS_ERROR_NULL_HANDLE, ZCS_ERROR_INVALID_HANDLE,
 * ZCS_ERROR_NOT_MAPPED, ZCS_ERROR_GUARD_CORRUPTED (validation mode: the host wrote outside
 * the mapped range, or a kernel outside the array; the message gives the byte offset; the
 * array is unmapped all the same), ZCS_ERROR_BACKEND.
 */
ZCS_API zcs_status zcs_array_unmap(zcs_array *buffer);

/**
 * Whether `array` is mapped now: *out_mapped is 1 or 0 and, when it is 1 and out_access is
 * not NULL, *out_access is the access it was mapped with. The same rule as the other
 * calls on one array: one thread at a time.
 * Returns ZCS_SUCCESS, ZCS_ERROR_NULL_HANDLE (array or out_mapped),
 * ZCS_ERROR_INVALID_HANDLE, ZCS_ERROR_BUSY (another thread is in a call on the array).
 */
ZCS_API zcs_status zcs_array_mapping(zcs_array *array, int *out_mapped, zcs_access *out_access);

/* ------------------------------------------------------------------------ */
/* Bringing your own memory                                                  */
/* ------------------------------------------------------------------------ */

/**
 * What the device needs for the application's memory to be shared as it is (zero-copy)
 * by zcs_array_import_host, and which kinds of file descriptor it imports and exports.
 * zcs checks the rule itself: drivers that accept a violation silently (lavapipe) or
 * copy behind the application's back (CL_MEM_USE_HOST_PTR at the wrong alignment) never
 * decide what happens. docs/guide.md, "Bringing your own memory".
 */
typedef struct zcs_import_requirements {
    /** The host pointer must be a multiple of this (a power of two): Vulkan
       minImportedHostPointerAlignment (4096 on lavapipe); OpenCL the alignment of every
       zcs array, zcs_context_info.alignment (at least 128 and CL_DEVICE_MEM_BASE_ADDR_ALIGN,
       what drivers that zero-copy CL_MEM_USE_HOST_PTR only when aligned want at least). */
    size_t alignment;
    /** The byte size (elem_size * count) must be a multiple of this: Vulkan
       minImportedHostPointerAlignment; 1 on OpenCL. */
    size_t size_multiple;
    /** 1 if host memory that meets the rule is shared zero-copy: Vulkan with
       VK_EXT_external_memory_host; OpenCL always (fine-grain system SVM where the device
       reports CL_DEVICE_SVM_FINE_GRAIN_SYSTEM and the context's tier is an SVM tier, else a
       CL_MEM_USE_HOST_PTR buffer). 0: every host import copies. */
    int host_import;
    /** 1 if zcs_array_import_fd takes ZCS_FD_OPAQUE (Vulkan VK_KHR_external_memory_fd,
       OpenCL cl_khr_external_memory_opaque_fd). */
    int opaque_fd_import;
    /** 1 if ZCS_ARRAY_EXPORTABLE and zcs_array_export_fd work (Vulkan
       VK_KHR_external_memory_fd; never on OpenCL). */
    int opaque_fd_export;
    /** 1 if zcs_array_import_fd takes ZCS_FD_DMA_BUF (Vulkan VK_EXT_external_memory_dma_buf,
       OpenCL cl_khr_external_memory_dma_buf or cl_arm_import_memory_dma_buf). */
    int dma_buf_import;
    /** What the device offers and lacks, in words (the extensions by name); valid while
       the context lives. */
    const char *description;
} zcs_import_requirements;

/**
 * Fill *out with the device's import rules.
 * Returns ZCS_SUCCESS, ZCS_ERROR_NULL_HANDLE, ZCS_ERROR_INVALID_HANDLE.
 */
ZCS_API zcs_status zcs_import_requirements_get(zcs_context *context, zcs_import_requirements *out);

/**
 * Make `count` elements of `elem_size` bytes at `ptr`, memory the application owns
 * (malloc, aligned_alloc, mmap, a decoder's frame), a zcs array. Map, unmap, dispatch and
 * free work as for any array; maps return addresses inside [ptr, ptr + size). The
 * application keeps the memory alive and does not free or unmap it until zcs_array_destroy
 * returns, and reaches it only between zcs_array_map and zcs_array_unmap (a kernel may be
 * writing it otherwise).
 *
 * Where ptr and the size meet zcs_import_requirements (and host_import is 1) the array is
 * zero-copy: kernels read and write the application's memory itself, and
 * zcs_array_info.zero_copy is 1. Where they do not:
 *  - by default zcs allocates device memory of its own, copies the application's bytes
 *    into it now, and then at every map copies the mapped range to the application's
 *    memory (except for ZCS_MAP_WRITE_DISCARD) and at every unmap after a write copies it
 *    back; every byte is counted in zcs_stats.bytes_copied, zero_copy is 0 and
 *    zcs_array_info.reason says which rule failed. Maps still return addresses in
 *    the application's memory;
 *  - with ZCS_ARRAY_REQUIRE_ZERO_COPY it gives ZCS_ERROR_UNSUPPORTED, and the message gives
 *    the rule and the offending address or size.
 * Validation mode (ZCS_CONTEXT_VALIDATE): maps hand out a guarded shadow as for every
 * array, but a zero-copy import has no device-side guards (the bytes around the
 * application's memory are not zcs's to fill), so a kernel that writes past it is not
 * caught; copying imports have them.
 * Returns ZCS_SUCCESS, ZCS_ERROR_NULL_HANDLE (context, ptr or out_array),
 * ZCS_ERROR_INVALID_HANDLE, ZCS_ERROR_ZERO_SIZE, ZCS_ERROR_SIZE_OVERFLOW,
 * ZCS_ERROR_TOO_LARGE, ZCS_ERROR_INVALID_ARGUMENT (unknown or contradictory flags,
 * ZCS_ARRAY_EXPORTABLE), ZCS_ERROR_UNSUPPORTED (ZCS_ARRAY_REQUIRE_ZERO_COPY and the rule
 * not met or no host import), ZCS_ERROR_OUT_OF_MEMORY, ZCS_ERROR_BACKEND.
 */
ZCS_API zcs_status zcs_array_import_host(zcs_context *context, void *ptr, size_t elem_size,
                                         size_t count, uint32_t flags, zcs_array **out_array);

/** What a file descriptor given to zcs_array_import_fd holds. */
typedef enum zcs_fd_type {
    /** An opaque handle another zcs context exported (zcs_array_export_fd), in this or
       another process, on the same device and driver. */
    ZCS_FD_OPAQUE = 1,
    /** A Linux dma-buf (a camera, a decoder, a compositor, udmabuf). */
    ZCS_FD_DMA_BUF = 2,
} zcs_fd_type;

/**
 * Export an array made with ZCS_ARRAY_EXPORTABLE as a new file descriptor (opaque, see
 * ZCS_FD_OPAQUE) that the caller owns and closes. Another context, here or in another
 * process that received the descriptor (inherited across exec, or sent over a Unix
 * socket), imports it with zcs_array_import_fd and the same element size and count; both
 * then reach the same memory, zero-copy. zcs orders neither side against the other:
 * finish (zcs_finish) and unmap on one side before the other maps or dispatches.
 * Check that both sides agree on the struct layout with zcs/struct_check.h.
 * Returns ZCS_SUCCESS, ZCS_ERROR_NULL_HANDLE, ZCS_ERROR_INVALID_HANDLE, ZCS_ERROR_BUSY,
 * ZCS_ERROR_UNSUPPORTED (an array made without ZCS_ARRAY_EXPORTABLE, or a backend or device
 * that cannot export; the message names the extension), ZCS_ERROR_OUT_OF_MEMORY,
 * ZCS_ERROR_BACKEND.
 */
ZCS_API zcs_status zcs_array_export_fd(zcs_array *array, int *out_fd);

/**
 * Make the memory of file descriptor `fd` (of kind `type`) an array of `count` elements of
 * `elem_size` bytes. On success the descriptor belongs to zcs (the driver closes it, or
 * zcs does at zcs_array_destroy): do not close it. On failure it is still the caller's.
 * The array is zero-copy and imported (zcs_array_info); it has no validation guards.
 * Returns ZCS_SUCCESS, ZCS_ERROR_NULL_HANDLE, ZCS_ERROR_INVALID_HANDLE,
 * ZCS_ERROR_INVALID_ARGUMENT (fd < 0, unknown type or flags, ZCS_ARRAY_EXPORTABLE),
 * ZCS_ERROR_ZERO_SIZE, ZCS_ERROR_SIZE_OVERFLOW, ZCS_ERROR_TOO_LARGE, ZCS_ERROR_UNSUPPORTED
 * (the device cannot import that kind: the message names the missing extension, for
 * example cl_khr_external_memory on PoCL, VK_EXT_external_memory_dma_buf on lavapipe 22),
 * ZCS_ERROR_OUT_OF_MEMORY, ZCS_ERROR_BACKEND (among others: a descriptor the driver does
 * not recognise, or memory smaller than the array).
 */
ZCS_API zcs_status zcs_array_import_fd(zcs_context *context, int fd, zcs_fd_type type,
                                       size_t elem_size, size_t count, uint32_t flags,
                                       zcs_array **out_array);

/* ------------------------------------------------------------------------ */
/* Programs and kernels                                                      */
/* ------------------------------------------------------------------------ */

/**
 * Build a program from source code in the backend's kernel language: OpenCL C on
 * the OpenCL backend, GLSL compute on the Vulkan backend (where zcs was built with
 * a GLSL compiler; ZCS_ERROR_UNSUPPORTED otherwise). length 0 means NUL-terminated.
 * options are passed to the compiler (may be NULL). Both backends take "-I dir" (or
 * "-Idir"): \#include "header.h" and <header.h> search those directories in order;
 * \#include "zcs/layout.h" always finds the library's own copy (docs/guide.md, section 11).
 * On Vulkan the options are -DNAME[=VALUE], -I dir, -O, -O0, -Os, -g, -Werror and -w.
 * Returns ZCS_SUCCESS, ZCS_ERROR_NULL_HANDLE, ZCS_ERROR_INVALID_HANDLE,
 * ZCS_ERROR_ZERO_SIZE (empty source), ZCS_ERROR_BUILD (the message holds the compiler's
 * build log; on Vulkan also an unknown compiler option), ZCS_ERROR_UNSUPPORTED,
 * ZCS_ERROR_OUT_OF_MEMORY, ZCS_ERROR_BACKEND.
 */
ZCS_API zcs_status zcs_program_create_from_source(zcs_context *context, const char *source,
                                                  size_t length, const char *options,
                                                  zcs_program **out_program);

/**
 * Build a program from a file: OpenCL C (.cl) on OpenCL; SPIR-V (.spv) or, with a
 * GLSL compiler, GLSL (.comp) on Vulkan. As zcs_program_create_from_source, plus
 * ZCS_ERROR_IO when the file cannot be read or is not a regular file (a directory, a
 * FIFO, a device: the message names it and the reason; a FIFO is never waited on) and
 * ZCS_ERROR_ZERO_SIZE for an empty file. Files whose size the system reports as 0
 * (/proc) are read to their end. On Vulkan, GLSL without \#version is compiled as
 * \#version 450; a version too old for compute shaders gives ZCS_ERROR_BUILD. The file's
 * own directory is searched for its \#include "..." lines before the -I directories, and
 * build logs name the file.
 */
ZCS_API zcs_status zcs_program_create_from_file(zcs_context *context, const char *path,
                                                const char *options, zcs_program **out_program);

/**
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

/**
 * Create one of the library's own programs, embedded at build time from kernels/
 * (kernels/NAME.cl on OpenCL, kernels/NAME.comp on Vulkan). Each holds one kernel
 * named like the program. zcs_builtin_program_names() lists them.
 * Unknown name: ZCS_ERROR_KERNEL_NOT_FOUND.
 */
ZCS_API zcs_status zcs_program_create_builtin(zcs_context *context, const char *name,
                                              zcs_program **out_program);

/** NULL-terminated list of the embedded programs' names. */
ZCS_API const char *const *zcs_builtin_program_names(void);

/** Destroy a program; kernels created from it stay valid. NULL does nothing. */
ZCS_API void zcs_program_destroy(zcs_program *program);

/**
 * Create a kernel object for the kernel `name` of a program. One rule on both backends
 * (docs/guide.md, "Kernel names"): a program from source, a file or SPIR-V answers to
 * its kernels' own names: the OpenCL C function, the SPIR-V entry point, and for GLSL
 * (whose entry point is always main) the name its `#pragma zcs_kernel(NAME)` line gives,
 * which becomes the SPIR-V entry point's name. A module whose only entry point is still
 * "main" (GLSL without the pragma, zcs's builtins) also answers to the name of its
 * builtin program or file stem, up to 127 characters. Names have no length limit
 * of zcs's own; on PoCL, which aborts the process on kernel names of more than 252
 * characters (its cache names a file after each kernel), those give ZCS_ERROR_UNSUPPORTED.
 * Returns ZCS_SUCCESS, ZCS_ERROR_NULL_HANDLE, ZCS_ERROR_INVALID_HANDLE,
 * ZCS_ERROR_KERNEL_NOT_FOUND, ZCS_ERROR_KERNEL_ARGUMENT (the kernel's parameters exceed a
 * device limit; the message names it), ZCS_ERROR_UNSUPPORTED, ZCS_ERROR_BUSY (the program is being
 * destroyed on another thread), ZCS_ERROR_OUT_OF_MEMORY, ZCS_ERROR_BACKEND.
 */
ZCS_API zcs_status zcs_kernel_create(zcs_program *program, const char *name,
                                     zcs_kernel **out_kernel);

/** Destroy a kernel. NULL does nothing. */
ZCS_API void zcs_kernel_destroy(zcs_kernel *kernel);

/*
 * Kernel parameters have no count limit of zcs's own: a kernel takes as many as its
 * device allows, and zcs_kernel_create refuses one over a device limit with a message
 * that names the limit (docs/guide.md, "Limits"):
 *  - OpenCL: CL_DEVICE_MAX_PARAMETER_SIZE, the bytes of all arguments together (a pointer
 *    or __local pointer counts the device's address size, a value its type's size);
 *  - Vulkan: array parameters are storage buffers of descriptor set 0
 *    (maxPerStageDescriptorStorageBuffers, maxDescriptorSetStorageBuffers), value
 *    parameters one push-constant block (maxPushConstantsSize bytes).
 * zcs_device_limits.max_parameter_bytes reports the byte limit.
 */

/** Most bytes of one by-value argument (a float16, a small struct). Together, the values
    of a kernel are bounded by the device (see above). */
#define ZCS_MAX_VALUE_BYTES 128

/** Most arrays zcs_kernel_set_indirect takes in one list. */
#define ZCS_MAX_INDIRECT_ARRAYS 4096u

/**
 * Vulkan: the specialization constant id that sizes the local (workgroup-shared) memory
 * of kernel parameter `index` (0 to 1022), in bytes. A GLSL kernel declares a local memory
 * parameter as `layout(constant_id = 1024 + index) const uint NAME = 4;` and sizes a
 * `shared` array with it (`shared float tile[NAME / 4];`); zcs_kernel_set_local(kernel,
 * index, bytes) then specialises the pipeline with `bytes`. The parameter takes position
 * `index` in the one sequence of parameters, between the storage buffers (binding = index)
 * and the push-constant members (the remaining indices, in member order). docs/guide.md,
 * "Local memory".
 */
#define ZCS_LOCAL_SPEC_ID(index) (1024u + (uint32_t)(index))

/**
 * Set argument `index` to an array. The library passes what the tier needs (an SVM
 * pointer, a cl_mem, a storage buffer); the kernel sees a global pointer to the
 * first element. On Vulkan, array argument `index` is storage buffer binding `index`
 * of descriptor set 0.
 * Returns ZCS_SUCCESS, ZCS_ERROR_NULL_HANDLE, ZCS_ERROR_INVALID_HANDLE,
 * ZCS_ERROR_KERNEL_ARGUMENT (index out of range or not an array argument; the message
 * says which), ZCS_ERROR_INVALID_ARGUMENT (buffer of another context), ZCS_ERROR_BACKEND.
 */
ZCS_API zcs_status zcs_kernel_set_array(zcs_kernel *kernel, uint32_t index, zcs_array *buffer);

/**
 * Set argument `index` to a value of `size` bytes (copied). `size` must be the parameter's
 * own (4 for a uint, 16 for a float4 or a float3): a different size gives
 * ZCS_ERROR_KERNEL_ARGUMENT. OpenCL checks scalar and vector types by their name; structs
 * and size_t are passed as given. On Vulkan, value arguments
 * are packed into one push-constant block in argument order, each aligned to its size
 * (4, 8 or 16 bytes), up to the device's maxPushConstantsSize together.
 * Returns ZCS_SUCCESS, ZCS_ERROR_NULL_HANDLE, ZCS_ERROR_INVALID_HANDLE,
 * ZCS_ERROR_KERNEL_ARGUMENT, ZCS_ERROR_BACKEND.
 */
ZCS_API zcs_status zcs_kernel_set_value(zcs_kernel *kernel, uint32_t index, size_t size,
                                        const void *value);

/**
 * Set argument `index` to `bytes` of local memory, shared by the work items of one work
 * group and uninitialised at its start: OpenCL's clSetKernelArg(kernel, index, bytes, NULL)
 * for a `__local` pointer parameter; on Vulkan the specialization constant
 * ZCS_LOCAL_SPEC_ID(index) that sizes a `shared` array. The local memory of all arguments
 * together, plus what the kernel declares itself, must fit the device's
 * zcs_device_limits.local_memory_size: zcs_dispatch checks the arguments' sum.
 * Returns ZCS_SUCCESS, ZCS_ERROR_NULL_HANDLE, ZCS_ERROR_INVALID_HANDLE,
 * ZCS_ERROR_KERNEL_ARGUMENT (index out of range, or a parameter that is not local memory;
 * zcs_kernel_set_array and zcs_kernel_set_value refuse local memory parameters the same
 * way), ZCS_ERROR_ZERO_SIZE (bytes 0), ZCS_ERROR_INVALID_ARGUMENT (bytes over the device's
 * local memory size; the message gives the limit), ZCS_ERROR_BACKEND.
 */
ZCS_API zcs_status zcs_kernel_set_local(zcs_kernel *kernel, uint32_t index, size_t bytes);

/**
 * Most work items per grid dimension zcs_dispatch takes (2^32 - 1): Vulkan's invocation
 * ids are 32 bits, and a larger OpenCL grid would run for days or, at SIZE_MAX, never end.
 */
#define ZCS_MAX_GLOBAL_SIZE 0xffffffffull

/**
 * Launch the kernel over a grid of `dims` (1 to 3) dimensions of global_size[d] work
 * items. Exactly global_size work items run on both backends, never rounded up, so a
 * kernel needs no bounds check (docs/guide.md, "Grids"). local_size (the work-group
 * size) may be NULL: the backend chooses (OpenCL: the runtime; Vulkan: 64, 8x8 or 4x4x4,
 * each dimension no larger than the largest power of two within its global size). A
 * local size that does not divide the global size runs the whole work groups, then the
 * rest of each dimension in smaller groups at their place in the grid: OpenCL 2.0's
 * non-uniform work groups where the runtime takes them, else separate pieces (OpenCL: one
 * group of the remainder; Vulkan: groups of the largest power of two dividing the
 * remainder and its offset). Global ids are those of one grid; in such pieces group ids,
 * group counts and OpenCL's get_global_size are the piece's own: a kernel that needs
 * whole groups (barriers over local memory) passes a multiple of its local size.
 * On Vulkan the work-group size reaches the shader through specialization constants
 * 0, 1 and 2 (`layout(local_size_x_id = 0, local_size_y_id = 1, local_size_z_id = 2) in;`);
 * a shader that fixes its size takes only global sizes that are multiples of it.
 * Asynchronous: returns once queued; zcs_finish or a map waits for it.
 * Every argument must be set, and no array argument may be mapped.
 * Returns ZCS_SUCCESS, ZCS_ERROR_NULL_HANDLE, ZCS_ERROR_INVALID_HANDLE,
 * ZCS_ERROR_INVALID_ARGUMENT (dims, a zero size, a global size over ZCS_MAX_GLOBAL_SIZE, a
 * local size over the device limit, local memory arguments over the device's local memory
 * size, on Vulkan a global size that is not a multiple of a work-group size the shader
 * fixes), ZCS_ERROR_KERNEL_ARGUMENT (an argument is unset, or an array argument was freed
 * since it was set: refused even if another array, of any context, was allocated since),
 * ZCS_ERROR_MAPPED, ZCS_ERROR_BUSY (another thread is in a call on this kernel),
 * ZCS_ERROR_DISPATCH, ZCS_ERROR_BACKEND.
 */
ZCS_API zcs_status zcs_dispatch(zcs_kernel *kernel, uint32_t dims, const size_t *global_size,
                                const size_t *local_size);

/**
 * Wait until every kernel dispatched on the context has finished. In validation mode,
 * then check the guard bytes of every unmapped array.
 * Returns ZCS_SUCCESS, ZCS_ERROR_NULL_HANDLE, ZCS_ERROR_INVALID_HANDLE,
 * ZCS_ERROR_GUARD_CORRUPTED (validation mode: a kernel wrote outside an array),
 * ZCS_ERROR_DEVICE_LOST, ZCS_ERROR_OUT_OF_MEMORY, ZCS_ERROR_BACKEND.
 */
ZCS_API zcs_status zcs_finish(zcs_context *context);

/* ------------------------------------------------------------------------ */
/* Structs that point to other shared structs                                */
/* ------------------------------------------------------------------------ */

/**
 * Two forms (docs/layout.md, "Pointers inside structs"):
 *
 *  - zcs_ref (zcs/layout.h): a 32-bit element index into a known array, ZCS_REF_NULL
 *    for none. Works on every tier and both backends; kernels take the target array as
 *    an argument and follow `base[ref]`. The recommended form.
 *
 *  - ZCS_PTR(T): a device address. On the OpenCL SVM tiers (svm_fine, svm_coarse) it is
 *    the host's own pointer; on Vulkan a buffer device address (devices with
 *    bufferDeviceAddress, Vulkan 1.2) that the host stores but does not follow. The host
 *    writes ZCS_DEVICE_PTR(T, zcs_array_device_address(...), index); the kernel's
 *    arrays reached through stored pointers are declared with zcs_kernel_set_indirect.
 */

/**
 * The address kernels see for the first element of `buffer`, for ZCS_PTR fields. On the
 * SVM tiers it equals the pointer zcs_array_map returns for the whole array.
 * Returns ZCS_SUCCESS, ZCS_ERROR_NULL_HANDLE, ZCS_ERROR_INVALID_HANDLE,
 * ZCS_ERROR_UNSUPPORTED (the tier or device has no stable address: host_ptr, whose buffers
 * the OpenCL runtime may move, OpenCL's staged tier (a cl_mem with no SVM pointer; Vulkan's
 * staged arrays have addresses), and Vulkan devices without bufferDeviceAddress; the
 * message says why).
 */
ZCS_API zcs_status zcs_array_device_address(zcs_array *buffer, uint64_t *out_address);

/** The ZCS_PTR(T) value for element `index` of an array whose device address is `address`. */
#define ZCS_DEVICE_PTR(T, address, index)                                                          \
    ((T *)(uintptr_t)((uint64_t)(address) + (uint64_t)(index) * (uint64_t)sizeof(T)))

/**
 * Declare the arrays `kernel` reaches through pointers stored in memory (ZCS_PTR fields),
 * beyond its arguments; replaces any earlier list. count 0 clears it (buffers may then
 * be NULL). OpenCL: clSetKernelExecInfo(CL_KERNEL_EXEC_INFO_SVM_PTRS).
 * Ordering: the arrays listed count as used by every later dispatch of the kernel, like
 * its array arguments: a map of one waits for those dispatches, and a dispatch while one
 * is mapped fails with ZCS_ERROR_MAPPED. After a listed array is freed, dispatches fail
 * with ZCS_ERROR_KERNEL_ARGUMENT until the list is set again.
 * Returns ZCS_SUCCESS, ZCS_ERROR_NULL_HANDLE (kernel, or buffers with count > 0, or a
 * NULL entry), ZCS_ERROR_INVALID_HANDLE, ZCS_ERROR_INVALID_ARGUMENT (an array of another
 * context, count over ZCS_MAX_INDIRECT_ARRAYS), ZCS_ERROR_UNSUPPORTED (an array whose tier
 * has no shared address, a Vulkan device without bufferDeviceAddress; the message says why),
 * ZCS_ERROR_BACKEND.
 */
ZCS_API zcs_status zcs_kernel_set_indirect(zcs_kernel *kernel, zcs_array *const *buffers,
                                           size_t count);

#ifdef __cplusplus
}
#endif

#endif /* ZCS_ZCS_H */
