/*
 * The library's objects as the core and the backends see them. Public code sees
 * only the opaque handles of zcs.h, which are handle-pool values (src/core/handles.h),
 * not these addresses: a handle of the wrong type, or one already destroyed, is refused
 * with ZCS_ERROR_INVALID_HANDLE without any object being read.
 */
#ifndef ZCS_CORE_OBJECTS_H
#define ZCS_CORE_OBJECTS_H

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "core/services.h"
#include "zcs/zcs.h"

/* The type of a handle (src/core/handles.h). */
#define ZCS__MAGIC_CONTEXT 0x7a637343u /* "zcsC" */
#define ZCS__MAGIC_ARRAY   0x7a637342u /* "zcsB" */
#define ZCS__MAGIC_PROGRAM 0x7a637350u /* "zcsP" */
#define ZCS__MAGIC_KERNEL  0x7a63734bu /* "zcsK" */

/* Size of the per-context and per-thread error message buffers. */
#define ZCS__ERROR_MESSAGE_SIZE 16384

/* Backend-private state, defined by the backend compiled in. */
struct zcs__context_impl;
struct zcs__array_impl;
struct zcs__program_impl;
struct zcs__kernel_impl;

/* Intrusive doubly linked list node; every object lives in its context's lists. */
typedef struct zcs__link {
    struct zcs__link *prev;
    struct zcs__link *next;
} zcs__link;

/*
 * The application never holds these addresses: it holds handles from the handle pool
 * (src/core/handles.h), and each object keeps its own in `handle`.
 */
struct zcs_context {
    void *handle;
    pthread_mutex_t lock; /* guards the lists, the statistics and the serials */

    zcs_context_info info;
    char device_name[256];
    char platform_name[256];
    char tier_reason[1024];

    zcs_stats stats; /* validation_messages excepted: see below */
    /* The Khronos validation layer's messages for this context, counted by the Vulkan
       backend's callback from inside any Vulkan call (so not under `lock`). */
    _Atomic uint64_t validation_messages;
    uint64_t bytes_live; /* bytes of live arrays plus those being allocated, for the budget */
    zcs__link buffers;
    zcs__link programs;
    zcs__link kernels;

    /* Dispatch ordering: each dispatch takes the next serial; `completed_serial` is the
       newest serial known to have finished. A buffer is busy while its last_use_serial
       is above completed_serial. Waits only ever claim serials up to enqueued_serial. */
    uint64_t submitted_serial;
    uint64_t enqueued_serial; /* newest serial whose backend dispatch has returned */
    uint64_t completed_serial;
    /* Held from taking a serial until the backend has enqueued it, so serials reach the
       backend in order and enqueued_serial never passes one still being submitted. */
    pthread_mutex_t dispatch_lock;

    /* The newest failure of a call on this context (zcs__fail), under its own lock so
       that a failure can be recorded with `lock` held. */
    pthread_mutex_t error_lock;
    int64_t last_backend_error;
    char last_error[ZCS__ERROR_MESSAGE_SIZE];

    struct zcs__context_impl *impl;
};

struct zcs_array {
    void *handle; /* unique for the life of the process: kernel arguments keep it */
    zcs__link link;
    zcs_context *context;

    size_t elem_size;
    size_t count;
    size_t size; /* elem_size * count, in bytes */
    uint32_t flags;
    zcs_tier tier;
    /* zcs_array_info: whether maps and unmaps copy nothing, whether the memory is the
       application's, and why the array has its tier and path (set by the backend's create
       or import; the core writes a default before calling it). */
    int zero_copy;
    int imported;
    char reason[256];
    /* Validation mode: bytes of guard before and after the array in its allocation. */
    size_t guard_size;

    /* Host mapping state. */
    int mapped;
    zcs_access map_access;
    size_t map_offset; /* bytes */
    size_t map_size;   /* bytes */
    void *map_ptr;     /* what the application got: the real mapping, or the shadow */

    /* Validation mode's shadow mapping (src/core/validation.c). */
    void *shadow_block;
    unsigned char *shadow_ptr;
    size_t shadow_guard;
    void *real_map_ptr;

    /* Serial of the newest dispatch that uses this buffer. */
    uint64_t last_use_serial;

    struct zcs__array_impl *impl;
};

struct zcs_program {
    void *handle;
    zcs__link link;
    zcs_context *context;
    /* Name a module with a single "main" entry point also answers to (builtin name or
       file stem); empty when none. */
    char default_kernel_name[128];
    struct zcs__program_impl *impl;
};

typedef enum zcs__arg_kind {
    ZCS__ARG_UNSET = 0,
    ZCS__ARG_ARRAY = 1,
    ZCS__ARG_VALUE = 2,
} zcs__arg_kind;

