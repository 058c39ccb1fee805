/* Kernels: creation, arguments and dispatch, with the ordering rules of zcs_array_map. */
#include <string.h>

#include "backend.h"
#include "core/checks.h"
#include "core/list.h"

zcs_status zcs_kernel_create(zcs_program *program_handle, const char *name, zcs_kernel **out_kernel)
{
    /* Shared: several threads may create kernels from one program at once. */
    ZCS__CLAIM(zcs_program, program, program_handle, ZCS__MAGIC_PROGRAM, 0, "program",
               "zcs_kernel_create");
    zcs_context *context = program->context;
    zcs_status status = ZCS_SUCCESS;
    zcs_kernel *kernel = NULL;
    size_t length = name != NULL ? strlen(name) : 0;
    if (name == NULL || out_kernel == NULL)
        status = zcs__fail(context, ZCS_ERROR_NULL_HANDLE, 0, "zcs_kernel_create: %s is NULL",
                           name == NULL ? "name" : "out_kernel");
    else if (length == 0)
        status = zcs__fail(context, ZCS_ERROR_KERNEL_NOT_FOUND, 0,
                           "zcs_kernel_create: the kernel name is empty");
    else if ((kernel = zcs__calloc(1, sizeof *kernel)) == NULL ||
             (kernel->name = zcs__malloc(length + 1)) == NULL)
        status =
            zcs__fail(context, ZCS_ERROR_OUT_OF_MEMORY, 0, "zcs_kernel_create: out of host memory");
    if (status == ZCS_SUCCESS) {
        kernel->context = context;
        memcpy(kernel->name, name, length + 1);
        status = zcs__backend_kernel_create(kernel, program);
    }
    if (status == ZCS_SUCCESS) {
        kernel->handle = zcs__handle_register(kernel, ZCS__MAGIC_KERNEL, context);
        if (kernel->handle == NULL) {
            zcs__backend_kernel_destroy(kernel);
            status = zcs__fail(context, ZCS_ERROR_OUT_OF_MEMORY, 0,
                               "zcs_kernel_create: out of host memory");
        }
    }
    zcs__handle_release(program_handle);
    if (status != ZCS_SUCCESS) {
        if (kernel != NULL) {
            zcs__kernel_free_params(kernel);
            zcs__free(kernel->name);
        }
        zcs__free(kernel);
        return status;
    }
    pthread_mutex_lock(&context->lock);
    zcs__list_push(&context->kernels, &kernel->link);
    context->stats.live_kernels++;
    pthread_mutex_unlock(&context->lock);
    *out_kernel = kernel->handle;
    return ZCS_SUCCESS;
}

void zcs_kernel_destroy(zcs_kernel *handle)
{
    zcs_kernel *kernel = zcs__claim_to_destroy(handle, ZCS__MAGIC_KERNEL, "zcs_kernel_destroy",
                                               "another thread is in a call on this kernel");
    if (kernel != NULL)
        zcs__kernel_destroy_object(kernel);
}

void zcs__kernel_destroy_object(zcs_kernel *kernel)
{
    zcs_context *context = kernel->context;
    pthread_mutex_lock(&context->lock);
    zcs__handle_unregister(kernel->handle);
    zcs__list_remove(&kernel->link);
    context->stats.live_kernels--;
    pthread_mutex_unlock(&context->lock);
    zcs__backend_kernel_destroy(kernel);
    zcs__kernel_free_params(kernel);
    zcs__free(kernel->name);
    zcs__free(kernel);
}

/* What a parameter kind is, for messages. */
static const char *zcs__param_kind_text(zcs__param_kind kind)
{
    switch (kind) {
    case ZCS__PARAM_ARRAY:
        return "an array (global pointer)";
    case ZCS__PARAM_LOCAL:
        return "local memory (set it with zcs_kernel_set_local)";
    default:
        return "a value";
    }
}

/* Check an argument index against the kernel's parameters and the expected kind; make
   room for it when the backend could not tell the parameters. */
