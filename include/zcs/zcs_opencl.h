/**
 * @file
 * zcs inside an OpenCL application: attach a zcs context to the application's OpenCL
 * objects, get the native objects behind any zcs context and array, and order zcs's work
 * with the application's through cl_events.
 *
 * Usable only with an OpenCL build of zcs (ZCS_BUILT_WITH_OPENCL); including it with a
 * Vulkan build stops the compilation with a message. docs/guide.md, "Using zcs inside an
 * existing application", says how long each native object stays valid and what the
 * application may do with it while zcs also uses it.
 */
#ifndef ZCS_ZCS_OPENCL_H
#define ZCS_ZCS_OPENCL_H

#include "zcs/zcs.h"

#if !ZCS_BUILT_WITH_OPENCL
#error "zcs/zcs_opencl.h needs an OpenCL build of zcs; this one is a Vulkan build"
#endif

#ifndef CL_TARGET_OPENCL_VERSION
/** The OpenCL headers' target version, when the application has not chosen one. */
#define CL_TARGET_OPENCL_VERSION 300
#endif
#include <CL/cl.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* Attaching to the application's OpenCL objects                             */
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

#endif /* ZCS_ZCS_OPENCL_H */
