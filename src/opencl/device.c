/*
 * OpenCL backend: device inspection, scoring and choice, tier choice and limits; the
 * enumeration of zcs_device_count and zcs_device_get_info shares them with context
 * creation (context.c), so a device's description equals what a context on it reports.
 */
#include <stdio.h>
#include <string.h>

#include "opencl/internal.h"

#define ZCS__CL_MAX_PLATFORMS 16
#define ZCS__CL_MAX_DEVICES   64

/* Higher is better: integrated GPU, then any GPU, then a CPU or other device. */
static int zcs__cl_device_score(const zcs__cl_candidate *candidate)
{
    if (candidate->is_gpu)
        return candidate->unified_memory ? 3 : 2;
    return 1;
}

/* Query one device; on any failure record a refusal rather than give up on the others. */
void zcs__cl_inspect_device(zcs__cl_candidate *candidate)
{
    cl_device_id device = candidate->device;
    cl_device_type type = 0;
    cl_bool available = CL_FALSE;
    cl_bool compiler = CL_FALSE;
    cl_bool unified = CL_FALSE;
    char *version = candidate->device_version;
    candidate->device_name[0] = '\0';
    cl_int error = zcs__cl.clGetDeviceInfo(device, CL_DEVICE_NAME, sizeof candidate->device_name,
                                           candidate->device_name, NULL);
    if (error == CL_SUCCESS)
        error = zcs__cl.clGetDeviceInfo(device, CL_DEVICE_TYPE, sizeof type, &type, NULL);
    if (error == CL_SUCCESS)
        error = zcs__cl.clGetDeviceInfo(device, CL_DEVICE_AVAILABLE, sizeof available, &available,
                                        NULL);
    if (error == CL_SUCCESS)
        error = zcs__cl.clGetDeviceInfo(device, CL_DEVICE_COMPILER_AVAILABLE, sizeof compiler,
                                        &compiler, NULL);
    if (error == CL_SUCCESS)
        error = zcs__cl.clGetDeviceInfo(device, CL_DEVICE_VERSION, sizeof candidate->device_version,
                                        version, NULL);
    if (error != CL_SUCCESS) {
        snprintf(candidate->refusal, sizeof candidate->refusal, "clGetDeviceInfo failed: %s (%d)",
                 zcs__cl_error_name(error), (int)error);
        return;
    }
    candidate->device_name[sizeof candidate->device_name - 1] = '\0';
    version[sizeof candidate->device_version - 1] = '\0';
    if (zcs__cl.clGetDeviceInfo(device, CL_DRIVER_VERSION, sizeof candidate->driver_version,
                                candidate->driver_version, NULL) != CL_SUCCESS)
        candidate->driver_version[0] = '\0';
    candidate->driver_version[sizeof candidate->driver_version - 1] = '\0';
    candidate->type = type;
    /* Deprecated since OpenCL 2.0 yet still answered; a device that refuses is not unified. */
    if (zcs__cl.clGetDeviceInfo(device, CL_DEVICE_HOST_UNIFIED_MEMORY, sizeof unified, &unified,
                                NULL) != CL_SUCCESS)
        unified = CL_FALSE;
    candidate->is_gpu = (type & CL_DEVICE_TYPE_GPU) != 0;
    candidate->unified_memory = unified == CL_TRUE || (type & CL_DEVICE_TYPE_CPU) != 0;
    if (sscanf(version, "OpenCL %d.%d", &candidate->version_major, &candidate->version_minor) !=
        2) {
        snprintf(candidate->refusal, sizeof candidate->refusal, "unreadable version \"%.60s\"",
                 version);
        return;
    }
    if (candidate->version_major >= 2) {
        cl_device_svm_capabilities svm = 0;
        if (zcs__cl.clGetDeviceInfo(device, CL_DEVICE_SVM_CAPABILITIES, sizeof svm, &svm, NULL) ==
            CL_SUCCESS)
            candidate->svm = svm;
    }
    if (available != CL_TRUE)
        snprintf(candidate->refusal, sizeof candidate->refusal, "device not available");
    else if (compiler != CL_TRUE)
        snprintf(candidate->refusal, sizeof candidate->refusal, "no OpenCL C compiler");
    else if (candidate->version_major < 1 ||
             (candidate->version_major == 1 && candidate->version_minor < 2))
        snprintf(candidate->refusal, sizeof candidate->refusal, "OpenCL %d.%d; zcs needs 1.2",
                 candidate->version_major, candidate->version_minor);
}