zcs_status zcs__kernel_check_arg_index(zcs_kernel *kernel, uint32_t index, zcs__param_kind kind,
                                       const char *function)
{
    if (kernel->num_params != 0 && index >= kernel->num_params)
        return zcs__fail(kernel->context, ZCS_ERROR_KERNEL_ARGUMENT, 0,
                         "%s: kernel \"%s\" has %u parameters; index %u is out of range", function,
                         kernel->name, kernel->num_params, index);
    uint32_t limit = kernel->max_params != 0 ? kernel->max_params : ZCS__DEFAULT_MAX_PARAMS;
    if (kernel->num_params == 0 && index >= limit)
        return zcs__fail(kernel->context, ZCS_ERROR_KERNEL_ARGUMENT, 0,
                         "%s: index %u is out of range: zcs cannot tell the parameters of kernel "
                         "\"%s\", and takes at most %u arguments for it (what the device allows)",
                         function, index, kernel->name, limit);
    if (index >= kernel->param_capacity) {
        zcs_status status = zcs__kernel_reserve_params(kernel, index + 1);
        if (status != ZCS_SUCCESS)
            return status;
    }
    zcs__param_kind actual = kernel->param_kinds[index];
    if (actual != ZCS__PARAM_UNKNOWN && actual != kind)
        return zcs__fail(kernel->context, ZCS_ERROR_KERNEL_ARGUMENT, 0,
                         "%s: parameter %u of kernel \"%s\" is %s, not %s", function, index,
                         kernel->name, zcs__param_kind_text(actual),
                         kind == ZCS__PARAM_ARRAY   ? "an array"
                         : kind == ZCS__PARAM_LOCAL ? "local memory"
                                                    : "a value");
    return ZCS_SUCCESS;
}

static zcs_status zcs__set_array(zcs_kernel *kernel, uint32_t index, zcs_array *handle)
{
    zcs_context *context = kernel->context;
    if (handle == NULL)
        return zcs__fail(context, ZCS_ERROR_NULL_HANDLE, 0, "zcs_kernel_set_array: buffer is NULL");
    if (zcs__handle_foreign(handle, ZCS__MAGIC_ARRAY, context))
        return zcs__fail(context, ZCS_ERROR_INVALID_ARGUMENT, 0,
                         "zcs_kernel_set_array: the array belongs to another context");
    zcs_status status =
        zcs__kernel_check_arg_index(kernel, index, ZCS__PARAM_ARRAY, "zcs_kernel_set_array");
    if (status != ZCS_SUCCESS)
        return status;
    /* Under the context lock, which a free takes to retire the handle: the array stays
       alive while the backend reads it. */
    pthread_mutex_lock(&context->lock);
    zcs_array *buffer = zcs__handle_lookup(handle, ZCS__MAGIC_ARRAY);
    if (buffer == NULL) {
        pthread_mutex_unlock(&context->lock);
        return zcs__fail(context, ZCS_ERROR_INVALID_HANDLE, 0,
                         "zcs_kernel_set_array: not a live buffer handle (freed, of another "
                         "type, or never made by zcs)");
    }
    zcs__kernel_arg previous = kernel->args[index];
    kernel->args[index].kind = ZCS__ARG_ARRAY;
    kernel->args[index].buffer = buffer;
    kernel->args[index].buffer_handle = handle;
    kernel->args[index].size = 0;
    status = zcs__backend_kernel_set_arg(kernel, index);
    if (status != ZCS_SUCCESS)
        kernel->args[index] = previous;
    pthread_mutex_unlock(&context->lock);
    return status;
}

zcs_status zcs_kernel_set_array(zcs_kernel *kernel_handle, uint32_t index, zcs_array *buffer)
{
    ZCS__CLAIM(zcs_kernel, kernel, kernel_handle, ZCS__MAGIC_KERNEL, 1, "kernel",
               "zcs_kernel_set_array");
    zcs_status status = zcs__set_array(kernel, index, buffer);
    zcs__handle_release(kernel_handle);
    return status;
}

