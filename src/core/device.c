/* Device enumeration: zcs_device_count and zcs_device_get_info (the backend does the work). */
#include <string.h>

#include "backend.h"
#include "core/objects.h"

const char *zcs_device_type_name(zcs_device_type type)
{
    switch (type) {
    case ZCS_DEVICE_TYPE_OTHER:
        return "other";
    case ZCS_DEVICE_TYPE_INTEGRATED_GPU:
        return "integrated_gpu";
    case ZCS_DEVICE_TYPE_DISCRETE_GPU:
        return "discrete_gpu";
    case ZCS_DEVICE_TYPE_VIRTUAL_GPU:
        return "virtual_gpu";
    case ZCS_DEVICE_TYPE_CPU:
        return "cpu";
    }
    return NULL;
}

zcs_status zcs_device_count(uint32_t *out_count)
{
    if (out_count == NULL)
        return zcs__fail(NULL, ZCS_ERROR_NULL_HANDLE, 0, "zcs_device_count: out_count is NULL");
    uint32_t count = 0;
    zcs_status status = zcs__backend_device_count(&count);
    if (status != ZCS_SUCCESS)
        return status;
    *out_count = count;
    return ZCS_SUCCESS;
}

zcs_status zcs_device_get_info(uint32_t index, zcs_device_info *out_info)
{
    if (out_info == NULL)
        return zcs__fail(NULL, ZCS_ERROR_NULL_HANDLE, 0, "zcs_device_get_info: out_info is NULL");
    zcs_device_info *info = zcs__calloc(1, sizeof *info);
    if (info == NULL)
        return zcs__fail(NULL, ZCS_ERROR_OUT_OF_MEMORY, 0,
                         "zcs_device_get_info: out of host memory");
    info->index = index;
    info->backend = zcs__backend_id;
    info->tier = ZCS_TIER_AUTO;
    zcs_status status = zcs__backend_device_info(index, info);
    if (status == ZCS_SUCCESS) {
        info->usable = info->refusal[0] == '\0';
        info->validation_mode_available = info->usable;
        *out_info = *info;
    }
    zcs__free(info);
    return status;
}
