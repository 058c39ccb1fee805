/*
 * Every heap allocation the library makes goes through here, so that the
 * reliability tests can make the k-th one fail (zcs__memory_fail_after).
 */
#include <stdlib.h>

#include "core/memory.h"
#include "core/objects.h"

/* Allocations left before one fails; negative: never fail. */
static _Thread_local long zcs__allocations_until_failure = -1;
/* Allocations asked for since the last zcs__memory_fail_after. */
static _Thread_local unsigned long zcs__allocations_counted;

void zcs__memory_fail_after(long allocations)
{
    zcs__allocations_until_failure = allocations;
    zcs__allocations_counted = 0;
}

unsigned long zcs__memory_allocations(void)
{
    return zcs__allocations_counted;
}

static int zcs__allocation_should_fail(void)
{
    zcs__allocations_counted++;
    if (zcs__allocations_until_failure < 0)
        return 0;
    if (zcs__allocations_until_failure == 0)
        return 1;
    zcs__allocations_until_failure--;
    return 0;
}

void *zcs__malloc(size_t size)
{
    return zcs__allocation_should_fail() ? NULL : malloc(size);
}

void *zcs__calloc(size_t count, size_t size)
{
    return zcs__allocation_should_fail() ? NULL : calloc(count, size);
}

void zcs__free(void *ptr)
{
    free(ptr);
}
