/* Test hook for the library's heap allocations (src/core/memory.c). */
#ifndef ZCS_CORE_MEMORY_H
#define ZCS_CORE_MEMORY_H

/*
 * Let `allocations` more zcs__malloc/zcs__calloc calls on this thread succeed, then
 * fail every one until called again; a negative value turns failures off.
 */
void zcs__memory_fail_after(long allocations);

/* Allocations asked for on this thread since the last zcs__memory_fail_after. */
unsigned long zcs__memory_allocations(void);

#endif /* ZCS_CORE_MEMORY_H */
