/*
 * OpenCL backend: the application's memory as arrays. Host memory becomes a
 * CL_MEM_USE_HOST_PTR buffer (the host_ptr tier's path), or, in a context of an SVM tier
 * on a device with fine-grain system SVM, is passed to kernels as it is (the svm_fine
 * path). File descriptors come in through cl_khr_external_memory (opaque fd, dma-buf) or
 * cl_arm_import_memory_dma_buf where the device offers them; OpenCL has no extension to
 * export memory as a descriptor.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <CL/cl_ext.h>

#include "opencl/import.h"
#include "opencl/internal.h"

/* What the device offers for imports. */
typedef struct zcs__cl_import_support {
    int system_svm;  /* CL_DEVICE_SVM_FINE_GRAIN_SYSTEM */
    int external;    /* cl_khr_external_memory */
    int opaque_fd;   /* cl_khr_external_memory_opaque_fd */
    int khr_dma_buf; /* cl_khr_external_memory_dma_buf */
    int arm_dma_buf; /* cl_arm_import_memory_dma_buf */
} zcs__cl_import_support;

/* 1 if `name` is one of the space-separated words of `list`. */
static int zcs__cl_has_word(const char *list, const char *name)
{
    size_t length = strlen(name);
    for (const char *p = list; (p = strstr(p, name)) != NULL; p += length) {
        int starts = p == list || p[-1] == ' ';
        int ends = p[length] == '\0' || p[length] == ' ';
        if (starts && ends)
            return 1;
    }
    return 0;
}

static atomic_uint zcs__cl_assumed_offered;

void zcs__import_assume_offered(unsigned what)
{
    atomic_store(&zcs__cl_assumed_offered, what);
}

/* Ask the device; a query that fails counts as "not offered". */
static zcs__cl_import_support zcs__cl_import_support_of(zcs_context *context)
{
    zcs__cl_import_support support = {0, 0, 0, 0, 0};
    unsigned assumed = atomic_load(&zcs__cl_assumed_offered);
    if (assumed != 0) {
        support.external = 1;
        support.opaque_fd = (assumed & ZCS__IMPORT_OPAQUE_FD) != 0;
        support.khr_dma_buf = (assumed & ZCS__IMPORT_DMA_BUF) != 0;
        support.arm_dma_buf = (assumed & ZCS__IMPORT_ARM_DMA_BUF) != 0;
        return support;
    }
    cl_device_id device = context->impl->device;
    cl_device_svm_capabilities svm = 0;
    if (zcs__cl.clGetDeviceInfo(device, CL_DEVICE_SVM_CAPABILITIES, sizeof svm, &svm, NULL) ==
        CL_SUCCESS)
        support.system_svm = (svm & CL_DEVICE_SVM_FINE_GRAIN_SYSTEM) != 0;
    size_t size = 0;
    if (zcs__cl.clGetDeviceInfo(device, CL_DEVICE_EXTENSIONS, 0, NULL, &size) != CL_SUCCESS ||
        size == 0)
        return support;
    char *extensions = zcs__malloc(size + 1);
    if (extensions == NULL)
        return support;
    if (zcs__cl.clGetDeviceInfo(device, CL_DEVICE_EXTENSIONS, size, extensions, NULL) ==
        CL_SUCCESS) {
        extensions[size] = '\0';
        support.external = zcs__cl_has_word(extensions, "cl_khr_external_memory");
        support.opaque_fd =
            support.external && zcs__cl_has_word(extensions, "cl_khr_external_memory_opaque_fd");
        support.khr_dma_buf =
            support.external && zcs__cl_has_word(extensions, "cl_khr_external_memory_dma_buf");
        support.arm_dma_buf = zcs__cl_has_word(extensions, "cl_arm_import_memory_dma_buf");
    }
    zcs__free(extensions);
    return support;
}

/* The SVM tiers pass pointers to kernels: there, system SVM shares host memory as it is. */
static int zcs__cl_use_system_svm(const zcs_context *context, const zcs__cl_import_support *support)
{
    zcs_tier tier = context->info.tier;
    return support->system_svm && (tier == ZCS_TIER_SVM_FINE || tier == ZCS_TIER_SVM_COARSE);
}

