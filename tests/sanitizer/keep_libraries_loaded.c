/*
 * Preloaded into every test of a sanitizer build (LD_PRELOAD, from ctest's environment):
 * dlclose() keeps the library mapped.
 *
 * Why: the Vulkan loader unloads the driver at vkDestroyInstance, ocl-icd may unload a
 * platform, and a driver may unload its own plugins, all before LeakSanitizer reports at
 * exit. Memory a driver still reaches from its globals then looks leaked, and the frames
 * of its allocation stack have no module name ("<unknown module>"), so no suppression
 * that names the driver can match: the suite's verdict would depend on which driver code
 * paths the machine's CPU takes and on the order libraries unload. With every library
 * kept until exit, LeakSanitizer scans the driver's globals (what they reach is not a
 * leak) and names the module of every frame (what is a third-party leak is matched by
 * tests/sanitizer/lsan.supp). A leak of zcs or of a test is still reported.
 *
 * Returning 0 without unloading is what dlclose may do anyway: POSIX lets an
 * implementation keep a library loaded (glibc does for RTLD_NODELETE libraries).
 */
int dlclose(void *handle);

int dlclose(void *handle)
{
    (void)handle;
    return 0;
}
