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
    /* The tier of ZCS_ARRAY_STREAMED arrays: info.tier, except under the automatic choice on
       a device without unified memory (staged), where the backend sets the best
       host-memory tier. */
    zcs_tier streamed_tier;

    zcs_stats stats; /* validation_messages and device_waits excepted: see below */
    /* The Khronos validation layer's messages for this context, counted by the Vulkan
       backend's callback from inside any Vulkan call (so not under `lock`). */
    _Atomic uint64_t validation_messages;
    /* Blocking waits on the device, counted by the backends where they block, often with
       their own locks held (so not under `lock`). */
    _Atomic uint64_t device_waits;
    /* The wait policy (zcs__wait_resolve): how long a wait polls before it blocks, 0 to
       block at once; its counters, atomic for the same reason as device_waits. */
    uint64_t wait_poll_ns;
    char wait_reason[256];
    _Atomic uint64_t polled_waits;
    _Atomic uint64_t poll_timeouts;
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

    /* zcs_import_requirements_get's text, written once under `lock` (src/core/import.c). */
    char import_description[512];

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
    /* Application work on the array declared through an interop header's ordering calls
       (zcs_opencl_array_used_by, zcs_vulkan_array_used_by) that no map or free has waited
       for yet: the next one calls zcs__backend_array_wait even when no dispatch is
       pending. Under the context lock. */
    int app_use_pending;

    /* Imports (src/core/import.c). import_host: the application's memory of
       zcs_array_import_host, else NULL. import_copy: the memory could not be shared, so
       the array is zcs's own allocation and maps copy between it and import_host;
       import_device_ptr is then the backend's mapping while the array is mapped. */
    void *import_host;
    int import_copy;
    void *import_device_ptr;

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
    ZCS__ARG_LOCAL = 3, /* local (workgroup-shared) memory of `size` bytes (zcs_kernel_set_local) */
} zcs__arg_kind;

/* What the backend knows of a kernel parameter before it is set. */
typedef enum zcs__param_kind {
    ZCS__PARAM_UNKNOWN = 0, /* the backend cannot tell: either kind is accepted */
    ZCS__PARAM_ARRAY = 1,   /* a global pointer / storage buffer */
    ZCS__PARAM_VALUE = 2,   /* a by-value argument */
    ZCS__PARAM_LOCAL = 3,   /* OpenCL __local pointer; Vulkan shared array sized by the
                               specialization constant ZCS_LOCAL_SPEC_ID(index) */
} zcs__param_kind;

typedef struct zcs__kernel_arg {
    zcs__arg_kind kind;
    zcs_array *buffer;         /* ZCS__ARG_ARRAY: read only once buffer_handle resolves */
    const void *buffer_handle; /* the array's handle, never reused: a freed array is told
                                  apart from any later one, in any context */
    size_t size;               /* ZCS__ARG_VALUE; ZCS__ARG_LOCAL: bytes of local memory */
    unsigned char value[ZCS_MAX_VALUE_BYTES];
} zcs__kernel_arg;

struct zcs_kernel {
    void *handle;
    zcs__link link;
    zcs_context *context;
    char *name; /* any length (heap) */

    /* Number of parameters, or 0 when the backend cannot tell (then arguments must be
       set without gaps from index 0, up to max_params). */
    uint32_t num_params;
    /* Most arguments the kernel takes: num_params, or when that is 0 what the device
       allows (set by the backend; the core uses ZCS__DEFAULT_MAX_PARAMS when 0). */
    uint32_t max_params;
    /* Entries allocated in param_kinds, param_sizes and args (zcs__kernel_reserve_params):
       num_params at creation; grown on demand up to max_params when num_params is 0. */
    uint32_t param_capacity;
    zcs__param_kind *param_kinds;
    /* Size in bytes of each value parameter, 0 where the backend cannot tell. */
    size_t *param_sizes;
    zcs__kernel_arg *args;
    /* Arrays the kernel reaches through pointers stored in other arrays
       (zcs_kernel_set_indirect): ordered and checked like array arguments. */
    zcs_array **indirect;
    const void **indirect_handles;
    uint32_t indirect_count;

    struct zcs__kernel_impl *impl;
};

/* ---- helpers shared by the core and the backends (src/core/) ---- */

/* Most arguments of a kernel whose parameters neither the backend nor the device bound. */
#define ZCS__DEFAULT_MAX_PARAMS 256u

/*
 * Make room for `count` parameters in kernel->param_kinds, param_sizes and args (new
 * entries zeroed: unknown, unset). Backends call it from zcs__backend_kernel_create
 * before filling the parameters; the core grows it as arguments are set when
 * num_params is 0 (src/core/kernel_params.c).
 */
zcs_status zcs__kernel_reserve_params(zcs_kernel *kernel, uint32_t count);

/* Free what zcs__kernel_reserve_params and zcs_kernel_set_indirect allocated. */
void zcs__kernel_free_params(zcs_kernel *kernel);

/* Sum of the local memory bytes of the kernel's arguments 0 to arg_count - 1. */
uint64_t zcs__kernel_local_bytes(const zcs_kernel *kernel, uint32_t arg_count);

/* Refuse a dispatch whose local memory arguments together exceed the device's local
   memory size (backends call it while forming the dispatch). */
zcs_status zcs__kernel_check_local(zcs_kernel *kernel, uint32_t arg_count);

