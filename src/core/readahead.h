/*
 * Read-ahead, the staged tiers' policy (both backends' staged.c): once the host has read a
 * range of an array after a dispatch, the next dispatch copies that range back behind its
 * kernel, in the same submission, and the next map of a range within it only waits for
 * the dispatch. A dispatch that finds the previous read-ahead unused stops it, so an array
 * the host stops reading costs one copy more at most. The backend keeps the state beside
 * its array, calls these under the lock that guards it, and makes the copies itself.
 */
#ifndef ZCS_CORE_READAHEAD_H
#define ZCS_CORE_READAHEAD_H

#include <stdint.h>

#include "zcs/zcs.h"

typedef struct zcs__readahead {
    int armed;       /* the next dispatch copies [offset, offset + size) back */
    int pending;     /* a dispatch did; the next map may use it */
    uint64_t offset; /* in the backend's own offsets (the guard included or not) */
    uint64_t size;
} zcs__readahead;

/*
 * A map of [offset, offset + size) for `access`: whether the pending read-ahead holds the
 * range (it is used up either way). A map that reads after a dispatch (`after`, the
 * backend map's) arms the next read-ahead with its range, where `allowed` (the backend's
 * say: never with validation's guards, nor for a buffer the application may write).
 */
static inline int zcs__readahead_map(zcs__readahead *ra, zcs_access access, uint64_t after,
                                     int allowed, uint64_t offset, uint64_t size)
{
    int covered = ra->pending && access != ZCS_MAP_WRITE_DISCARD && offset >= ra->offset &&
                  offset + size <= ra->offset + ra->size;
    ra->pending = 0;
    if (access != ZCS_MAP_WRITE_DISCARD && after != 0 && allowed) {
        ra->armed = 1;
        ra->offset = offset;
        ra->size = size;
    }
    return covered;
}

/* A dispatch that uses the array: whether it copies [ra->offset, + ra->size) back behind
   its kernel; then zcs__readahead_submitted says whether that went to the device. */
static inline int zcs__readahead_dispatch(zcs__readahead *ra, int allowed)
{
    if (ra->pending) { /* read ahead for the previous dispatch and never used: stop */
        ra->pending = 0;
        ra->armed = 0;
        return 0;
    }
    if (!ra->armed || !allowed)
        return 0;
    ra->armed = 0; /* until the map that uses it arms it again */
    return 1;
}

static inline void zcs__readahead_submitted(zcs__readahead *ra, int submitted)
{
    if (submitted)
        ra->pending = 1;
    else
        ra->armed = 1; /* the next dispatch tries again */
}

/* The application's own work may change the array on the device (it was given the buffer,
   or declared work on it): what was read ahead is stale, and the guess starts over. */
static inline void zcs__readahead_forget(zcs__readahead *ra)
{
    ra->armed = 0;
    ra->pending = 0;
}

#endif /* ZCS_CORE_READAHEAD_H */