static zcs_status zcs__set_value(zcs_kernel *kernel, uint32_t index, size_t size, const void *value)
{
    /* The kind first: a local memory parameter set the clSetKernelArg way (a size and
       NULL) is told to use zcs_kernel_set_local. */
    zcs_status status =
        zcs__kernel_check_arg_index(kernel, index, ZCS__PARAM_VALUE, "zcs_kernel_set_value");
    if (status != ZCS_SUCCESS)
        return status;
    if (value == NULL)
        return zcs__fail(kernel->context, ZCS_ERROR_NULL_HANDLE, 0,
                         "zcs_kernel_set_value: value is NULL");
    if (size == 0 || size > ZCS_MAX_VALUE_BYTES)
        return zcs__fail(kernel->context, ZCS_ERROR_KERNEL_ARGUMENT, 0,
                         "zcs_kernel_set_value: size %zu of argument %u must be 1 to %d bytes",
                         size, index, ZCS_MAX_VALUE_BYTES);
    /* The kernel reads as many bytes as its parameter's type has: a shorter value would
       leave it reading past ours, a longer one would be cut. */
    size_t expected = kernel->param_sizes[index];
    if (expected != 0 && size != expected)
        return zcs__fail(kernel->context, ZCS_ERROR_KERNEL_ARGUMENT, 0,
                         "zcs_kernel_set_value: parameter %u of kernel \"%s\" takes %zu bytes, "
                         "not %zu",
                         index, kernel->name, expected, size);
    zcs__kernel_arg previous = kernel->args[index];
    kernel->args[index].kind = ZCS__ARG_VALUE;
    kernel->args[index].buffer = NULL;
    kernel->args[index].buffer_handle = NULL;
    kernel->args[index].size = size;
    memcpy(kernel->args[index].value, value, size);
    status = zcs__backend_kernel_set_arg(kernel, index);
    if (status != ZCS_SUCCESS)
        kernel->args[index] = previous;
    return status;
}

zcs_status zcs_kernel_set_value(zcs_kernel *kernel_handle, uint32_t index, size_t size,
                                const void *value)
{
    ZCS__CLAIM(zcs_kernel, kernel, kernel_handle, ZCS__MAGIC_KERNEL, 1, "kernel",
               "zcs_kernel_set_value");
    zcs_status status = zcs__set_value(kernel, index, size, value);
    zcs__handle_release(kernel_handle);
    return status;
}

/* Number of arguments a dispatch passes: all parameters, or up to the highest one set when
   the backend cannot tell. */
static uint32_t zcs__kernel_arg_count(const zcs_kernel *kernel)
{
    if (kernel->num_params != 0)
        return kernel->num_params;
    /* Up to the highest argument set, so that a gap is reported as an unset argument. */
    uint32_t count = kernel->param_capacity;
    while (count > 0 && kernel->args[count - 1].kind == ZCS__ARG_UNSET)
        count--;
    return count;
}