zcs_status zcs__backend_import_requirements(zcs_context *context, zcs_import_requirements *out,
                                            char *text, size_t text_size)
{
    zcs__cl_import_support support = zcs__cl_import_support_of(context);
    /* OpenCL states no rule for CL_MEM_USE_HOST_PTR; drivers that zero-copy it only when
       aligned (Intel: 4096 bytes) say so in their guides, not through the API. zcs asks for
       what every zcs array has: the context's alignment, which covers
       CL_DEVICE_MEM_BASE_ADDR_ALIGN and the widest vector type. */
    out->alignment = context->info.alignment;
    out->size_multiple = 1;
    out->host_import = 1;
    out->opaque_fd_import = support.opaque_fd;
    out->opaque_fd_export = 0;
    out->dma_buf_import = support.khr_dma_buf || support.arm_dma_buf;
    (void)snprintf(
        text, text_size,
        "OpenCL: host memory through %s; opaque fd import %s; dma-buf import %s; export: "
        "OpenCL has no extension to export memory as a file descriptor",
        zcs__cl_use_system_svm(context, &support)
            ? "fine-grain system SVM (CL_DEVICE_SVM_FINE_GRAIN_SYSTEM)"
            : "CL_MEM_USE_HOST_PTR buffers",
        support.opaque_fd ? "through cl_khr_external_memory_opaque_fd"
                          : "needs cl_khr_external_memory and cl_khr_external_memory_opaque_fd, "
                            "which the device lacks",
        support.khr_dma_buf   ? "through cl_khr_external_memory_dma_buf"
        : support.arm_dma_buf ? "through cl_arm_import_memory_dma_buf"
                              : "needs cl_khr_external_memory_dma_buf or "
                                "cl_arm_import_memory_dma_buf, which the device lacks");
    out->description = text;
    return ZCS_SUCCESS;
}

/* The kernel- and host-access flags of an imported buffer. */
static cl_mem_flags zcs__cl_import_flags(uint32_t flags)
{
    return zcs__cl_device_access(flags) | zcs__cl_host_access(flags);
}

zcs_status zcs__backend_array_import_host(zcs_array *array)
{
    zcs_context *context = array->context;
    struct zcs__context_impl *ctx = context->impl;
    zcs__cl_import_support support = zcs__cl_import_support_of(context);
    struct zcs__array_impl *impl = zcs__calloc(1, sizeof *impl);
    if (impl == NULL)
        return zcs__fail(context, ZCS_ERROR_OUT_OF_MEMORY, 0,
                         "zcs_array_import_host: out of host memory");
    if (zcs__cl_use_system_svm(context, &support)) {
        /* Any host pointer is an SVM pointer: kernels get it as it is (svm_base stays NULL,
           so nothing is freed at destroy), and maps hand it out without a call. */
        impl->svm = array->import_host;
        array->tier = ZCS_TIER_SVM_FINE;
        (void)snprintf(array->reason, sizeof array->reason,
                       "imported zero-copy: the device has fine-grain system SVM, so kernels "
                       "use the application's pointer as it is");
    } else {
        cl_int error = CL_SUCCESS;
        impl->mem = zcs__cl.clCreateBuffer(ctx->cl_context,
                                           zcs__cl_import_flags(array->flags) | CL_MEM_USE_HOST_PTR,
                                           array->size, array->import_host, &error);
        if (impl->mem == NULL || error != CL_SUCCESS) {
            zcs__free(impl);
            return zcs__cl_fail(context, ZCS_ERROR_BACKEND, "clCreateBuffer", error,
                                "CL_MEM_USE_HOST_PTR over the application's memory");
        }
        /* Maps of a CL_MEM_USE_HOST_PTR buffer return addresses in the application's memory;
           one that does not would be a staging copy, counted in bytes_copied. */
        impl->stable_ptr = array->import_host;
        array->tier = ZCS_TIER_HOST_PTR;
        (void)snprintf(array->reason, sizeof array->reason,
                       "imported zero-copy: a CL_MEM_USE_HOST_PTR buffer over the "
                       "application's memory, which meets the alignment rule");
    }
    array->impl = impl;
    return ZCS_SUCCESS;
}

zcs_status zcs__backend_array_export_fd(zcs_array *array, int *out_fd)
{
    /* The core refuses ZCS_ARRAY_EXPORTABLE on OpenCL already; say the same here. */
    (void)out_fd;
    return zcs__fail(array->context, ZCS_ERROR_UNSUPPORTED, 0,
                     "zcs_array_export_fd: OpenCL has no extension to export memory as a file "
                     "descriptor (cl_khr_external_memory imports only)");
}