/* Collect every device of every platform, up to the limits above. */
static zcs_status zcs__cl_collect(zcs_context *context, zcs__cl_candidate *candidates,
                                  cl_uint *out_count)
{
    cl_platform_id platforms[ZCS__CL_MAX_PLATFORMS];
    cl_uint platform_count = 0;
    cl_int error = zcs__cl.clGetPlatformIDs(ZCS__CL_MAX_PLATFORMS, platforms, &platform_count);
    if (error == -1001 /* CL_PLATFORM_NOT_FOUND_KHR */ ||
        (error == CL_SUCCESS && platform_count == 0))
        return zcs__fail(context, ZCS_ERROR_NO_DEVICE, error,
                         "no OpenCL platform found: the ICD loader lists none (install a "
                         "driver, for example the Debian package pocl-opencl-icd)");
    if (error != CL_SUCCESS)
        return zcs__cl_fail(context, ZCS_ERROR_BACKEND, "clGetPlatformIDs", error, NULL);
    if (platform_count > ZCS__CL_MAX_PLATFORMS)
        platform_count = ZCS__CL_MAX_PLATFORMS;

    cl_uint count = 0;
    for (cl_uint p = 0; p < platform_count && count < ZCS__CL_MAX_DEVICES; p++) {
        char platform_name[256] = "";
        if (zcs__cl.clGetPlatformInfo(platforms[p], CL_PLATFORM_NAME, sizeof platform_name,
                                      platform_name, NULL) != CL_SUCCESS)
            snprintf(platform_name, sizeof platform_name, "platform %u", p);
        platform_name[sizeof platform_name - 1] = '\0';
        cl_device_id devices[ZCS__CL_MAX_DEVICES];
        cl_uint device_count = 0;
        error = zcs__cl.clGetDeviceIDs(platforms[p], CL_DEVICE_TYPE_ALL, ZCS__CL_MAX_DEVICES,
                                       devices, &device_count);
        if (error == CL_DEVICE_NOT_FOUND)
            continue;
        if (error != CL_SUCCESS)
            return zcs__cl_fail(context, ZCS_ERROR_BACKEND, "clGetDeviceIDs", error, platform_name);
        if (device_count > ZCS__CL_MAX_DEVICES)
            device_count = ZCS__CL_MAX_DEVICES;
        for (cl_uint d = 0; d < device_count && count < ZCS__CL_MAX_DEVICES; d++) {
            zcs__cl_candidate *candidate = &candidates[count++];
            memset(candidate, 0, sizeof *candidate);
            candidate->platform = platforms[p];
            candidate->device = devices[d];
            zcs__copy_string(candidate->platform_name, sizeof candidate->platform_name,
                             platform_name);
            zcs__cl_inspect_device(candidate);
        }
    }
    *out_count = count;
    return ZCS_SUCCESS;
}

/* The best usable device whose name contains `filter` ("" for any), or -1. Marks the
   devices the filter excludes (their refusal says so). */
static int zcs__cl_best_device(zcs__cl_candidate *candidates, cl_uint count, const char *filter,
                               const char *source)
{
    int best = -1;
    for (cl_uint i = 0; i < count; i++) {
        zcs__cl_candidate *candidate = &candidates[i];
        char full_name[520];
        snprintf(full_name, sizeof full_name, "%s %s", candidate->platform_name,
                 candidate->device_name);
        if (candidate->refusal[0] == '\0' && !zcs__contains_ignore_case(full_name, filter))
            snprintf(candidate->refusal, sizeof candidate->refusal,
                     "name does not contain \"%.100s\" (%s)", filter, source);
        if (candidate->refusal[0] != '\0')
            continue;
        if (best < 0 || zcs__cl_device_score(candidate) > zcs__cl_device_score(&candidates[best]))
            best = (int)i;
    }
    return best;
}

/* Collect every device into a heap array (*out_candidates, to free); none is NO_DEVICE. */
static zcs_status zcs__cl_collect_all(zcs_context *context, zcs__cl_candidate **out_candidates,
                                      cl_uint *out_count)
{
    zcs__cl_candidate *candidates = zcs__calloc(ZCS__CL_MAX_DEVICES, sizeof *candidates);
    if (candidates == NULL)
        return zcs__fail(context, ZCS_ERROR_OUT_OF_MEMORY, 0,
                         "out of host memory listing OpenCL devices");
    cl_uint count = 0;
    zcs_status status = zcs__cl_collect(context, candidates, &count);
    if (status == ZCS_SUCCESS && count == 0)
        status = zcs__fail(context, ZCS_ERROR_NO_DEVICE, 0,
                           "no OpenCL device found: the platforms list none (install a driver, "
                           "for example the Debian package pocl-opencl-icd)");
    if (status != ZCS_SUCCESS) {
        zcs__free(candidates);
        return status;
    }
    *out_candidates = candidates;
    *out_count = count;
    return ZCS_SUCCESS;
}

