/* Test hook of the Vulkan imports (import.c). */
#ifndef ZCS_VULKAN_IMPORT_H
#define ZCS_VULKAN_IMPORT_H

/* What zcs__import_assume_offered pretends the device offers. */
#define ZCS__IMPORT_OPAQUE_FD   0x1u /* opaque fd import */
#define ZCS__IMPORT_DMA_BUF     0x2u /* dma-buf import (the KHR or EXT extension) */
#define ZCS__IMPORT_ARM_DMA_BUF 0x4u /* dma-buf import through cl_arm_import_memory (OpenCL) */

/*
 * From now on treat the fd imports in `what` as offered (0: ask the device again), so that
 * tests reach the calls a device without them never makes and make those calls fail
 * through the fault-injecting table. Only for fault injection: the real calls would reach
 * a driver that lacks the extension.
 */
void zcs__import_assume_offered(unsigned what);

#endif /* ZCS_VULKAN_IMPORT_H */
