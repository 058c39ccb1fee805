/*
 * The registry of live handles (see handles.h): an open-addressing hash set keyed by
 * address, under a read-write lock so that lookups from many threads run in parallel.
 */
#define _POSIX_C_SOURCE 200809L /* pthread_rwlock_t */

#include <pthread.h>
#include <string.h>

#include "core/handles.h"
#include "core/objects.h"

typedef struct zcs__handle_slot {
    const void *object; /* NULL: empty; zcs__tombstone: removed */
    uint32_t type;
} zcs__handle_slot;

static const char zcs__tombstone_byte;
#define ZCS__TOMBSTONE ((const void *)&zcs__tombstone_byte)

static pthread_rwlock_t zcs__handles_lock = PTHREAD_RWLOCK_INITIALIZER;
static zcs__handle_slot *zcs__slots;
static size_t zcs__capacity; /* a power of two, or 0 */
static size_t zcs__live;     /* registered objects */
static size_t zcs__used;     /* live + tombstones */

static size_t zcs__hash(const void *object)
{
    uint64_t key = (uint64_t)(uintptr_t)object;
    key ^= key >> 33;
    key *= 0xff51afd7ed558ccdull;
    key ^= key >> 33;
    return (size_t)key;
}

/* Slot of `object`, or of the first empty slot on its probe path when absent. */
static size_t zcs__find(const zcs__handle_slot *slots, size_t capacity, const void *object)
{
    size_t mask = capacity - 1;
    size_t i = zcs__hash(object) & mask;
    while (slots[i].object != NULL && slots[i].object != object)
        i = (i + 1) & mask;
    return i;
}

/* Rebuild into a table of `capacity` slots, dropping tombstones. */
static int zcs__rehash(size_t capacity)
{
    zcs__handle_slot *slots = zcs__calloc(capacity, sizeof *slots);
    if (slots == NULL)
        return 0;
    for (size_t i = 0; i < zcs__capacity; i++) {
        const void *object = zcs__slots[i].object;
        if (object != NULL && object != ZCS__TOMBSTONE)
            slots[zcs__find(slots, capacity, object)] = zcs__slots[i];
    }
    zcs__free(zcs__slots);
    zcs__slots = slots;
    zcs__capacity = capacity;
    zcs__used = zcs__live;
    return 1;
}

int zcs__handle_register(const void *object, uint32_t type)
{
    pthread_rwlock_wrlock(&zcs__handles_lock);
    int ok = 1;
    /* Keep the table at most half full, counting tombstones. */
    if ((zcs__used + 1) * 2 > zcs__capacity) {
        size_t capacity = zcs__capacity == 0 ? 64 : zcs__capacity;
        while ((zcs__live + 1) * 4 > capacity)
            capacity *= 2;
        ok = zcs__rehash(capacity);
    }
    if (ok) {
        zcs__handle_slot *slot = &zcs__slots[zcs__find(zcs__slots, zcs__capacity, object)];
        if (slot->object == NULL) {
            zcs__live++;
            zcs__used++;
        }
        slot->object = object;
        slot->type = type;
    }
    pthread_rwlock_unlock(&zcs__handles_lock);
    return ok;
}

void zcs__handle_unregister(const void *object)
{
    pthread_rwlock_wrlock(&zcs__handles_lock);
    if (zcs__capacity != 0 && object != NULL) {
        zcs__handle_slot *slot = &zcs__slots[zcs__find(zcs__slots, zcs__capacity, object)];
        if (slot->object == object) {
            slot->object = ZCS__TOMBSTONE;
            zcs__live--;
        }
    }
    if (zcs__live == 0) {
        /* Nothing alive: give the table back (leak checkers see a clean exit). */
        zcs__free(zcs__slots);
        zcs__slots = NULL;
        zcs__capacity = 0;
        zcs__used = 0;
    }
    pthread_rwlock_unlock(&zcs__handles_lock);
}

int zcs__handle_live(const void *object, uint32_t type)
{
    if (object == NULL)
        return 0;
    pthread_rwlock_rdlock(&zcs__handles_lock);
    int live = 0;
    if (zcs__capacity != 0) {
        const zcs__handle_slot *slot = &zcs__slots[zcs__find(zcs__slots, zcs__capacity, object)];
        live = slot->object == object && slot->type == type;
    }
    pthread_rwlock_unlock(&zcs__handles_lock);
    return live;
}

uint64_t zcs__handle_count(void)
{
    pthread_rwlock_rdlock(&zcs__handles_lock);
    uint64_t count = zcs__live;
    pthread_rwlock_unlock(&zcs__handles_lock);
    return count;
}
