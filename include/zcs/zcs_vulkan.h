/**
 * @file
 * zcs inside a Vulkan application: attach a zcs context to the application's Vulkan
 * instance, physical device, device and queue, get the native objects behind any zcs
 * context and array, and order zcs's work with the application's through semaphores.
 *
 * Usable only with a Vulkan build of zcs (ZCS_BUILT_WITH_VULKAN); including it with an
 * OpenCL build stops the compilation with a message. docs/guide.md, "Using zcs inside an
 * existing application", says how long each native object stays valid and what the
 * application may do with it while zcs also uses it.
 */
#ifndef ZCS_ZCS_VULKAN_H
#define ZCS_ZCS_VULKAN_H

#include "zcs/zcs.h"

#if !ZCS_BUILT_WITH_VULKAN
#error "zcs/zcs_vulkan.h needs a Vulkan build of zcs; this one is an OpenCL build"
#endif

#include <vulkan/vulkan.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Attaching to the application's Vulkan objects                             */
/* ------------------------------------------------------------------------ */

/* ------------------------------------------------------------------------ */
/* Native objects of a context and of an array                               */
/* ------------------------------------------------------------------------ */

/* ------------------------------------------------------------------------ */
/* Ordering with the application's work                                      */
/* ------------------------------------------------------------------------ */

#ifdef __cplusplus
}
#endif

#endif /* ZCS_ZCS_VULKAN_H */
