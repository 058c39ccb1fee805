/* VkResult names and the failure messages of the Vulkan backend. */
#ifndef ZCS_VULKAN_VK_ERRORS_H
#define ZCS_VULKAN_VK_ERRORS_H

#include <vulkan/vulkan.h>

#include "core/objects.h"

/* "VK_ERROR_OUT_OF_DEVICE_MEMORY" for VK_ERROR_OUT_OF_DEVICE_MEMORY; "VK_RESULT_UNKNOWN" else. */
const char *zcs__vk_result_name(VkResult result);

/* The zcs status a failing VkResult maps to (out of memory, device lost, else backend). */
zcs_status zcs__vk_result_status(VkResult result);

/*
 * Record "<call> failed: <VK_NAME> (<code>): <what>" on `context` with the VkResult as
 * the backend error, and return the mapped status. `what` (printf format) says what
 * the library was doing.
 */
zcs_status zcs__vk_fail(zcs_context *context, VkResult result, const char *call, const char *what,
                        ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

#endif /* ZCS_VULKAN_VK_ERRORS_H */