/* What the backend knows of a kernel parameter before it is set. */
typedef enum zcs__param_kind {
    ZCS__PARAM_UNKNOWN = 0, /* the backend cannot tell: either kind is accepted */
    ZCS__PARAM_ARRAY = 1,   /* a global pointer / storage buffer */
    ZCS__PARAM_VALUE = 2,   /* a by-value argument */
} zcs__param_kind;

typedef struct zcs__kernel_arg {
    zcs__arg_kind kind;
    zcs_array *buffer;         /* ZCS__ARG_ARRAY: read only once buffer_handle resolves */
    const void *buffer_handle; /* the array's handle, never reused: a freed array is told
                                  apart from any later one, in any context */
    size_t size;               /* ZCS__ARG_VALUE */
    unsigned char value[ZCS_MAX_VALUE_BYTES];
} zcs__kernel_arg;

struct zcs_kernel {
    void *handle;
    zcs__link link;
    zcs_context *context;
    char *name; /* any length (heap) */

    /* Number of parameters, or 0 when the backend cannot tell (then arguments must be
       set without gaps from index 0). */
    uint32_t num_params;
    zcs__param_kind param_kinds[ZCS_MAX_KERNEL_ARGS];
    /* Size in bytes of each value parameter, 0 where the backend cannot tell. */
    size_t param_sizes[ZCS_MAX_KERNEL_ARGS];
    zcs__kernel_arg args[ZCS_MAX_KERNEL_ARGS];
    /* Arrays the kernel reaches through pointers stored in other arrays
       (zcs_kernel_set_indirect): ordered and checked like array arguments. */
    zcs_array *indirect[ZCS_MAX_KERNEL_ARGS];
    const void *indirect_handles[ZCS_MAX_KERNEL_ARGS];
    uint32_t indirect_count;

    struct zcs__kernel_impl *impl;
};

/* ---- helpers shared by the core and the backends (src/core/) ---- */

/*
 * Record a failure on `context` (may be NULL) and on this thread, and return `status`.
 * backend_error is the backend's raw code (cl_int, VkResult) or 0.
 */
zcs_status zcs__fail(zcs_context *context, zcs_status status, int64_t backend_error,
                     const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

zcs_status zcs__vfail(zcs_context *context, zcs_status status, int64_t backend_error,
                      const char *format, va_list args)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 0)))
#endif
    ;

/*
 * Free or destroy an object whatever claims other threads hold on it (zcs_array_destroy,
 * zcs_kernel_destroy and zcs_program_destroy claim it first; zcs_context_destroy, which
 * no other call may overlap, does not).
 */
zcs_status zcs__array_destroy_object(zcs_array *buffer);
void zcs__kernel_destroy_object(zcs_kernel *kernel);
void zcs__program_destroy_object(zcs_program *program);

/*
 * zcs_opencl_context_attach and zcs_vulkan_context_attach (src/<backend>/interop.c): the
 * core's side of attaching, shared with zcs_context_create: check out_context and
 * native_desc, the flags (ZCS_CONTEXT_VALIDATE, ZCS_CONTEXT_IGNORE_ENVIRONMENT) and the
 * tier (with ZCS_TIER and ZCS_VALIDATE), make the context and call
 * zcs__backend_context_attach. `function` names the public call in messages.
 */
zcs_status zcs__context_attach(const char *function, const void *native_desc, zcs_tier tier,
                               uint32_t flags, zcs_context **out_context);

/* Add bytes the runtime copied to serve a map or unmap (taken under the context lock). */
void zcs__stats_add_copied(zcs_context *context, uint64_t bytes);

/* No backend: what ZCS_TIER_AUTO belongs to. */
#define ZCS__NO_BACKEND ((zcs_backend)0)

/* The backend that offers `tier` (ZCS__NO_BACKEND for ZCS_TIER_AUTO and unknown tiers),
   and a backend's name ("OpenCL", "Vulkan"), from src/core/status.c's tables. */
zcs_backend zcs__tier_backend(zcs_tier tier);
const char *zcs__tier_name(zcs_tier tier); /* zcs_tier_name, for the core's own use */
const char *zcs__backend_name(zcs_backend backend);

/* Case-insensitive substring test; an empty needle matches everything. */
int zcs__contains_ignore_case(const char *haystack, const char *needle);

/*
 * The live array of `handle` if it is `expected` (the argument recorded it), else NULL.
 * Call with the context lock held: a free retires the handle under the same lock.
 */
zcs_array *zcs__array_still(const void *handle, const zcs_array *expected);

#endif /* ZCS_CORE_OBJECTS_H */
