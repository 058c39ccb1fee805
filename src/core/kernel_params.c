/*
 * Kernel parameters sized at kernel creation (as many as the kernel declares and the
 * device allows) and local memory arguments (zcs_kernel_set_local).
 */
#include <string.h>

#include "backend.h"
#include "core/checks.h"

zcs_status zcs__kernel_reserve_params(zcs_kernel *kernel, uint32_t count)
{
    if (count <= kernel->param_capacity)
        return ZCS_SUCCESS;
    /* Grown geometrically when arguments are set one by one on a kernel whose
       parameters are unknown. */
    uint32_t capacity = kernel->param_capacity > 0 ? kernel->param_capacity : 4;
    while (capacity < count)
        capacity = capacity > UINT32_MAX / 2 ? count : capacity * 2;
    if (kernel->num_params != 0 || kernel->param_capacity == 0)
        capacity = count > capacity ? count : capacity;
    zcs__param_kind *kinds = zcs__calloc(capacity, sizeof *kinds);
    size_t *sizes = zcs__calloc(capacity, sizeof *sizes);
    zcs__kernel_arg *args = zcs__calloc(capacity, sizeof *args);
    if (kinds == NULL || sizes == NULL || args == NULL) {
        zcs__free(kinds);
        zcs__free(sizes);
        zcs__free(args);
        return zcs__fail(kernel->context, ZCS_ERROR_OUT_OF_MEMORY, 0,
                         "kernel \"%s\": out of host memory for %u parameters", kernel->name,
                         count);
    }
    if (kernel->param_capacity > 0) {
        memcpy(kinds, kernel->param_kinds, kernel->param_capacity * sizeof *kinds);
        memcpy(sizes, kernel->param_sizes, kernel->param_capacity * sizeof *sizes);
        memcpy(args, kernel->args, kernel->param_capacity * sizeof *args);
    }
    zcs__free(kernel->param_kinds);
    zcs__free(kernel->param_sizes);
    zcs__free(kernel->args);
    kernel->param_kinds = kinds;
    kernel->param_sizes = sizes;
    kernel->args = args;
    kernel->param_capacity = capacity;
    return ZCS_SUCCESS;
}

void zcs__kernel_free_params(zcs_kernel *kernel)
{
    zcs__free(kernel->param_kinds);
    zcs__free(kernel->param_sizes);
    zcs__free(kernel->args);
    zcs__free(kernel->indirect);
    zcs__free(kernel->indirect_handles);
    kernel->param_kinds = NULL;
    kernel->param_sizes = NULL;
    kernel->args = NULL;
    kernel->indirect = NULL;
    kernel->indirect_handles = NULL;
    kernel->param_capacity = 0;
    kernel->indirect_count = 0;
}

uint64_t zcs__kernel_local_bytes(const zcs_kernel *kernel, uint32_t arg_count)
{
    uint64_t total = 0;
    for (uint32_t i = 0; i < arg_count && i < kernel->param_capacity; i++) {
        if (kernel->args[i].kind == ZCS__ARG_LOCAL)
            total += kernel->args[i].size;
    }
    return total;
}

zcs_status zcs__kernel_check_local(zcs_kernel *kernel, uint32_t arg_count)
{
    uint64_t total = zcs__kernel_local_bytes(kernel, arg_count);
    uint64_t limit = kernel->context->info.limits.local_memory_size;
    if (total != 0 && limit != 0 && total > limit)
        return zcs__fail(kernel->context, ZCS_ERROR_INVALID_ARGUMENT, 0,
                         "zcs_dispatch: the local memory arguments of kernel \"%s\" take %llu "
                         "bytes together; the device has %llu bytes of local memory per work "
                         "group (zcs_device_limits.local_memory_size)",
                         kernel->name, (unsigned long long)total, (unsigned long long)limit);
    return ZCS_SUCCESS;
}

static zcs_status zcs__set_local(zcs_kernel *kernel, uint32_t index, size_t bytes)
{
    zcs_context *context = kernel->context;
    zcs_status status =
        zcs__kernel_check_arg_index(kernel, index, ZCS__PARAM_LOCAL, "zcs_kernel_set_local");
    if (status != ZCS_SUCCESS)
        return status;
    if (bytes == 0)
        return zcs__fail(context, ZCS_ERROR_ZERO_SIZE, 0,
                         "zcs_kernel_set_local: 0 bytes of local memory for argument %u of "
                         "kernel \"%s\"",
                         index, kernel->name);
    uint64_t limit = context->info.limits.local_memory_size;
    if (limit != 0 && (uint64_t)bytes > limit)
        return zcs__fail(context, ZCS_ERROR_INVALID_ARGUMENT, 0,
                         "zcs_kernel_set_local: %zu bytes of local memory for argument %u of "
                         "kernel \"%s\"; the device has %llu bytes per work group "
                         "(zcs_device_limits.local_memory_size)",
                         bytes, index, kernel->name, (unsigned long long)limit);
    zcs__kernel_arg previous = kernel->args[index];
    kernel->args[index].kind = ZCS__ARG_LOCAL;
    kernel->args[index].buffer = NULL;
    kernel->args[index].buffer_handle = NULL;
    kernel->args[index].size = bytes;
    status = zcs__backend_kernel_set_arg(kernel, index);
    if (status != ZCS_SUCCESS)
        kernel->args[index] = previous;
    return status;
}

zcs_status zcs_kernel_set_local(zcs_kernel *kernel_handle, uint32_t index, size_t bytes)
{
    ZCS__CLAIM(zcs_kernel, kernel, kernel_handle, ZCS__MAGIC_KERNEL, 1, "kernel",
               "zcs_kernel_set_local");
    zcs_status status = zcs__set_local(kernel, index, bytes);
    zcs__handle_release(kernel_handle);
    return status;
}