/* cl_arm_import_memory's entry point (cl_ext.h's prototype). */
typedef cl_mem(CL_API_CALL *zcs__cl_import_memory_arm_fn)(
    cl_context context, cl_mem_flags flags, const cl_import_properties_arm *properties,
    void *memory, size_t size, cl_int *errcode_ret);

/* Import a dma-buf through cl_arm_import_memory_dma_buf. */
static cl_mem zcs__cl_import_arm(zcs_array *array, int fd, cl_int *error)
{
    struct zcs__context_impl *ctx = array->context->impl;
    cl_platform_id platform = NULL;
    *error =
        zcs__cl.clGetDeviceInfo(ctx->device, CL_DEVICE_PLATFORM, sizeof platform, &platform, NULL);
    if (*error != CL_SUCCESS)
        return NULL;
    zcs__cl_import_memory_arm_fn import_memory =
        (zcs__cl_import_memory_arm_fn)(uintptr_t)zcs__cl.clGetExtensionFunctionAddressForPlatform(
            platform, "clImportMemoryARM");
    if (import_memory == NULL) {
        *error = CL_INVALID_OPERATION;
        return NULL;
    }
    cl_import_properties_arm properties[] = {CL_IMPORT_TYPE_ARM, CL_IMPORT_TYPE_DMA_BUF_ARM, 0};
    return import_memory(ctx->cl_context, zcs__cl_import_flags(array->flags), properties, &fd,
                         array->size, error);
}

zcs_status zcs__backend_array_import_fd(zcs_array *array, int fd, zcs_fd_type type)
{
    zcs_context *context = array->context;
    zcs__cl_import_support support = zcs__cl_import_support_of(context);
    int dma_buf = type == ZCS_FD_DMA_BUF;
    if (!dma_buf && !support.opaque_fd)
        return zcs__fail(context, ZCS_ERROR_UNSUPPORTED, 0,
                         "zcs_array_import_fd: importing an opaque file descriptor needs the "
                         "OpenCL extensions cl_khr_external_memory and "
                         "cl_khr_external_memory_opaque_fd, which \"%s\" does not offer",
                         context->info.device_name);
    if (dma_buf && !support.khr_dma_buf && !support.arm_dma_buf)
        return zcs__fail(context, ZCS_ERROR_UNSUPPORTED, 0,
                         "zcs_array_import_fd: importing a dma-buf needs the OpenCL extension "
                         "cl_khr_external_memory_dma_buf or cl_arm_import_memory_dma_buf, which "
                         "\"%s\" does not offer",
                         context->info.device_name);
    struct zcs__array_impl *impl = zcs__calloc(1, sizeof *impl);
    if (impl == NULL)
        return zcs__fail(context, ZCS_ERROR_OUT_OF_MEMORY, 0,
                         "zcs_array_import_fd: out of host memory");
    cl_int error = CL_SUCCESS;
    const char *call = "clCreateBufferWithProperties";
    if (dma_buf && !support.khr_dma_buf) {
        call = "clImportMemoryARM";
        impl->mem = zcs__cl_import_arm(array, fd, &error);
    } else {
        cl_mem_properties properties[] = {dma_buf ? CL_EXTERNAL_MEMORY_HANDLE_DMA_BUF_KHR
                                                  : CL_EXTERNAL_MEMORY_HANDLE_OPAQUE_FD_KHR,
                                          (cl_mem_properties)fd, 0};
        impl->mem = zcs__cl.clCreateBufferWithProperties(context->impl->cl_context, properties,
                                                         zcs__cl_import_flags(array->flags),
                                                         array->size, NULL, &error);
    }
    if (impl->mem == NULL || error != CL_SUCCESS) {
        zcs__free(impl);
        return zcs__cl_fail(context, ZCS_ERROR_BACKEND, call, error,
                            dma_buf ? "importing a dma-buf" : "importing an opaque fd");
    }
    /* OpenCL leaves the descriptor with the application, which here is zcs. */
    impl->has_fd = 1;
    impl->owned_fd = fd;
    array->tier = ZCS_TIER_HOST_PTR;
    array->impl = impl;
    return ZCS_SUCCESS;
}

void zcs__cl_import_release(struct zcs__array_impl *impl)
{
    if (impl->has_fd)
        (void)close(impl->owned_fd);
}