zcs_status zcs__cl_device_index(zcs_context *context, cl_device_id device, uint32_t *out_index)
{
    zcs__cl_candidate *candidates = NULL;
    cl_uint count = 0;
    zcs_status status = zcs__cl_collect_all(context, &candidates, &count);
    if (status != ZCS_SUCCESS)
        return status;
    *out_index = UINT32_MAX;
    for (cl_uint i = 0; i < count; i++) {
        if (candidates[i].device == device) {
            *out_index = i;
            break;
        }
    }
    zcs__free(candidates);
    return ZCS_SUCCESS;
}

zcs_status zcs__cl_choose_device(zcs_context *context, const zcs__device_choice *choice,
                                 zcs__cl_candidate *out_choice, uint32_t *out_index)
{
    zcs__cl_candidate *candidates = NULL;
    cl_uint count = 0;
    zcs_status status = zcs__cl_collect_all(context, &candidates, &count);
    if (status != ZCS_SUCCESS)
        return status;

    if (choice->index != ZCS__ANY_DEVICE) {
        if (choice->index >= count)
            status = zcs__fail(context, ZCS_ERROR_NO_DEVICE, 0,
                               "device index %u (%s) is past the last device: OpenCL lists %u "
                               "device%s (index 0 to %u)",
                               (unsigned)choice->index, choice->source, count,
                               count == 1 ? "" : "s", count - 1);
        else if (candidates[choice->index].refusal[0] != '\0')
            status = zcs__fail(context, ZCS_ERROR_NO_DEVICE, 0,
                               "device %u (%s / %s, asked for by %s) cannot be used: %s",
                               (unsigned)choice->index, candidates[choice->index].platform_name,
                               candidates[choice->index].device_name, choice->source,
                               candidates[choice->index].refusal);
        if (status == ZCS_SUCCESS) {
            *out_choice = candidates[choice->index];
            *out_index = choice->index;
        }
        zcs__free(candidates);
        return status;
    }

    int best = zcs__cl_best_device(candidates, count, choice->name, choice->source);
    if (best >= 0) {
        *out_choice = candidates[best];
        *out_index = (uint32_t)best;
        zcs__free(candidates);
        return ZCS_SUCCESS;
    }

    char message[4096];
    size_t used =
        (size_t)snprintf(message, sizeof message, "no usable OpenCL device among %u:", count);
    for (cl_uint i = 0; i < count && used < sizeof message; i++)
        used += (size_t)snprintf(message + used, sizeof message - used, " [%s / %s: %s]",
                                 candidates[i].platform_name, candidates[i].device_name,
                                 candidates[i].refusal);
    zcs__free(candidates);
    return zcs__fail(context, ZCS_ERROR_NO_DEVICE, 0, "%s", message);
}

zcs_tier zcs__cl_host_tier(const zcs__cl_candidate *device)
{
    if (device->svm & CL_DEVICE_SVM_FINE_GRAIN_BUFFER)
        return ZCS_TIER_SVM_FINE;
    if (device->svm & CL_DEVICE_SVM_COARSE_GRAIN_BUFFER)
        return ZCS_TIER_SVM_COARSE;
    return ZCS_TIER_HOST_PTR;
}