static zcs_status zcs__dispatch(zcs_kernel *kernel, uint32_t dims, const size_t *global_size,
                                const size_t *local_size)
{
    zcs_context *context = kernel->context;
    if (global_size == NULL)
        return zcs__fail(context, ZCS_ERROR_NULL_HANDLE, 0, "zcs_dispatch: global_size is NULL");
    if (dims < 1 || dims > 3)
        return zcs__fail(context, ZCS_ERROR_INVALID_ARGUMENT, 0,
                         "zcs_dispatch: %u dimensions; use 1, 2 or 3", dims);
    for (uint32_t d = 0; d < dims; d++) {
        if (global_size[d] == 0 || (local_size != NULL && local_size[d] == 0))
            return zcs__fail(context, ZCS_ERROR_INVALID_ARGUMENT, 0,
                             "zcs_dispatch: %s size of dimension %u is zero",
                             global_size[d] == 0 ? "global" : "local", d);
        if ((uint64_t)global_size[d] > ZCS_MAX_GLOBAL_SIZE)
            return zcs__fail(context, ZCS_ERROR_INVALID_ARGUMENT, 0,
                             "zcs_dispatch: global size %zu of dimension %u exceeds "
                             "ZCS_MAX_GLOBAL_SIZE (%llu work items per dimension)",
                             global_size[d], d, (unsigned long long)ZCS_MAX_GLOBAL_SIZE);
    }
    uint32_t arg_count = zcs__kernel_arg_count(kernel);
    for (uint32_t i = 0; i < arg_count; i++) {
        if (kernel->args[i].kind == ZCS__ARG_UNSET)
            return zcs__fail(context, ZCS_ERROR_KERNEL_ARGUMENT, 0,
                             "zcs_dispatch: argument %u of kernel \"%s\" is not set", i,
                             kernel->name);
    }

    /* One locked step: every array still live (a free retires its handle under this lock),
       none mapped, and each records this dispatch as its last use before the backend sees
       it, so a map on another thread either is refused here or waits for this dispatch,
       and a free waits for it (zcs__context_wait waits for it to be enqueued first). */
    pthread_mutex_lock(&context->dispatch_lock);
    pthread_mutex_lock(&context->lock);
    const char *refused = NULL;
    const char *what = NULL;
    uint32_t index = 0;
    for (uint32_t i = 0; i < arg_count && refused == NULL; i++) {
        const zcs__kernel_arg *arg = &kernel->args[i];
        if (arg->kind != ZCS__ARG_ARRAY)
            continue;
        what = "argument";
        index = i;
        if (zcs__array_still(arg->buffer_handle, arg->buffer) == NULL)
            refused = "freed";
        else if (arg->buffer->mapped)
            refused = "mapped";
    }
    for (uint32_t i = 0; i < kernel->indirect_count && refused == NULL; i++) {
        what = "indirectly reached array (zcs_kernel_set_indirect)";
        index = i;
        if (zcs__array_still(kernel->indirect_handles[i], kernel->indirect[i]) == NULL)
            refused = "freed";
        else if (kernel->indirect[i]->mapped)
            refused = "mapped";
    }
    if (refused != NULL) {
        pthread_mutex_unlock(&context->lock);
        pthread_mutex_unlock(&context->dispatch_lock);
        if (refused[0] == 'f')
            return zcs__fail(context, ZCS_ERROR_KERNEL_ARGUMENT, 0,
                             "zcs_dispatch: the array of %s %u of kernel \"%s\" was freed; set "
                             "it again",
                             what, index, kernel->name);
        return zcs__fail(context, ZCS_ERROR_MAPPED, 0,
                         "zcs_dispatch: %s %u of kernel \"%s\" is an array the host still has "
                         "mapped; unmap it before the dispatch",
                         what, index, kernel->name);
    }
    uint64_t serial = ++context->submitted_serial;
    for (uint32_t i = 0; i < zcs__dispatch_array_count(kernel, arg_count); i++) {
        zcs_array *array = zcs__dispatch_array(kernel, arg_count, i);
        if (array != NULL)
            array->last_use_serial = serial;
    }
    pthread_mutex_unlock(&context->lock);

    zcs_status status =
        zcs__backend_dispatch(kernel, dims, global_size, local_size, arg_count, serial);

    pthread_mutex_lock(&context->lock);
    context->enqueued_serial = serial;
    if (status == ZCS_SUCCESS)
        context->stats.dispatches++;
    pthread_mutex_unlock(&context->lock);
    pthread_mutex_unlock(&context->dispatch_lock);
    return status;
}

uint32_t zcs__dispatch_array_count(const zcs_kernel *kernel, uint32_t arg_count)
{
    return arg_count + kernel->indirect_count;
}

zcs_array *zcs__dispatch_array(const zcs_kernel *kernel, uint32_t arg_count, uint32_t i)
{
    if (i < arg_count)
        return kernel->args[i].kind == ZCS__ARG_ARRAY ? kernel->args[i].buffer : NULL;
    return kernel->indirect[i - arg_count];
}

