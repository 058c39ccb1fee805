/*
 * What the struct-layout and pointer features need from the Vulkan backend
 * (src/backend_layout.h): the layout probe is written in GLSL, and stored pointers
 * (ZCS_PTR) are not offered in this release.
 */
#include "backend_layout.h"
#include "vulkan/vk_internal.h"

const zcs__layout_language zcs__backend_layout_language = ZCS__LAYOUT_LANG_GLSL;

/* Why there is no ZCS_PTR on Vulkan, for messages. */
#define ZCS__VK_NO_ADDRESS_REASON                                                                  \
    "the Vulkan backend does not enable VK_KHR_buffer_device_address in this release, so "         \
    "arrays have no device address a struct may store; use zcs_ref element indices "               \
    "(zcs/layout.h), which work on every backend and tier"

zcs_status zcs__backend_buffer_device_address(zcs_buffer *buffer, uint64_t *out_address)
{
    (void)out_address;
    return zcs__fail(buffer->context, ZCS_ERROR_UNSUPPORTED, 0, "zcs_buffer_device_address: %s",
                     ZCS__VK_NO_ADDRESS_REASON);
}

zcs_status zcs__backend_kernel_set_indirect(zcs_kernel *kernel, zcs_buffer *const *buffers,
                                            size_t count)
{
    (void)buffers;
    if (count == 0) /* clearing the list: there is nothing to clear */
        return ZCS_SUCCESS;
    return zcs__fail(kernel->context, ZCS_ERROR_UNSUPPORTED, 0, "zcs_kernel_set_indirect: %s",
                     ZCS__VK_NO_ADDRESS_REASON);
}
