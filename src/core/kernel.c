/* Kernels: creation, arguments and dispatch, with the ordering rules of zcs_map. */
#include <string.h>

#include "backend.h"
#include "core/checks.h"
#include "core/list.h"

zcs_status zcs_kernel_create(zcs_program *program, const char *name, zcs_kernel **out_kernel)
{
    ZCS__CHECK_OBJECT(program, ZCS__MAGIC_PROGRAM, "program", "zcs_kernel_create");
    zcs_context *context = program->context;
    if (name == NULL || out_kernel == NULL)
        return zcs__fail(context, ZCS_ERROR_NULL_HANDLE, 0, "zcs_kernel_create: %s is NULL",
                         name == NULL ? "name" : "out_kernel");
    if (name[0] == '\0' || strlen(name) >= sizeof(((zcs_kernel *)0)->name))
        return zcs__fail(context, ZCS_ERROR_KERNEL_NOT_FOUND, 0,
                         "zcs_kernel_create: kernel name of %zu characters", strlen(name));
    zcs_kernel *kernel = zcs__calloc(1, sizeof *kernel);
    if (kernel == NULL)
        return zcs__fail(context, ZCS_ERROR_OUT_OF_MEMORY, 0,
                         "zcs_kernel_create: out of host memory");
    kernel->context = context;
    zcs__copy_string(kernel->name, sizeof kernel->name, name);
    zcs_status status = zcs__backend_kernel_create(kernel, program);
    if (status != ZCS_SUCCESS) {
        zcs__free(kernel);
        return status;
    }
    kernel->magic = ZCS__MAGIC_KERNEL;
    if (!zcs__handle_register(kernel, ZCS__MAGIC_KERNEL)) {
        zcs__backend_kernel_destroy(kernel);
        zcs__free(kernel);
        return zcs__fail(context, ZCS_ERROR_OUT_OF_MEMORY, 0,
                         "zcs_kernel_create: out of host memory");
    }
    pthread_mutex_lock(&context->lock);
    zcs__list_push(&context->kernels, &kernel->link);
    context->stats.live_kernels++;
    pthread_mutex_unlock(&context->lock);
    *out_kernel = kernel;
    return ZCS_SUCCESS;
}

void zcs_kernel_destroy(zcs_kernel *kernel)
{
    if (!zcs__handle_live(kernel, ZCS__MAGIC_KERNEL))
        return;
    zcs_context *context = kernel->context;
    zcs__handle_unregister(kernel);
    pthread_mutex_lock(&context->lock);
    kernel->magic = ZCS__MAGIC_DEAD;
    zcs__list_remove(&kernel->link);
    context->stats.live_kernels--;
    pthread_mutex_unlock(&context->lock);
    zcs__backend_kernel_destroy(kernel);
    zcs__context_release_object(context, &context->dead_kernels, &kernel->link, kernel);
}

/* Check an argument index against the kernel's parameters and the expected kind. */
static zcs_status zcs__check_arg_index(zcs_kernel *kernel, uint32_t index, zcs__param_kind kind,
                                       const char *function)
{
    uint32_t limit = kernel->num_params != 0 ? kernel->num_params : ZCS_MAX_KERNEL_ARGS;
    if (index >= limit)
        return zcs__fail(kernel->context, ZCS_ERROR_KERNEL_ARGUMENT, 0,
                         "%s: kernel \"%s\" has %u parameters; index %u is out of range", function,
                         kernel->name, limit, index);
    zcs__param_kind actual = kernel->param_kinds[index];
    if (actual != ZCS__PARAM_UNKNOWN && actual != kind)
        return zcs__fail(kernel->context, ZCS_ERROR_KERNEL_ARGUMENT, 0,
                         "%s: parameter %u of kernel \"%s\" is %s, not %s", function, index,
                         kernel->name,
                         actual == ZCS__PARAM_BUFFER ? "an array (global pointer)" : "a value",
                         kind == ZCS__PARAM_BUFFER ? "an array" : "a value");
    return ZCS_SUCCESS;
}

zcs_status zcs_kernel_set_buffer(zcs_kernel *kernel, uint32_t index, zcs_buffer *buffer)
{
    ZCS__CHECK_OBJECT(kernel, ZCS__MAGIC_KERNEL, "kernel", "zcs_kernel_set_buffer");
    ZCS__CHECK_OBJECT(buffer, ZCS__MAGIC_BUFFER, "buffer", "zcs_kernel_set_buffer");
    if (buffer->context != kernel->context)
        return zcs__fail(kernel->context, ZCS_ERROR_INVALID_ARGUMENT, 0,
                         "zcs_kernel_set_buffer: the array belongs to another context");
    zcs_status status =
        zcs__check_arg_index(kernel, index, ZCS__PARAM_BUFFER, "zcs_kernel_set_buffer");
    if (status != ZCS_SUCCESS)
        return status;
    zcs__kernel_arg previous = kernel->args[index];
    kernel->args[index].kind = ZCS__ARG_BUFFER;
    kernel->args[index].buffer = buffer;
    kernel->args[index].buffer_id = buffer->id;
    kernel->args[index].size = 0;
    status = zcs__backend_kernel_set_arg(kernel, index);
    if (status != ZCS_SUCCESS)
        kernel->args[index] = previous;
    return status;
}

