/* #include for GLSL compiled at run time (src/vulkan/include.h). */
#include "vulkan/include.h"

#if defined(ZCS_HAVE_SHADERC)
#include <stdio.h>
#include <string.h>

#include "core/objects.h"

/* The text of include/zcs/layout.h, embedded at build time (cmake/ZcsEmbed.cmake). */
extern const char zcs__layout_header_text[];

static const char zcs__vk_layout_name[] = "zcs/layout.h";

int zcs__vk_includer_add_dir(zcs__vk_includer *includer, const char *dir, size_t length)
{
    if (includer->dir_count == ZCS__VK_MAX_INCLUDE_DIRS)
        return 0;
    char *copy = zcs__malloc(length + 1);
    if (copy == NULL)
        return 0;
    memcpy(copy, dir, length);
    copy[length] = '\0';
    includer->dirs[includer->dir_count++] = copy;
    return 1;
}

void zcs__vk_includer_clear(zcs__vk_includer *includer)
{
    for (size_t i = 0; i < includer->dir_count; i++)
        zcs__free(includer->dirs[i]);
    includer->dir_count = 0;
}

/* A result and the strings it points to, in one allocation. */
typedef struct zcs__vk_include {
    shaderc_include_result result;
    char *name;    /* owned, "" for a failure */
    char *content; /* owned, or the embedded header */
    int owns_content;
} zcs__vk_include;

static shaderc_include_result *zcs__vk_include_result(const char *name, char *content,
                                                      size_t content_length, int owns_content)
{
    static shaderc_include_result out_of_memory = {"", 0, "out of host memory", 18, NULL};
    zcs__vk_include *include = zcs__calloc(1, sizeof *include);
    size_t name_length = strlen(name);
    char *name_copy = zcs__malloc(name_length + 1);
    if (include == NULL || name_copy == NULL) {
        zcs__free(include);
        zcs__free(name_copy);
        if (owns_content)
            zcs__free(content);
        return &out_of_memory;
    }
    memcpy(name_copy, name, name_length + 1);
    include->name = name_copy;
    include->content = content;
    include->owns_content = owns_content;
    include->result.source_name = name_copy;
    include->result.source_name_length = name_length;
    include->result.content = content;
    include->result.content_length = content_length;
    include->result.user_data = include;
    return &include->result;
}

/* A failed inclusion: an empty name and the message as content. */
static shaderc_include_result *zcs__vk_include_error(const char *requested, const char *requesting)
{
    char message[1024];
    int length = snprintf(message, sizeof message,
                          "cannot find \"%s\" (included from %s) next to the including file or "
                          "in the -I directories of the build options",
                          requested, requesting);
    if (length < 0)
        length = 0;
    if ((size_t)length >= sizeof message)
        length = (int)sizeof message - 1;
    char *copy = zcs__malloc((size_t)length + 1);
    if (copy != NULL)
        memcpy(copy, message, (size_t)length + 1);
    return zcs__vk_include_result("", copy, copy != NULL ? (size_t)length : 0, 1);
}

/* The file at `path`, read whole; NULL when it cannot be opened or read. */
static char *zcs__vk_read(const char *path, size_t *out_length)
{
    FILE *file = fopen(path, "rb");
    if (file == NULL)
        return NULL;
    char *data = NULL;
    long length = -1;
    if (fseek(file, 0, SEEK_END) == 0)
        length = ftell(file);
    if (length >= 0 && fseek(file, 0, SEEK_SET) == 0)
        data = zcs__malloc((size_t)length + 1);
    if (data != NULL && fread(data, 1, (size_t)length, file) != (size_t)length) {
        zcs__free(data);
        data = NULL;
    }
    fclose(file);
    if (data != NULL) {
        data[length] = '\0';
        *out_length = (size_t)length;
    }
    return data;
}

/* Try `dir`/`requested` (dir of `dir_length` bytes; 0 for the path alone). */
static shaderc_include_result *zcs__vk_try(const char *dir, size_t dir_length,
                                           const char *requested)
{
    char path[4096];
    int length = dir_length > 0
                     ? snprintf(path, sizeof path, "%.*s/%s", (int)dir_length, dir, requested)
                     : snprintf(path, sizeof path, "%s", requested);
    if (length < 0 || (size_t)length >= sizeof path)
        return NULL;
    size_t content_length = 0;
    char *content = zcs__vk_read(path, &content_length);
    if (content == NULL)
        return NULL;
    return zcs__vk_include_result(path, content, content_length, 1);
}

static shaderc_include_result *zcs__vk_resolve(void *user_data, const char *requested, int type,
                                               const char *requesting, size_t depth)
{
    const zcs__vk_includer *includer = user_data;
    (void)depth;
    if (strcmp(requested, zcs__vk_layout_name) == 0)
        return zcs__vk_include_result(zcs__vk_layout_name, (char *)zcs__layout_header_text,
                                      strlen(zcs__layout_header_text), 0);
    shaderc_include_result *found = NULL;
    if (requested[0] == '/') {
        found = zcs__vk_try(NULL, 0, requested);
    } else {
        /* "...": first next to the including file (a path, not "<source>"). */
        const char *slash = strrchr(requesting, '/');
        if (type == shaderc_include_type_relative && slash != NULL)
            found = zcs__vk_try(requesting, (size_t)(slash - requesting), requested);
        for (size_t i = 0; found == NULL && i < includer->dir_count; i++)
            found = zcs__vk_try(includer->dirs[i], strlen(includer->dirs[i]), requested);
    }
    if (found != NULL)
        return found;
    return zcs__vk_include_error(requested, requesting);
}

static void zcs__vk_release(void *user_data, shaderc_include_result *result)
{
    (void)user_data;
    zcs__vk_include *include = result->user_data;
    if (include == NULL)
        return; /* the static out-of-memory result */
    if (include->owns_content)
        zcs__free(include->content);
    zcs__free(include->name);
    zcs__free(include);
}

void zcs__vk_includer_install(zcs__vk_includer *includer, shaderc_compile_options_t options)
{
    shaderc_compile_options_set_include_callbacks(options, zcs__vk_resolve, zcs__vk_release,
                                                  includer);
}
#else
/* ISO C forbids an empty translation unit. */
typedef int zcs__vk_include_unused;
#endif
