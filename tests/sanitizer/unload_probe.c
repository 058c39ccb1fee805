/*
 * unload_probe LIBRARY [own-leak]: load LIBRARY, let it keep memory in its globals,
 * unload it with dlclose and exit 0. With "own-leak" it also leaks memory of its own,
 * which no suppression may hide. Run by check_sanitizer under the tests' environment.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void *volatile own_leak;

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: unload_probe LIBRARY [own-leak]\n");
        return 2;
    }
    void *library = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) {
        fprintf(stderr, "unload_probe: %s\n", dlerror());
        return 2;
    }
    void *symbol = dlsym(library, "zcs_test_unloaded_library_remember");
    if (symbol == NULL) {
        fprintf(stderr, "unload_probe: %s\n", dlerror());
        return 2;
    }
    void (*remember)(void);
    memcpy(&remember, &symbol, sizeof remember); /* ISO C has no object-to-function cast */
    remember();
    if (dlclose(library) != 0) {
        fprintf(stderr, "unload_probe: dlclose: %s\n", dlerror());
        return 2;
    }
    if (argc > 2 && strcmp(argv[2], "own-leak") == 0) {
        own_leak = malloc(96);
        own_leak = NULL; /* lost: only LeakSanitizer can see it */
    }
    return 0;
}
