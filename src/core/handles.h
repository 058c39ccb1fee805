/*
 * The registry of live handles. Every object zcs hands out is registered with its type
 * when created and removed when destroyed; every public entry point asks the registry
 * before it reads an object, so a forged pointer, a handle of another type, a double
 * free or a use after free is refused with ZCS_ERROR_INVALID_HANDLE instead of read.
 * (A freed object's address may be reused by a later one; validation mode keeps freed
 * objects' memory until their context is destroyed so that it is not.)
 */
#ifndef ZCS_CORE_HANDLES_H
#define ZCS_CORE_HANDLES_H

#include <stdint.h>

/* Register `object` with its type (a ZCS__MAGIC_* value). 0 when out of host memory. */
int zcs__handle_register(const void *object, uint32_t type);

/* Remove `object`; unknown objects are ignored. */
void zcs__handle_unregister(const void *object);

/* 1 if `object` is registered with `type`. NULL is never live. */
int zcs__handle_live(const void *object, uint32_t type);

/* Number of live handles of every type, in every context (for the tests' leak checks). */
uint64_t zcs__handle_count(void);

#endif /* ZCS_CORE_HANDLES_H */
