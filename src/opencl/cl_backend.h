/* The OpenCL backend's private state and helpers (src/opencl/). */
#ifndef ZCS_OPENCL_CL_BACKEND_H
#define ZCS_OPENCL_CL_BACKEND_H

#include <pthread.h>

#include "backend.h"
#include "opencl/cl_api.h"

struct zcs__context_impl {
    cl_platform_id platform;
    cl_device_id device;
    cl_context cl_context;
    cl_command_queue queue;
    /* Serialises every call on `queue`: OpenCL allows several threads on one queue, but
       runtimes have raced there (PoCL 3.1 aborts in pocl_lock_events_inorder when threads
       enqueue and clFinish one in-order queue at once), and zcs promises thread safety. */
    pthread_mutex_t queue_lock;
    /* Serialises clSVMAlloc and clSVMFree: NVIDIA's OpenCL (driver 580) returned NULL for
       small clSVMAlloc calls made from 64 threads at once. */
    pthread_mutex_t svm_lock;
    /* 64 bytes of SVM that an emptied indirect list declares (cl_layout.c), or NULL. */
    void *svm_sentinel;
    cl_device_svm_capabilities svm_capabilities;
    /* 1 if the device reports OpenCL 2.1 or later (clCreateProgramWithIL). */
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
};

struct zcs__program_impl {
    cl_program program;
};

struct zcs__kernel_impl {
    cl_kernel kernel;
    size_t work_group_size; /* CL_KERNEL_WORK_GROUP_SIZE: the most items a group may have */
};

/*
 * Record a failed OpenCL call: the message names the call, the error and the code
 * ("clCreateBuffer failed: CL_INVALID_VALUE (-30)"), optionally with context text.
 * Out-of-memory errors map to ZCS_ERROR_OUT_OF_MEMORY, others to `status`.
 */
zcs_status zcs__cl_fail(zcs_context *context, zcs_status status, const char *call, cl_int error,
                        const char *what);

#endif /* ZCS_OPENCL_CL_BACKEND_H */
