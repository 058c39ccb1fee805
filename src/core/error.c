/*
 * Failure messages: each failing call writes its message to this thread's buffer
 * (zcs_last_error) and, when it has a context, to the context's (zcs_context_last_error).
 */
#include <stdio.h>
#include <string.h>

#include "core/handles.h"
#include "core/objects.h"

static _Thread_local char zcs__thread_error[ZCS__ERROR_MESSAGE_SIZE];

zcs_status zcs__vfail(zcs_context *context, zcs_status status, int64_t backend_error,
                      const char *format, va_list args)
{
    int length = vsnprintf(zcs__thread_error, sizeof zcs__thread_error, format, args);
    if (length >= (int)sizeof zcs__thread_error) {
        static const char truncated[] = " ... (truncated)";
        memcpy(zcs__thread_error + sizeof zcs__thread_error - sizeof truncated, truncated,
               sizeof truncated);
    }
    /* Only a context that has been handed out records it: one still being created, or a
       backend's scratch context (which has no locks), dies with the call that failed. */
    if (context != NULL && context->handle != NULL) {
        pthread_mutex_lock(&context->error_lock);
        memcpy(context->last_error, zcs__thread_error, sizeof context->last_error);
        context->last_backend_error = backend_error;
        pthread_mutex_unlock(&context->error_lock);
    }
    return status;
}

zcs_status zcs__fail(zcs_context *context, zcs_status status, int64_t backend_error,
                     const char *format, ...)
{
    va_list args;
    va_start(args, format);
    zcs__vfail(context, status, backend_error, format, args);
    va_end(args);
    return status;
}

zcs_status zcs__fail_handle(const zcs_context *handle, zcs_status status, int64_t backend_error,
                            const char *format, ...)
{
    va_list args;
    va_start(args, format);
    /* A handle stays live while its owner uses it (zcs_context_destroy may not overlap
       other calls on the context). */
    zcs__vfail(zcs__handle_lookup(handle, ZCS__MAGIC_CONTEXT), status, backend_error, format, args);
    va_end(args);
    return status;
}

int zcs__context_live(const zcs_context *context)
{
    return zcs__handle_lookup(context, ZCS__MAGIC_CONTEXT) != NULL;
}

const char *zcs_last_error(void)
{
    return zcs__thread_error;
}

const char *zcs_context_last_error(const zcs_context *handle)
{
    /* A copy for this thread: the context's own buffer is rewritten by any thread's next
       failing call. */
    static _Thread_local char copy[ZCS__ERROR_MESSAGE_SIZE];
    zcs_context *context = zcs__handle_lookup(handle, ZCS__MAGIC_CONTEXT);
    if (context == NULL)
        return "invalid context handle";
    pthread_mutex_lock(&context->error_lock);
    memcpy(copy, context->last_error, sizeof copy);
    pthread_mutex_unlock(&context->error_lock);
    return copy;
}

int64_t zcs_context_last_backend_error(const zcs_context *handle)
{
    zcs_context *context = zcs__handle_lookup(handle, ZCS__MAGIC_CONTEXT);
    if (context == NULL)
        return 0;
    pthread_mutex_lock(&context->error_lock);
    int64_t error = context->last_backend_error;
    pthread_mutex_unlock(&context->error_lock);
    return error;
}
