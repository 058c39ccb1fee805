/*
 * The handle pool (see handles.h): one array of slots for every type, grown under a
 * write lock, looked up under a read lock. A handle is (generation << ZCS__INDEX_BITS) |
 * index; generations start at 1, so no handle is 0.
 */
#define _POSIX_C_SOURCE 200809L /* pthread_rwlock_t */

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "core/handles.h"
#include "core/checks.h"
#include "core/objects.h"

#define ZCS__INDEX_BITS (sizeof(uintptr_t) * 4)
#define ZCS__INDEX_MASK (((uintptr_t)1 << ZCS__INDEX_BITS) - 1)
#define ZCS__MAX_GEN    ZCS__INDEX_MASK /* the generation field has as many bits */
#define ZCS__NO_SLOT    ((size_t)-1)
#define ZCS__USERS_EXCL (-1)

typedef struct zcs__handle_slot {
    void *object; /* NULL: free or retired */
    const void *owner;
    uint32_t type;
    uintptr_t generation; /* of the handle given out now, or of the next one when free */
    size_t next_free;
    atomic_int users; /* 0 none, > 0 shared claims, ZCS__USERS_EXCL an exclusive one */
} zcs__handle_slot;

static pthread_rwlock_t zcs__handles_lock = PTHREAD_RWLOCK_INITIALIZER;
static zcs__handle_slot *zcs__slots;
static size_t zcs__capacity;
static size_t zcs__used; /* slots ever taken: [0, zcs__used) */
static size_t zcs__free_head = ZCS__NO_SLOT;
static uint64_t zcs__live;

static uintptr_t zcs__pack(size_t index, uintptr_t generation)
{
    return generation << ZCS__INDEX_BITS | (uintptr_t)index;
}

/* The slot of a live handle of `type`, or NULL. Called with the lock held. */
static zcs__handle_slot *zcs__slot(const void *handle, uint32_t type)
{
    uintptr_t value = (uintptr_t)handle;
    size_t index = (size_t)(value & ZCS__INDEX_MASK);
    uintptr_t generation = value >> ZCS__INDEX_BITS;
    if (value == 0 || index >= zcs__used)
        return NULL;
    zcs__handle_slot *slot = &zcs__slots[index];
    if (slot->object == NULL || slot->generation != generation || slot->type != type)
        return NULL;
    return slot;
}

/* The slot of a live handle of any type, or NULL. Called with the lock held. */
static zcs__handle_slot *zcs__slot_any(const void *handle)
{
    uintptr_t value = (uintptr_t)handle;
    size_t index = (size_t)(value & ZCS__INDEX_MASK);
    if (value == 0 || index >= zcs__used)
        return NULL;
    zcs__handle_slot *slot = &zcs__slots[index];
    if (slot->object == NULL || slot->generation != value >> ZCS__INDEX_BITS)
        return NULL;
    return slot;
}

void *zcs__handle_register(void *object, uint32_t type, const void *owner)
{
    pthread_rwlock_wrlock(&zcs__handles_lock);
    size_t index = zcs__free_head;
    if (index != ZCS__NO_SLOT) {
        zcs__free_head = zcs__slots[index].next_free;
    } else {
        if (zcs__used == zcs__capacity) {
            size_t capacity = zcs__capacity == 0 ? 64 : zcs__capacity * 2;
            zcs__handle_slot *slots = NULL;
            if (capacity - 1 <= ZCS__INDEX_MASK)
                slots = zcs__calloc(capacity, sizeof *slots);
            if (slots == NULL) {
                pthread_rwlock_unlock(&zcs__handles_lock);
                return NULL;
            }
            for (size_t i = 0; i < zcs__used; i++) {
                slots[i].object = zcs__slots[i].object;
                slots[i].owner = zcs__slots[i].owner;
                slots[i].type = zcs__slots[i].type;
                slots[i].generation = zcs__slots[i].generation;
                slots[i].next_free = zcs__slots[i].next_free;
                atomic_init(&slots[i].users, atomic_load(&zcs__slots[i].users));
            }
            zcs__free(zcs__slots);
            zcs__slots = slots;
            zcs__capacity = capacity;
        }
        index = zcs__used++;
        zcs__slots[index].generation = 1;
    }
    zcs__handle_slot *slot = &zcs__slots[index];
    slot->object = object;
    slot->owner = owner;
    slot->type = type;
    slot->next_free = ZCS__NO_SLOT;
    atomic_store(&slot->users, 0);
    zcs__live++;
    void *handle = (void *)zcs__pack(index, slot->generation);
    pthread_rwlock_unlock(&zcs__handles_lock);
    return handle;
}

void zcs__handle_unregister(const void *handle)
{
    pthread_rwlock_wrlock(&zcs__handles_lock);
    zcs__handle_slot *slot = zcs__slot_any(handle);
    if (slot != NULL) {
        slot->object = NULL;
        slot->owner = NULL;
        atomic_store(&slot->users, 0);
        zcs__live--;
        /* A slot whose generations are spent is retired, never handed out again. */
        if (slot->generation < ZCS__MAX_GEN) {
            slot->generation++;
            slot->next_free = zcs__free_head;
            zcs__free_head = (size_t)(slot - zcs__slots);
        }
    }
    pthread_rwlock_unlock(&zcs__handles_lock);
}

