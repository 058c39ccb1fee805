/*
 * Handles that cannot alias (sokol_gfx's slot pools, STYLE.md 7a). What the application
 * holds is never an address: it is a pool slot's index and that slot's generation,
 * packed into a pointer-sized value. Freeing an object bumps its slot's generation, so
 * every handle ever given out for the slot stops resolving, whatever context it came
 * from; a slot whose generation would wrap is retired, so a handle value is never given
 * out twice in the life of the process. Lookups are an index and two compares under a
 * read lock, and the memory behind a handle is never read before it resolves. Freed
 * slots are reused, so the pool is as large as the most objects alive at once (plus the
 * retired slots, one per 2^32 reuses of a slot on 64-bit hosts).
 */
#ifndef ZCS_CORE_HANDLES_H
#define ZCS_CORE_HANDLES_H

#include <stdint.h>

/*
 * Register `object` (type: a ZCS__MAGIC_* value; owner: its context, or NULL for a
 * context) and return its new handle, or NULL when out of host memory.
 */
void *zcs__handle_register(void *object, uint32_t type, const void *owner);

/* Retire `handle`: from now on it resolves to nothing. Unknown handles are ignored. */
void zcs__handle_unregister(const void *handle);

/*
 * The object `handle` stands for if it is live and of `type`, else NULL. NULL is never
 * live. The object stays valid only as long as the caller's own locking keeps it so
 * (see the claims below and the context lock).
 */
void *zcs__handle_lookup(const void *handle, uint32_t type);

/*
 * Call read(object, out) with the pool's lock held if `handle` is live and of `type`
 * (a destroy retires the handle before it frees the object, so the object is valid
 * throughout). Returns 1 if it was called.
 */
int zcs__handle_read(const void *handle, uint32_t type, void (*read)(const void *, void *),
                     void *out);

/* 1 if `handle` is live and of `type` but belongs to another owner than `owner`. */
int zcs__handle_foreign(const void *handle, uint32_t type, const void *owner);

/* What a claim found. */
typedef enum zcs__claim_result {
    ZCS__CLAIM_OK = 0,
    ZCS__CLAIM_DEAD = 1, /* not a live handle of the type */
    ZCS__CLAIM_BUSY = 2, /* another thread holds a conflicting claim */
} zcs__claim_result;

/*
 * Claim the object of `handle` for the length of a call: exclusively (one call at a time,
 * for kernels and arrays), or shared (any number, for programs). While a claim is held
 * the object cannot be retired by another thread: a destroy claims exclusively first.
 * On ZCS__CLAIM_OK *out_object is the object.
 */
zcs__claim_result zcs__handle_claim(const void *handle, uint32_t type, int exclusive,
                                    void **out_object);

/* Give a claim back (the handle is still live: its claim kept it so). */
void zcs__handle_release(const void *handle);

/* Number of live handles of every type, in every context (for the tests' leak checks). */
uint64_t zcs__handle_count(void);

/* Slots the pool holds, live or free (for the tests: it must not grow without bound). */
uint64_t zcs__handle_pool_size(void);

#endif /* ZCS_CORE_HANDLES_H */