/* Check argument `index` against the kernel's parameters and `kind` (growing the
   arguments of a kernel whose parameters are unknown); `function` names the call. */
zcs_status zcs__kernel_check_arg_index(zcs_kernel *kernel, uint32_t index, zcs__param_kind kind,
                                       const char *function);

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

/*
 * What zcs__array_new calls to give a new array its memory: array->impl from the backend
 * (the fields, tier, flags, guard_size and the default zero_copy and reason are set).
 * On failure it leaves array->impl released.
 */
typedef zcs_status (*zcs__array_make_fn)(zcs_array *array, void *user);

/*
 * The argument checks, budget reservation and registration zcs_array_create and the
 * imports share (src/core/array.c): `call` names the public function in messages,
 * `extra_flags` are the flag bits it takes beyond the host and device access ones.
 * After `make`, guards are filled where array->guard_size is still not 0.
 */
zcs_status zcs__array_new(zcs_context *context, const char *call, size_t elem_size, size_t count,
                          uint32_t flags, uint32_t extra_flags, zcs__array_make_fn make, void *user,
                          zcs_array **out_array);

/* Copy between an import_copy array's device memory and the application's at map and
   unmap (src/core/import.c): the pointer the application gets, in its own memory. */
void *zcs__import_map(zcs_array *array, zcs_access access, size_t offset, size_t size,
                      void *device_ptr);
/* Before the backend's unmap: copy written bytes back, and put the backend's mapping in
   array->map_ptr. */
void zcs__import_unmap(zcs_array *array);
/* ZCS_ERROR_UNSUPPORTED, naming what is missing, where the device cannot export an array
   made with ZCS_ARRAY_EXPORTABLE (before the backend allocates it). */
zcs_status zcs__import_check_exportable(zcs_array *array);
void zcs__kernel_destroy_object(zcs_kernel *kernel);
void zcs__program_destroy_object(zcs_program *program);

/*
 * The arrays a dispatch of `kernel` with `arg_count` arguments uses, for the code that
 * orders dispatches (the core, the backends' ordering.c): zcs__dispatch_array_count of
 * them; number i is an array argument (NULL for an argument of another kind), then the
 * indirectly reached arrays (zcs_kernel_set_indirect).
 */
uint32_t zcs__dispatch_array_count(const zcs_kernel *kernel, uint32_t arg_count);
zcs_array *zcs__dispatch_array(const zcs_kernel *kernel, uint32_t arg_count, uint32_t i);

/* Note application work on `array` that maps and frees must wait for (app_use_pending),
   from a backend's interop code; takes the context lock. */
void zcs__array_note_app_use(zcs_array *array);

/*
 * zcs_opencl_context_attach and zcs_vulkan_context_attach (src/<backend>/interop.c): the
 * core's side of attaching, shared with zcs_context_create: check out_context and
 * native_desc, the flags (ZCS_CONTEXT_VALIDATE, ZCS_CONTEXT_IGNORE_ENVIRONMENT), the tier
 * and the wait (with ZCS_TIER, ZCS_VALIDATE and ZCS_WAIT), make the context and call
 * zcs__backend_context_attach. `function` names the public call in messages.
 */
zcs_status zcs__context_attach(const char *function, const void *native_desc, zcs_tier tier,
                               uint32_t flags, zcs_wait wait, uint32_t wait_poll_us,
                               zcs_context **out_context);

/* Add bytes the runtime copied to serve a map or unmap (taken under the context lock). */
void zcs__stats_add_copied(zcs_context *context, uint64_t bytes);
/* Count one blocking wait on the device (zcs_stats.device_waits). */
void zcs__stats_add_device_wait(zcs_context *context);

/*
 * Waits (src/core/wait.c). zcs__wait_resolve settles the context's wait policy once the
 * backend has chosen the device: info.wait, info.wait_poll_us, info.wait_reason and
 * wait_poll_ns, from what was asked (ZCS_WAIT_AUTO: the rule in zcs.h) and where it came
 * from ("the context option", "ZCS_WAIT").
 *
 * zcs__wait_poll runs before a backend's blocking wait for device work: under
 * ZCS_WAIT_POLL it calls `finished` until it returns nonzero or the budget runs out, and
 * counts polled_waits and poll_timeouts; under ZCS_WAIT_BLOCK it returns at once. `finished`
 * returns 1 when the work is done, 0 while it runs, -1 when the query failed (the blocking
 * wait that follows reports the failure). Returns 1 when the work finished while polling.
 */
typedef int (*zcs__wait_query)(void *argument);
void zcs__wait_resolve(zcs_context *context, zcs_wait wait, uint32_t wait_poll_us,
                       const char *source);
int zcs__wait_poll(zcs_context *context, zcs__wait_query finished, void *argument);

/* No backend: what ZCS_TIER_AUTO belongs to. */
#define ZCS__NO_BACKEND ((zcs_backend)0)

/* A backend's bit in zcs__tier_backends' mask. */
#define ZCS__BACKEND_BIT(backend) (1u << (unsigned)(backend))

/* The backends that offer `tier`, as ZCS__BACKEND_BIT bits (0 for ZCS_TIER_AUTO and unknown
   tiers); the one backend that offers it (ZCS__NO_BACKEND for none, or for a tier both
   offer); and a backend's name ("OpenCL", "Vulkan"), from src/core/status.c's tables. */
unsigned zcs__tier_backends(zcs_tier tier);
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