void *zcs__handle_lookup(const void *handle, uint32_t type)
{
    if (handle == NULL)
        return NULL;
    pthread_rwlock_rdlock(&zcs__handles_lock);
    zcs__handle_slot *slot = zcs__slot(handle, type);
    void *object = slot != NULL ? slot->object : NULL;
    pthread_rwlock_unlock(&zcs__handles_lock);
    return object;
}

int zcs__handle_read(const void *handle, uint32_t type, void (*read)(const void *, void *),
                     void *out)
{
    if (handle == NULL)
        return 0;
    pthread_rwlock_rdlock(&zcs__handles_lock);
    zcs__handle_slot *slot = zcs__slot(handle, type);
    if (slot != NULL)
        read(slot->object, out);
    pthread_rwlock_unlock(&zcs__handles_lock);
    return slot != NULL;
}

int zcs__handle_foreign(const void *handle, uint32_t type, const void *owner)
{
    if (handle == NULL)
        return 0;
    pthread_rwlock_rdlock(&zcs__handles_lock);
    zcs__handle_slot *slot = zcs__slot(handle, type);
    int foreign = slot != NULL && slot->owner != owner;
    pthread_rwlock_unlock(&zcs__handles_lock);
    return foreign;
}

zcs__claim_result zcs__handle_claim(const void *handle, uint32_t type, int exclusive,
                                    void **out_object)
{
    if (handle == NULL)
        return ZCS__CLAIM_DEAD;
    pthread_rwlock_rdlock(&zcs__handles_lock);
    zcs__claim_result result = ZCS__CLAIM_DEAD;
    zcs__handle_slot *slot = zcs__slot(handle, type);
    if (slot != NULL) {
        int users = atomic_load(&slot->users);
        result = ZCS__CLAIM_BUSY;
        while (exclusive ? users == 0 : users >= 0) {
            int wanted = exclusive ? ZCS__USERS_EXCL : users + 1;
            if (atomic_compare_exchange_weak(&slot->users, &users, wanted)) {
                result = ZCS__CLAIM_OK;
                *out_object = slot->object;
                break;
            }
        }
    }
    pthread_rwlock_unlock(&zcs__handles_lock);
    return result;
}

void zcs__handle_release(const void *handle)
{
    pthread_rwlock_rdlock(&zcs__handles_lock);
    zcs__handle_slot *slot = zcs__slot_any(handle);
    if (slot != NULL) {
        int users = atomic_load(&slot->users);
        while (users != 0 && !atomic_compare_exchange_weak(
                                 &slot->users, &users, users == ZCS__USERS_EXCL ? 0 : users - 1))
            ;
    }
    pthread_rwlock_unlock(&zcs__handles_lock);
}

uint64_t zcs__handle_count(void)
{
    pthread_rwlock_rdlock(&zcs__handles_lock);
    uint64_t count = zcs__live;
    pthread_rwlock_unlock(&zcs__handles_lock);
    return count;
}

uint64_t zcs__handle_pool_size(void)
{
    pthread_rwlock_rdlock(&zcs__handles_lock);
    uint64_t size = zcs__used;
    pthread_rwlock_unlock(&zcs__handles_lock);
    return size;
}

void *zcs__claim_to_destroy(const void *handle, uint32_t type, const char *function,
                            const char *busy_reason)
{
    void *object = NULL;
    switch (handle == NULL ? ZCS__CLAIM_DEAD : zcs__handle_claim(handle, type, 1, &object)) {
    case ZCS__CLAIM_OK:
        return object;
    case ZCS__CLAIM_BUSY:
        zcs__fail(NULL, ZCS_ERROR_BUSY, 0, "%s: %s; it was not destroyed", function, busy_reason);
        break;
    case ZCS__CLAIM_DEAD:
        break;
    }
    return NULL;
}

zcs_status zcs__claim(const void *handle, uint32_t type, int exclusive, const char *what,
                      const char *function, void **out)
{
    if (handle == NULL)
        return zcs__fail(NULL, ZCS_ERROR_NULL_HANDLE, 0, "%s: %s is NULL", function, what);
    switch (zcs__handle_claim(handle, type, exclusive, out)) {
    case ZCS__CLAIM_OK:
        return ZCS_SUCCESS;
    case ZCS__CLAIM_BUSY:
        return zcs__fail(NULL, ZCS_ERROR_BUSY, 0,
                         "%s: another thread is in a call on this %s at the same moment; calls "
                         "on one %s must come from one thread at a time",
                         function, what, what);
    case ZCS__CLAIM_DEAD:
        break;
    }
    return zcs__fail(NULL, ZCS_ERROR_INVALID_HANDLE, 0,
                     "%s: not a live %s handle (freed, destroyed, of another type, or never "
                     "made by zcs)",
                     function, what);
}
