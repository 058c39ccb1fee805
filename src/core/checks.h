/* Argument checks shared by the public entry points of src/core/. */
#ifndef ZCS_CORE_CHECKS_H
#define ZCS_CORE_CHECKS_H

#include "core/handles.h"
#include "core/objects.h"

/* Declare `var`, the context of `handle`, or return ZCS_ERROR_NULL_HANDLE /
   ZCS_ERROR_INVALID_HANDLE (asked of the handle pool: no memory is read for a stale or
   forged handle). */
#define ZCS__RESOLVE_CONTEXT(var, handle, function)                                                \
    zcs_context *var = zcs__handle_lookup((handle), ZCS__MAGIC_CONTEXT);                           \
    do {                                                                                           \
        if ((handle) == NULL)                                                                      \
            return zcs__fail(NULL, ZCS_ERROR_NULL_HANDLE, 0, "%s: context is NULL", (function));   \
        if (var == NULL)                                                                           \
            return zcs__fail(NULL, ZCS_ERROR_INVALID_HANDLE, 0, "%s: not a live context handle",   \
                             (function));                                                          \
    } while (0)

/*
 * Claim the buffer, program or kernel of `handle` for this call (see zcs__handle_claim)
 * into `*out`; `what` names it in the message. Returns ZCS_SUCCESS, ZCS_ERROR_NULL_HANDLE,
 * ZCS_ERROR_INVALID_HANDLE or ZCS_ERROR_BUSY (another thread is in a call on it).
 * Give the claim back with zcs__handle_release(handle).
 */
zcs_status zcs__claim(const void *handle, uint32_t type, int exclusive, const char *what,
                      const char *function, void **out);

/*
 * Claim `handle` exclusively to destroy it (destroy functions accept NULL and dead handles
 * silently): the object, or NULL when there is none, or when another thread is in a call
 * on it (then ZCS_ERROR_BUSY with "<function>: <busy_reason>; it was not destroyed").
 */
void *zcs__claim_to_destroy(const void *handle, uint32_t type, const char *function,
                            const char *busy_reason);

/* Declare `var` as the claimed object of `handle`, or return the failing status. */
#define ZCS__CLAIM(type_name, var, handle, magic, exclusive, what, function)                       \
    type_name *var = NULL;                                                                         \
    do {                                                                                           \
        void *claimed_ = NULL;                                                                     \
        zcs_status claim_status_ =                                                                 \
            zcs__claim((handle), (magic), (exclusive), (what), (function), &claimed_);             \
        if (claim_status_ != ZCS_SUCCESS)                                                          \
            return claim_status_;                                                                  \
        var = claimed_;                                                                            \
    } while (0)

/* Wait until every dispatch of the context enqueued so far has finished. */
zcs_status zcs__context_wait(zcs_context *context, uint64_t serial);

/*
 * Wait until `array` is no longer in use: the dispatch with `serial` (its newest use,
 * read under the context lock with the array claimed) has finished, and the application
 * work declared on it (app_use_pending) too. Only that dispatch: a map does not wait for
 * dispatches that do not use its array.
 */
zcs_status zcs__array_wait(zcs_array *array, uint64_t serial);

/* Return once dispatch `serial`, which may be on its way on another thread, has reached
   the backend (zcs__array_wait's first step, for a map that leaves the wait to the
   backend). */
void zcs__serial_handed_over(zcs_context *context, uint64_t serial);

/* Record that `array`'s dispatch `serial` and the application's work on it are done
   (zcs__array_wait's last step). */
void zcs__array_waited(zcs_array *array, uint64_t serial);

#endif /* ZCS_CORE_CHECKS_H */