zcs_status zcs__cl_choose_tier(zcs_context *context, const zcs__cl_candidate *device,
                               zcs_tier forced, const char *tier_source, char *reason,
                               size_t reason_size, zcs_tier *out_tier)
{
    int fine = (device->svm & CL_DEVICE_SVM_FINE_GRAIN_BUFFER) != 0;
    int coarse = (device->svm & CL_DEVICE_SVM_COARSE_GRAIN_BUFFER) != 0;
    zcs_tier tier = forced;
    zcs_tier host_tier = zcs__cl_host_tier(device);
    const char *host_why = host_tier == ZCS_TIER_SVM_FINE
                               ? "svm_fine: the device offers fine-grain buffer SVM "
                                 "(CL_DEVICE_SVM_FINE_GRAIN_BUFFER), so host and kernels share "
                                 "one pointer with no map calls"
                           : host_tier == ZCS_TIER_SVM_COARSE
                               ? "svm_coarse: the device offers coarse-grain but not fine-grain "
                                 "buffer SVM, so host and kernels share one pointer with "
                                 "clEnqueueSVMMap/Unmap around host access"
                               : "host_ptr: the device offers no SVM, so arrays are "
                                 "CL_MEM_ALLOC_HOST_PTR buffers mapped with clEnqueueMapBuffer";

    if (forced != ZCS_TIER_AUTO) {
        int offered = forced == ZCS_TIER_HOST_PTR || forced == ZCS_TIER_STAGED ||
                      (forced == ZCS_TIER_SVM_FINE && fine) ||
                      (forced == ZCS_TIER_SVM_COARSE && coarse);
        if (!offered)
            return zcs__fail(context, ZCS_ERROR_UNSUPPORTED, 0,
                             "tier %s (forced by %s) is not offered by %s: the device reports "
                             "OpenCL %d.%d with%s coarse-grain and with%s fine-grain buffer SVM",
                             zcs_tier_name(forced), tier_source, device->device_name,
                             device->version_major, device->version_minor, coarse ? "" : "out",
                             fine ? "" : "out");
        snprintf(reason, reason_size, "%s forced by %s", zcs_tier_name(forced), tier_source);
    } else if (!device->unified_memory) {
        tier = ZCS_TIER_STAGED;
        snprintf(reason, reason_size,
                 "staged: the device has memory of its own (OpenCL device type %s, "
                 "CL_DEVICE_HOST_UNIFIED_MEMORY false), so arrays live in device memory and zcs "
                 "copies the mapped range at map and unmap (counted in zcs_stats.bytes_copied); "
                 "ZCS_ARRAY_STREAMED arrays use %s",
                 device->is_gpu ? "GPU" : "accelerator", host_why);
    } else {
        tier = host_tier;
        snprintf(reason, reason_size, "%s", host_why);
    }
    if (forced != ZCS_TIER_AUTO && !device->unified_memory && forced != ZCS_TIER_STAGED) {
        size_t used = strlen(reason);
        snprintf(reason + used, reason_size - used,
                 "; the device does not share memory with the host, so the runtime copies on "
                 "map and unmap (counted in zcs_stats.bytes_copied)");
    }
    *out_tier = tier;
    return ZCS_SUCCESS;
}

/* The tiers a usable device offers, as ZCS_TIER_BIT bits. */
static uint32_t zcs__cl_tiers(const zcs__cl_candidate *device)
{
    uint32_t tiers = ZCS_TIER_BIT(ZCS_TIER_HOST_PTR) | ZCS_TIER_BIT(ZCS_TIER_STAGED);
    if (device->svm & CL_DEVICE_SVM_FINE_GRAIN_BUFFER)
        tiers |= ZCS_TIER_BIT(ZCS_TIER_SVM_FINE);
    if (device->svm & CL_DEVICE_SVM_COARSE_GRAIN_BUFFER)
        tiers |= ZCS_TIER_BIT(ZCS_TIER_SVM_COARSE);
    return tiers;
}

zcs_status zcs__cl_query_limits(zcs_context *context, const zcs__cl_candidate *device,
                                zcs_device_limits *limits, size_t *out_alignment)
{
    cl_ulong max_alloc = 0;
    cl_ulong global_memory = 0;
    cl_ulong local_memory = 0;
    cl_uint base_align_bits = 0;
    cl_uint compute_units = 0;
    size_t max_work_group = 0;
    size_t max_parameter = 0;
    size_t item_sizes[3] = {0, 0, 0};
    cl_device_id id = device->device;
    cl_int error = zcs__cl.clGetDeviceInfo(id, CL_DEVICE_MAX_MEM_ALLOC_SIZE, sizeof max_alloc,
                                           &max_alloc, NULL);
    if (error == CL_SUCCESS)
        error = zcs__cl.clGetDeviceInfo(id, CL_DEVICE_GLOBAL_MEM_SIZE, sizeof global_memory,
                                        &global_memory, NULL);
    if (error == CL_SUCCESS)
        error = zcs__cl.clGetDeviceInfo(id, CL_DEVICE_MEM_BASE_ADDR_ALIGN, sizeof base_align_bits,
                                        &base_align_bits, NULL);
    if (error == CL_SUCCESS)
        error = zcs__cl.clGetDeviceInfo(id, CL_DEVICE_MAX_WORK_GROUP_SIZE, sizeof max_work_group,
                                        &max_work_group, NULL);
    if (error == CL_SUCCESS)
        error = zcs__cl.clGetDeviceInfo(id, CL_DEVICE_LOCAL_MEM_SIZE, sizeof local_memory,
                                        &local_memory, NULL);
    if (error == CL_SUCCESS)
        error = zcs__cl.clGetDeviceInfo(id, CL_DEVICE_MAX_COMPUTE_UNITS, sizeof compute_units,
                                        &compute_units, NULL);
    if (error == CL_SUCCESS)
        error = zcs__cl.clGetDeviceInfo(id, CL_DEVICE_MAX_PARAMETER_SIZE, sizeof max_parameter,
                                        &max_parameter, NULL);
    if (error != CL_SUCCESS)
        return zcs__cl_fail(context, ZCS_ERROR_BACKEND, "clGetDeviceInfo", error,
                            device->device_name);
    /* Three dimensions at least (CL_DEVICE_MAX_WORK_ITEM_DIMENSIONS >= 3 on every device). */
    if (zcs__cl.clGetDeviceInfo(id, CL_DEVICE_MAX_WORK_ITEM_SIZES, sizeof item_sizes, item_sizes,
                                NULL) != CL_SUCCESS) {
        for (int d = 0; d < 3; d++)
            item_sizes[d] = max_work_group;
    }
    limits->max_alloc_size = max_alloc;
    limits->memory_budget = global_memory;
    limits->max_work_group_size = max_work_group;
    for (int d = 0; d < 3; d++)
        limits->max_work_item_sizes[d] = item_sizes[d];
    limits->local_memory_size = local_memory;
    limits->compute_units = compute_units;
    limits->max_parameter_bytes = max_parameter;
    /* At least the device's base address alignment and the widest OpenCL type (long16). */
    size_t alignment = base_align_bits / 8;
    if (alignment < 128)
        alignment = 128;
    *out_alignment = alignment;
    return ZCS_SUCCESS;
}

