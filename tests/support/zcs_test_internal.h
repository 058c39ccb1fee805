/*
 * Fixtures for the suites that reach past the public API (the backends' suites, fault
 * injection, validation internals). They link the static library, whose internals they
 * see; every other suite links what a user links.
 */
#ifndef ZCS_TESTS_SUPPORT_ZCS_TEST_INTERNAL_H
#define ZCS_TESTS_SUPPORT_ZCS_TEST_INTERNAL_H

#include <stdint.h>

#include "core/objects.h"
#include "support/zcs_test.h"

/*
 * The library's object behind a handle (src/core/objects.h; type: a ZCS__MAGIC_* value).
 * NULL if the handle is not live.
 */
void *zcs_test_object(const void *handle, uint32_t type);

#endif /* ZCS_TESTS_SUPPORT_ZCS_TEST_INTERNAL_H */
