/*
 * #include in GLSL built at run time (libshaderc): "zcs/layout.h" is the library's own
 * embedded copy; other headers are searched next to the including file (for "..."), then
 * in the -I directories of the build options, in order.
 */
#ifndef ZCS_VK_INCLUDE_H
#define ZCS_VK_INCLUDE_H

#include <stddef.h>

#if defined(ZCS_HAVE_SHADERC)
#include <shaderc/shaderc.h>

/* Most -I directories one build takes. */
#define ZCS__VK_MAX_INCLUDE_DIRS 32

typedef struct zcs__vk_includer {
    char *dirs[ZCS__VK_MAX_INCLUDE_DIRS];
    size_t dir_count;
} zcs__vk_includer;

/* Add a directory (copied). Returns 0 when out of memory or past the limit. */
int zcs__vk_includer_add_dir(zcs__vk_includer *includer, const char *dir, size_t length);

/* Let `options` resolve #include through `includer`, which must outlive the compilation. */
void zcs__vk_includer_install(zcs__vk_includer *includer, shaderc_compile_options_t options);

/* Free the directories. */
void zcs__vk_includer_clear(zcs__vk_includer *includer);
#endif

#endif /* ZCS_VK_INCLUDE_H */