int zcs__cl_supports_il(const zcs__cl_candidate *device)
{
    if (device->version_major < 2 || (device->version_major == 2 && device->version_minor < 1))
        return 0;
    char il_version[128] = "";
    return zcs__cl.clGetDeviceInfo(device->device, CL_DEVICE_IL_VERSION, sizeof il_version,
                                   il_version, NULL) == CL_SUCCESS &&
           il_version[0] != '\0';
}

static zcs_device_type zcs__cl_device_type(const zcs__cl_candidate *device)
{
    if (device->is_gpu)
        return device->unified_memory ? ZCS_DEVICE_TYPE_INTEGRATED_GPU
                                      : ZCS_DEVICE_TYPE_DISCRETE_GPU;
    if (device->type & CL_DEVICE_TYPE_CPU)
        return ZCS_DEVICE_TYPE_CPU;
    return ZCS_DEVICE_TYPE_OTHER;
}

zcs_status zcs__backend_device_count(uint32_t *out_count)
{
    zcs__cl_candidate *candidates = NULL;
    cl_uint count = 0;
    zcs_status status = zcs__cl_collect_all(NULL, &candidates, &count);
    if (status != ZCS_SUCCESS)
        return status;
    zcs__free(candidates);
    *out_count = count;
    return ZCS_SUCCESS;
}

zcs_status zcs__backend_device_info(uint32_t index, zcs_device_info *out)
{
    zcs__cl_candidate *candidates = NULL;
    cl_uint count = 0;
    zcs_status status = zcs__cl_collect_all(NULL, &candidates, &count);
    if (status != ZCS_SUCCESS)
        return status;
    if (index >= count) {
        zcs__free(candidates);
        return zcs__fail(NULL, ZCS_ERROR_INVALID_ARGUMENT, 0,
                         "zcs_device_get_info: device index %u is past the last device: OpenCL "
                         "lists %u device%s (index 0 to %u)",
                         (unsigned)index, count, count == 1 ? "" : "s", count - 1);
    }
    const zcs__cl_candidate *device = &candidates[index];
    zcs__copy_string(out->name, sizeof out->name, device->device_name);
    zcs__copy_string(out->platform_name, sizeof out->platform_name, device->platform_name);
    zcs__copy_string(out->driver_version, sizeof out->driver_version, device->driver_version);
    zcs__copy_string(out->api_version, sizeof out->api_version, device->device_version);
    out->type = zcs__cl_device_type(device);
    out->is_gpu = device->is_gpu;
    out->unified_memory = device->unified_memory;
    zcs__copy_string(out->refusal, sizeof out->refusal, device->refusal);
    if (device->refusal[0] == '\0') {
        out->tiers = zcs__cl_tiers(device);
        size_t alignment = 0;
        status = zcs__cl_choose_tier(NULL, device, ZCS_TIER_AUTO, "", out->tier_reason,
                                     sizeof out->tier_reason, &out->tier);
        if (status == ZCS_SUCCESS)
            status = zcs__cl_query_limits(NULL, device, &out->limits, &alignment);
        out->alignment = alignment;
    }
    out->is_default = zcs__cl_best_device(candidates, count, "", "") == (int)index;
    zcs__free(candidates);
    return status;
}
