/* Argument checks shared by the public entry points of src/core/. */
#ifndef ZCS_CORE_CHECKS_H
#define ZCS_CORE_CHECKS_H

#include "core/handles.h"
#include "core/objects.h"

/* Return ZCS_ERROR_NULL_HANDLE / ZCS_ERROR_INVALID_HANDLE unless `context` is live (asked of
   the handle registry, so a forged or freed handle is never read). */
#define ZCS__CHECK_CONTEXT(context, function)                                                      \
    do {                                                                                           \
        if ((context) == NULL)                                                                     \
            return zcs__fail(NULL, ZCS_ERROR_NULL_HANDLE, 0, "%s: context is NULL", (function));   \
        if (!zcs__handle_live((context), ZCS__MAGIC_CONTEXT))                                      \
            return zcs__fail(NULL, ZCS_ERROR_INVALID_HANDLE, 0, "%s: not a live context handle",   \
                             (function));                                                          \
    } while (0)

/* The same for a buffer, program or kernel handle (`what` names it in the message). */
#define ZCS__CHECK_OBJECT(object, expected_magic, what, function)                                  \
    do {                                                                                           \
        if ((object) == NULL)                                                                      \
            return zcs__fail(NULL, ZCS_ERROR_NULL_HANDLE, 0, "%s: %s is NULL", (function),         \
                             (what));                                                              \
        if (!zcs__handle_live((object), (expected_magic)))                                         \
            return zcs__fail(NULL, ZCS_ERROR_INVALID_HANDLE, 0, "%s: not a live %s handle",        \
                             (function), (what));                                                  \
    } while (0)

/* Wait until the dispatch with `serial` (and every earlier one) has finished. */
zcs_status zcs__context_wait(zcs_context *context, uint64_t serial);

#endif /* ZCS_CORE_CHECKS_H */
