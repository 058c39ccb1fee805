/* Fixtures for the suites that reach past the public API (see zcs_test_internal.h). */
#include "support/zcs_test_internal.h"

#include "core/handles.h"

void *zcs_test_object(const void *handle, uint32_t type)
{
    return zcs__handle_lookup(handle, type);
}
