/*
 * A stand-in for a driver: it keeps heap memory reachable from a global only, as the
 * Vulkan and OpenCL drivers do. When the library is unloaded before LeakSanitizer runs,
 * that memory is reported with a frame of no module; check_sanitizer proves the test
 * environment keeps it loaded, so the report never comes.
 */
#include <stdlib.h>
#include <string.h>

void zcs_test_unloaded_library_remember(void);

static char *remembered;

void zcs_test_unloaded_library_remember(void)
{
    char *grown = realloc(remembered, 128);
    if (grown != NULL) {
        memset(grown, 0x5a, 128);
        remembered = grown;
    }
}
