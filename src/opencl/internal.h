/*
 * The OpenCL backend's private state and helpers (src/opencl/). The files mirror
 * src/vulkan/: api (the call table), errors, device (inspection and choice), context,
 * array, program (programs and kernels), dispatch (submission and waiting), include
 * (#include "zcs/layout.h" in kernels built at run time).
 */
#ifndef ZCS_OPENCL_INTERNAL_H
#define ZCS_OPENCL_INTERNAL_H

#include <pthread.h>

#include "backend.h"
#include "opencl/api.h"

struct zcs__context_impl {
    cl_platform_id platform;
    cl_device_id device;
    cl_context cl_context;
    cl_command_queue queue;
    /* zcs holds one reference to each of cl_context and queue, made or retained; and to
       the device when retained_device (attach retains it, for sub-devices). */
    int retained_device;
    int attached; /* the objects are the application's (zcs_opencl_context_attach) */
    /* Serialises every call on `queue`: OpenCL allows several threads on one queue, but
       runtimes have raced there (PoCL 3.1 aborts in pocl_lock_events_inorder when threads
       enqueue and clFinish one in-order queue at once), and zcs promises thread safety. */
    pthread_mutex_t queue_lock;
    /* Serialises clSVMAlloc and clSVMFree: NVIDIA's OpenCL (driver 580) returned NULL for
       small clSVMAlloc calls made from 64 threads at once. */
    pthread_mutex_t svm_lock;
    /* 64 bytes of SVM that an emptied indirect list declares (program.c), or NULL. */
    void *svm_sentinel;
    /* 1 if the device reports OpenCL 2.1 or later and an IL (clCreateProgramWithIL). */
    int supports_il;
    size_t max_work_group_size;
    size_t max_work_item_sizes[3]; /* per dimension (CL_DEVICE_MAX_WORK_ITEM_SIZES) */
};

struct zcs__array_impl {
    void *svm;        /* SVM tiers: the array's first byte, as host and kernels see it */
    void *svm_base;   /* SVM tiers: the allocation (svm less the guard in validation mode) */
    cl_mem mem;       /* ZCS_TIER_HOST_PTR: the array's buffer (a sub-buffer when guarded) */
    cl_mem parent;    /* ZCS_TIER_HOST_PTR, guarded: the whole allocation; else NULL */
    void *stable_ptr; /* ZCS_TIER_HOST_PTR: the array's start as the first map returned it */
    int staged;       /* ZCS_TIER_HOST_PTR: a later map moved it, so the runtime copies */
    /* SVM tiers: a CL_MEM_USE_HOST_PTR buffer over svm_base, made at the first
       zcs_opencl_array_native (interop.c), released with the array; else NULL. */
    cl_mem svm_buffer;
};

struct zcs__program_impl {
    cl_program program;
};

struct zcs__kernel_impl {
    cl_kernel kernel;
    size_t work_group_size; /* CL_KERNEL_WORK_GROUP_SIZE: the most items a group may have */
};

/* Why the host_ptr tier has no shared pointer, for the messages of array.c and program.c. */
#define ZCS__CL_NO_ADDRESS_REASON                                                                  \
    "arrays of the host_ptr tier are cl_mem buffers: OpenCL 1.2 gives them no device "             \
    "address the host may store, and the runtime may move them between dispatches; use "           \
    "zcs_ref element indices (zcs/layout.h), which work on every tier, or an SVM tier"

/* ---- errors.c ---- */

/* "CL_INVALID_VALUE" for -30; "CL_UNKNOWN_ERROR" for codes OpenCL does not define. */
const char *zcs__cl_error_name(cl_int error);

/*
 * Record a failed OpenCL call: the message names the call, the error and the code
 * ("clCreateBuffer failed: CL_INVALID_VALUE (-30)"), optionally with context text.
 * Out-of-memory errors map to ZCS_ERROR_OUT_OF_MEMORY, others to `status`.
 */
zcs_status zcs__cl_fail(zcs_context *context, zcs_status status, const char *call, cl_int error,
                        const char *what);

/* ---- device.c: what context creation shares with device enumeration ---- */

/* What the device choice learns of one device. */
typedef struct zcs__cl_candidate {
    cl_platform_id platform;
    cl_device_id device;
    char platform_name[256];
    char device_name[256];
    cl_device_type type;
    char device_version[128]; /* CL_DEVICE_VERSION */
    char driver_version[256]; /* CL_DRIVER_VERSION */
    int is_gpu;
    int unified_memory;
    int version_major;
    int version_minor;
    cl_device_svm_capabilities svm;
    /* Why the device cannot be used, or "" when it can. */
    char refusal[160];
} zcs__cl_candidate;

/* Fill the rest of a candidate whose platform and device are set: names, versions, SVM
   capabilities and, when zcs cannot use it, the refusal. */
void zcs__cl_inspect_device(zcs__cl_candidate *candidate);

/* The index of `device` in zcs_device_get_info's numbering, or UINT32_MAX when OpenCL does
   not list it (a sub-device). */
zcs_status zcs__cl_device_index(zcs_context *context, cl_device_id device, uint32_t *out_index);

/* Pick the device asked for (by index, or the best usable one matching the name filter);
   NO_DEVICE lists every refusal. */
zcs_status zcs__cl_choose_device(zcs_context *context, const zcs__device_choice *choice,
                                 zcs__cl_candidate *out_choice, uint32_t *out_index);

/* Choose the tier: the forced one (of this backend) if the device has it, else the best
   it offers; the reason text goes to `reason`. */
zcs_status zcs__cl_choose_tier(zcs_context *context, const zcs__cl_candidate *device,
                               zcs_tier forced, const char *tier_source, char *reason,
                               size_t reason_size, zcs_tier *out_tier);

/* The limits of zcs_device_limits and the array alignment (zcs_context_info.alignment). */
zcs_status zcs__cl_query_limits(zcs_context *context, const zcs__cl_candidate *device,
                                zcs_device_limits *limits, size_t *out_alignment);

/* 1 if the device takes SPIR-V: OpenCL 2.1 or later and an IL it names (3.0 makes it
   optional). */
int zcs__cl_supports_il(const zcs__cl_candidate *device);

/* ---- interop.c ---- */

/*
 * Check a zcs_opencl_attach_desc (native_desc, not NULL): its handles, that they belong
 * together, an in-order host queue, a device zcs can use; describe the device into
 * *out_device and its index into *out_index. Retains nothing.
 */
zcs_status zcs__cl_check_attach(zcs_context *context, const void *native_desc,
                                zcs__cl_candidate *out_device, uint32_t *out_index);

/* ---- include.c ---- */

/*
 * The directory holding zcs/layout.h for -I, made at the first call (once per process);
 * "" where it could not be written (builds then go without it).
 */
const char *zcs__cl_include_dir(void);

#endif /* ZCS_OPENCL_INTERNAL_H */
