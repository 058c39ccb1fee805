/*
 * What the struct-layout and pointer features need from the Vulkan backend
 * (src/backend_layout.h): the layout probe is written in GLSL, and stored pointers
 * (ZCS_PTR) are buffer device addresses (VK_KHR_buffer_device_address, core in 1.2).
 */
#include "backend_layout.h"
#include "vulkan/vk_internal.h"

const zcs__layout_language zcs__backend_layout_language = ZCS__LAYOUT_LANG_GLSL;

/* Why a device has no ZCS_PTR, for messages. */
#define ZCS__VK_NO_ADDRESS_REASON                                                                  \
    "the device does not offer bufferDeviceAddress (Vulkan 1.2), so arrays have no device "        \
    "address a struct may store; use zcs_ref element indices (zcs/layout.h), which work on "       \
    "every backend and tier"

zcs_status zcs__backend_array_device_address(zcs_array *buffer, uint64_t *out_address)
{
    struct zcs__context_impl *impl = buffer->context->impl;
    if (!impl->buffer_device_address)
        return zcs__fail(buffer->context, ZCS_ERROR_UNSUPPORTED, 0, "zcs_array_device_address: %s",
                         ZCS__VK_NO_ADDRESS_REASON);
    /* Each block is one VkBuffer; the array lies array_offset bytes into it. */
    VkBufferDeviceAddressInfo info = {
        .sType = VK_STRUCTURE_TYPE_BUFFER_DEVICE_ADDRESS_INFO,
        .buffer = buffer->impl->allocation.block->buffer,
    };
    VkDeviceAddress base = zcs__vk.vkGetBufferDeviceAddress(impl->device, &info);
    *out_address = (uint64_t)base + (uint64_t)buffer->impl->array_offset;
    return ZCS_SUCCESS;
}

zcs_status zcs__backend_kernel_set_indirect(zcs_kernel *kernel, zcs_array *const *buffers,
                                            size_t count)
{
    (void)buffers;
    /* Shaders reach any address of the device's memory; nothing to declare. The core
       still orders these arrays like arguments. */
    if (count != 0 && !kernel->context->impl->buffer_device_address)
        return zcs__fail(kernel->context, ZCS_ERROR_UNSUPPORTED, 0, "zcs_kernel_set_indirect: %s",
                         ZCS__VK_NO_ADDRESS_REASON);
    return ZCS_SUCCESS;
}