zcs_status zcs_kernel_set_value(zcs_kernel *kernel, uint32_t index, size_t size, const void *value)
{
    ZCS__CHECK_OBJECT(kernel, ZCS__MAGIC_KERNEL, "kernel", "zcs_kernel_set_value");
    if (value == NULL)
        return zcs__fail(kernel->context, ZCS_ERROR_NULL_HANDLE, 0,
                         "zcs_kernel_set_value: value is NULL");
    if (size == 0 || size > ZCS_MAX_VALUE_BYTES)
        return zcs__fail(kernel->context, ZCS_ERROR_KERNEL_ARGUMENT, 0,
                         "zcs_kernel_set_value: size %zu of argument %u must be 1 to %d bytes",
                         size, index, ZCS_MAX_VALUE_BYTES);
    zcs_status status =
        zcs__check_arg_index(kernel, index, ZCS__PARAM_VALUE, "zcs_kernel_set_value");
    if (status != ZCS_SUCCESS)
        return status;
    zcs__kernel_arg previous = kernel->args[index];
    kernel->args[index].kind = ZCS__ARG_VALUE;
    kernel->args[index].buffer = NULL;
    kernel->args[index].size = size;
    memcpy(kernel->args[index].value, value, size);
    status = zcs__backend_kernel_set_arg(kernel, index);
    if (status != ZCS_SUCCESS)
        kernel->args[index] = previous;
    return status;
}

/* Number of arguments a dispatch passes: all parameters, or up to the highest one set when
   the backend cannot tell. */
static uint32_t zcs__kernel_arg_count(const zcs_kernel *kernel)
{
    if (kernel->num_params != 0)
        return kernel->num_params;
    /* Up to the highest argument set, so that a gap is reported as an unset argument. */
    uint32_t count = ZCS_MAX_KERNEL_ARGS;
    while (count > 0 && kernel->args[count - 1].kind == ZCS__ARG_UNSET)
        count--;
    return count;
}

zcs_status zcs_dispatch(zcs_kernel *kernel, uint32_t dims, const size_t *global_size,
                        const size_t *local_size)
{
    ZCS__CHECK_OBJECT(kernel, ZCS__MAGIC_KERNEL, "kernel", "zcs_dispatch");
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
    }
    uint32_t arg_count = zcs__kernel_arg_count(kernel);
    for (uint32_t i = 0; i < arg_count; i++) {
        const zcs__kernel_arg *arg = &kernel->args[i];
        if (arg->kind == ZCS__ARG_UNSET)
            return zcs__fail(context, ZCS_ERROR_KERNEL_ARGUMENT, 0,
                             "zcs_dispatch: argument %u of kernel \"%s\" is not set", i,
                             kernel->name);
        if (arg->kind == ZCS__ARG_BUFFER && !zcs__buffer_still(arg->buffer, arg->buffer_id))
            return zcs__fail(context, ZCS_ERROR_KERNEL_ARGUMENT, 0,
                             "zcs_dispatch: the array of argument %u of kernel \"%s\" was freed; "
                             "set the argument again",
                             i, kernel->name);
    }
    for (uint32_t i = 0; i < kernel->indirect_count; i++) {
        if (!zcs__buffer_still(kernel->indirect[i], kernel->indirect_ids[i]))
            return zcs__fail(context, ZCS_ERROR_KERNEL_ARGUMENT, 0,
                             "zcs_dispatch: array %u that kernel \"%s\" reaches through "
                             "pointers (zcs_kernel_set_indirect) was freed; set the list again",
                             i, kernel->name);
    }

    /* One locked step: no array may be mapped, and each records this dispatch as its last
       use before the backend sees it, so a map on another thread either is refused here or
       waits for this dispatch (zcs__context_wait waits for it to be enqueued first). */
    pthread_mutex_lock(&context->dispatch_lock);
    pthread_mutex_lock(&context->lock);
    const char *mapped_what = NULL;
    uint32_t mapped_index = 0;
    for (uint32_t i = 0; i < arg_count && mapped_what == NULL; i++) {
        if (kernel->args[i].kind == ZCS__ARG_BUFFER && kernel->args[i].buffer->mapped) {
            mapped_what = "argument";
            mapped_index = i;
        }
    }
    for (uint32_t i = 0; i < kernel->indirect_count && mapped_what == NULL; i++) {
        if (kernel->indirect[i]->mapped) {
            mapped_what = "indirectly reached array (zcs_kernel_set_indirect)";
            mapped_index = i;
        }
    }
    if (mapped_what != NULL) {
        pthread_mutex_unlock(&context->lock);
        pthread_mutex_unlock(&context->dispatch_lock);
        return zcs__fail(context, ZCS_ERROR_MAPPED, 0,
                         "zcs_dispatch: %s %u of kernel \"%s\" is an array the host still has "
                         "mapped; unmap it before the dispatch",
                         mapped_what, mapped_index, kernel->name);
    }
    uint64_t serial = ++context->submitted_serial;
    for (uint32_t i = 0; i < arg_count; i++) {
        if (kernel->args[i].kind == ZCS__ARG_BUFFER)
            kernel->args[i].buffer->last_use_serial = serial;
    }
    for (uint32_t i = 0; i < kernel->indirect_count; i++)
        kernel->indirect[i]->last_use_serial = serial;
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