zcs_status zcs_dispatch(zcs_kernel *kernel_handle, uint32_t dims, const size_t *global_size,
                        const size_t *local_size)
{
    ZCS__CLAIM(zcs_kernel, kernel, kernel_handle, ZCS__MAGIC_KERNEL, 1, "kernel", "zcs_dispatch");
    zcs_status status = zcs__dispatch(kernel, dims, global_size, local_size);
    zcs__handle_release(kernel_handle);
    return status;
}

static zcs_status zcs__set_indirect(zcs_kernel *kernel, zcs_array *const *handles, size_t count)
{
    zcs_context *context = kernel->context;
    if (count > ZCS_MAX_INDIRECT_ARRAYS)
        return zcs__fail(
            context, ZCS_ERROR_INVALID_ARGUMENT, 0,
            "zcs_kernel_set_indirect: %zu arrays; at most %u (ZCS_MAX_INDIRECT_ARRAYS)", count,
            ZCS_MAX_INDIRECT_ARRAYS);
    if (count > 0 && handles == NULL)
        return zcs__fail(context, ZCS_ERROR_NULL_HANDLE, 0,
                         "zcs_kernel_set_indirect: buffers is NULL");
    for (size_t i = 0; i < count; i++) {
        if (handles[i] == NULL)
            return zcs__fail(context, ZCS_ERROR_NULL_HANDLE, 0,
                             "zcs_kernel_set_indirect: buffer %zu is NULL", i);
        if (zcs__handle_foreign(handles[i], ZCS__MAGIC_ARRAY, context))
            return zcs__fail(context, ZCS_ERROR_INVALID_ARGUMENT, 0,
                             "zcs_kernel_set_indirect: array %zu belongs to another context", i);
    }
    /* Under the context lock, which a free takes to retire a handle: the arrays stay alive
       while the backend reads them. */
    zcs_array **buffers = zcs__calloc(count + 1, sizeof *buffers);
    const void **kept = zcs__calloc(count + 1, sizeof *kept);
    if (buffers == NULL || kept == NULL) {
        zcs__free(buffers);
        zcs__free(kept);
        return zcs__fail(context, ZCS_ERROR_OUT_OF_MEMORY, 0,
                         "zcs_kernel_set_indirect: out of host memory for %zu arrays", count);
    }
    pthread_mutex_lock(&context->lock);
    for (size_t i = 0; i < count; i++) {
        buffers[i] = zcs__handle_lookup(handles[i], ZCS__MAGIC_ARRAY);
        kept[i] = handles[i];
        if (buffers[i] == NULL) {
            pthread_mutex_unlock(&context->lock);
            zcs__free(buffers);
            zcs__free(kept);
            return zcs__fail(context, ZCS_ERROR_INVALID_HANDLE, 0,
                             "zcs_kernel_set_indirect: array %zu is not a live buffer handle", i);
        }
    }
    zcs_status status = zcs__backend_kernel_set_indirect(kernel, buffers, count);
    if (status == ZCS_SUCCESS) {
        /* zcs_dispatch orders and checks these like array arguments. */
        zcs_array **old_buffers = kernel->indirect;
        const void **old_handles = kernel->indirect_handles;
        kernel->indirect = buffers;
        kernel->indirect_handles = kept;
        kernel->indirect_count = (uint32_t)count;
        buffers = old_buffers;
        kept = old_handles;
    }
    pthread_mutex_unlock(&context->lock);
    zcs__free(buffers);
    zcs__free(kept);
    return status;
}

zcs_status zcs_kernel_set_indirect(zcs_kernel *kernel_handle, zcs_array *const *buffers,
                                   size_t count)
{
    ZCS__CLAIM(zcs_kernel, kernel, kernel_handle, ZCS__MAGIC_KERNEL, 1, "kernel",
               "zcs_kernel_set_indirect");
    zcs_status status = zcs__set_indirect(kernel, buffers, count);
    zcs__handle_release(kernel_handle);
    return status;
}
