/* Test hooks of the Vulkan arrays (array.c). */
#ifndef ZCS_VULKAN_BUFFER_H
#define ZCS_VULKAN_BUFFER_H

#include <stdint.h>

/*
 * Treat every memory type as not host-coherent from the next zcs_array_create on (1) or not
 * (0), so the flush and invalidate path runs on devices whose memory is coherent
 * (flushing coherent memory is valid and does nothing).
 */
void zcs__vk_assume_noncoherent(int on);

/* Whether zcs__vk_assume_noncoherent is on (import.c's own blocks follow it too). */
int zcs__vk_assumes_noncoherent(void);

/* vkFlushMappedMemoryRanges and vkInvalidateMappedMemoryRanges calls made so far. */
uint64_t zcs__vk_flush_count(void);
uint64_t zcs__vk_invalidate_count(void);

#endif /* ZCS_VULKAN_BUFFER_H */
