/* OpenCL backend: the include directory that serves zcs/layout.h (the Vulkan backend's
   include.c resolves the same include for shaderc). */
/* mkdtemp, getpid */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "opencl/internal.h"

/* The text of include/zcs/layout.h, embedded at build time (cmake/ZcsEmbed.cmake). */
extern const char zcs__layout_header_text[];

/*
 * #include "zcs/layout.h" in kernels built at run time. OpenCL compilers read headers
 * from files only, so the first build writes the embedded copy to a private directory,
 * <TMPDIR or /tmp>/zcs-include-XXXXXX/zcs/layout.h, passed to every build with -I; the
 * process that made it removes it when it exits or unloads the library. Where it cannot
 * be written, builds go without it (a kernel that includes the header then fails to build
 * and the message says so).
 */
static pthread_once_t zcs__cl_include_once = PTHREAD_ONCE_INIT;
static char zcs__cl_include_path[512];
static pid_t zcs__cl_include_owner;

static void zcs__cl_include_path_create(void)
{
    const char *tmp = getenv("TMPDIR");
    if (tmp == NULL || tmp[0] == '\0')
        tmp = "/tmp";
    char dir[sizeof zcs__cl_include_path];
    char file[sizeof zcs__cl_include_path + 32];
    int length = snprintf(dir, sizeof dir, "%s/zcs-include-XXXXXX", tmp);
    /* Build options are split at blanks: a path with one cannot be passed. */
    if (length < 0 || (size_t)length >= sizeof dir || strpbrk(dir, " \t\n\"'\\") != NULL ||
        mkdtemp(dir) == NULL)
        return;
    snprintf(file, sizeof file, "%s/zcs", dir);
    int made_zcs = mkdir(file, 0700) == 0;
    FILE *out = NULL;
    if (made_zcs) {
        snprintf(file, sizeof file, "%s/zcs/layout.h", dir);
        out = fopen(file, "wb");
    }
    size_t size = strlen(zcs__layout_header_text);
    int written = out != NULL && fwrite(zcs__layout_header_text, 1, size, out) == size;
    if (out != NULL && fclose(out) != 0)
        written = 0;
    if (!written) {
        if (out != NULL)
            remove(file);
        if (made_zcs) {
            snprintf(file, sizeof file, "%s/zcs", dir);
            rmdir(file);
        }
        rmdir(dir);
        return;
    }
    memcpy(zcs__cl_include_path, dir, sizeof dir);
    zcs__cl_include_owner = getpid();
}

#if defined(__GNUC__)
__attribute__((destructor))
#endif
static void
zcs__cl_include_path_remove(void)
{
    /* Forked children share the directory: only its maker removes it. */
    if (zcs__cl_include_path[0] == '\0' || getpid() != zcs__cl_include_owner)
        return;
    char file[sizeof zcs__cl_include_path + 32];
    snprintf(file, sizeof file, "%s/zcs/layout.h", zcs__cl_include_path);
    remove(file);
    snprintf(file, sizeof file, "%s/zcs", zcs__cl_include_path);
    rmdir(file);
    rmdir(zcs__cl_include_path);
    zcs__cl_include_path[0] = '\0';
}

const char *zcs__cl_include_dir(void)
{
    pthread_once(&zcs__cl_include_once, zcs__cl_include_path_create);
    return zcs__cl_include_path;
}
