/* VkResult names and the failure messages of the Vulkan backend. */
#include <stdarg.h>
#include <stdio.h>

#include "vulkan/internal.h"

#define ZCS__VK_RESULTS(X)                                                                         \
    X(VK_SUCCESS)                                                                                  \
    X(VK_NOT_READY)                                                                                \
    X(VK_TIMEOUT)                                                                                  \
    X(VK_EVENT_SET)                                                                                \
    X(VK_EVENT_RESET)                                                                              \
    X(VK_INCOMPLETE)                                                                               \
    X(VK_ERROR_OUT_OF_HOST_MEMORY)                                                                 \
    X(VK_ERROR_OUT_OF_DEVICE_MEMORY)                                                               \
    X(VK_ERROR_INITIALIZATION_FAILED)                                                              \
    X(VK_ERROR_DEVICE_LOST)                                                                        \
    X(VK_ERROR_MEMORY_MAP_FAILED)                                                                  \
    X(VK_ERROR_LAYER_NOT_PRESENT)                                                                  \
    X(VK_ERROR_EXTENSION_NOT_PRESENT)                                                              \
    X(VK_ERROR_FEATURE_NOT_PRESENT)                                                                \
    X(VK_ERROR_INCOMPATIBLE_DRIVER)                                                                \
    X(VK_ERROR_TOO_MANY_OBJECTS)                                                                   \
    X(VK_ERROR_FORMAT_NOT_SUPPORTED)                                                               \
    X(VK_ERROR_FRAGMENTED_POOL)                                                                    \
    X(VK_ERROR_UNKNOWN)                                                                            \
    X(VK_ERROR_OUT_OF_POOL_MEMORY)                                                                 \
    X(VK_ERROR_INVALID_EXTERNAL_HANDLE)                                                            \
    X(VK_ERROR_FRAGMENTATION)                                                                      \
    X(VK_ERROR_INVALID_OPAQUE_CAPTURE_ADDRESS)                                                     \
    X(VK_PIPELINE_COMPILE_REQUIRED)                                                                \
    X(VK_ERROR_SURFACE_LOST_KHR)                                                                   \
    X(VK_ERROR_NATIVE_WINDOW_IN_USE_KHR)                                                           \
    X(VK_SUBOPTIMAL_KHR)                                                                           \
    X(VK_ERROR_OUT_OF_DATE_KHR)                                                                    \
    X(VK_ERROR_INCOMPATIBLE_DISPLAY_KHR)                                                           \
    X(VK_ERROR_VALIDATION_FAILED_EXT)                                                              \
    X(VK_ERROR_INVALID_SHADER_NV)                                                                  \
    X(VK_ERROR_NOT_PERMITTED_KHR)                                                                  \
    X(VK_THREAD_IDLE_KHR)                                                                          \
    X(VK_THREAD_DONE_KHR)                                                                          \
    X(VK_OPERATION_DEFERRED_KHR)                                                                   \
    X(VK_OPERATION_NOT_DEFERRED_KHR)

const char *zcs__vk_result_name(VkResult result)
{
    switch (result) {
#define ZCS__VK_RESULT_CASE_(name)                                                                 \
    case name:                                                                                     \
        return #name;
        ZCS__VK_RESULTS(ZCS__VK_RESULT_CASE_)
#undef ZCS__VK_RESULT_CASE_
    default:
        return "VK_RESULT_UNKNOWN";
    }
}

zcs_status zcs__vk_result_status(VkResult result)
{
    switch (result) {
    case VK_SUCCESS:
        return ZCS_SUCCESS;
    case VK_ERROR_OUT_OF_HOST_MEMORY:
    case VK_ERROR_OUT_OF_DEVICE_MEMORY:
    case VK_ERROR_OUT_OF_POOL_MEMORY:
        return ZCS_ERROR_OUT_OF_MEMORY;
    case VK_ERROR_DEVICE_LOST:
        return ZCS_ERROR_DEVICE_LOST;
    default:
        return ZCS_ERROR_BACKEND;
    }
}

zcs_status zcs__vk_fail(zcs_context *context, VkResult result, const char *call, const char *what,
                        ...)
{
    char detail[1024];
    va_list args;
    va_start(args, what);
    vsnprintf(detail, sizeof detail, what, args);
    va_end(args);
    zcs_status status = zcs__vk_result_status(result);
    if (status == ZCS_SUCCESS) /* a call that "failed" with a success code: still a failure */
        status = ZCS_ERROR_BACKEND;
    return zcs__fail(context, status, (int64_t)result, "%s failed: %s (%d): %s", call,
                     zcs__vk_result_name(result), (int)result, detail);
}
