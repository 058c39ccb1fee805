/* OpenCL backend: device addresses and indirect access for ZCS_PTR fields (SVM tiers). */
#include "backend_layout.h"
#include "opencl/cl_backend.h"

const zcs__layout_language zcs__backend_layout_language = ZCS__LAYOUT_LANG_OPENCL_C;

/* Why the host_ptr tier has no shared pointer, for messages. */
#define ZCS__CL_NO_ADDRESS_REASON                                                                  \
    "arrays of the host_ptr tier are cl_mem buffers: OpenCL 1.2 gives them no device "             \
    "address the host may store, and the runtime may move them between dispatches; use "           \
    "zcs_ref element indices (zcs/layout.h), which work on every tier, or an SVM tier"

zcs_status zcs__backend_array_device_address(zcs_array *buffer, uint64_t *out_address)
{
    if (buffer->tier == ZCS_TIER_HOST_PTR || buffer->impl->svm == NULL)
        return zcs__fail(buffer->context, ZCS_ERROR_UNSUPPORTED, 0, "zcs_array_device_address: %s",
                         ZCS__CL_NO_ADDRESS_REASON);
    *out_address = (uint64_t)(uintptr_t)buffer->impl->svm;
    return ZCS_SUCCESS;
}

zcs_status zcs__backend_kernel_set_indirect(zcs_kernel *kernel, zcs_array *const *buffers,
                                            size_t count)
{
    zcs_context *context = kernel->context;
    void *pointers[ZCS_MAX_KERNEL_ARGS];
    for (size_t i = 0; i < count; i++) {
        if (buffers[i]->tier == ZCS_TIER_HOST_PTR || buffers[i]->impl->svm == NULL)
            return zcs__fail(context, ZCS_ERROR_UNSUPPORTED, 0,
                             "zcs_kernel_set_indirect: array %zu: %s", i,
                             ZCS__CL_NO_ADDRESS_REASON);
        pointers[i] = buffers[i]->impl->svm;
    }
    if (count == 0) {
        /* Clearing the list. An empty list is refused by NVIDIA's OpenCL (CL_INVALID_VALUE),
           and keeping the old one would hand freed allocations to the runtime at every later
           dispatch: declare the context's own small sentinel allocation instead. A context
           without SVM never had a list. */
        struct zcs__context_impl *ctx = context->impl;
        if (context->info.tier == ZCS_TIER_HOST_PTR)
            return ZCS_SUCCESS;
        pthread_mutex_lock(&ctx->svm_lock);
        if (ctx->svm_sentinel == NULL)
            ctx->svm_sentinel = zcs__cl.clSVMAlloc(ctx->cl_context, CL_MEM_READ_WRITE, 64, 0);
        pointers[0] = ctx->svm_sentinel;
        pthread_mutex_unlock(&ctx->svm_lock);
        if (pointers[0] == NULL)
            return zcs__fail(context, ZCS_ERROR_OUT_OF_MEMORY, 0,
                             "zcs_kernel_set_indirect: clSVMAlloc of 64 bytes returned NULL");
        count = 1;
    }
    cl_int error = zcs__cl.clSetKernelExecInfo(kernel->impl->kernel, CL_KERNEL_EXEC_INFO_SVM_PTRS,
                                               count * sizeof(void *), pointers);
    if (error != CL_SUCCESS)
        return zcs__cl_fail(context, ZCS_ERROR_BACKEND, "clSetKernelExecInfo", error, kernel->name);
    return ZCS_SUCCESS;
}
