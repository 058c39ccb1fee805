/* Programs: from source, a file, SPIR-V or the embedded builtins. */
#define _POSIX_C_SOURCE 200809L /* O_CLOEXEC */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend.h"
#include "core/builtins.h"
#include "core/checks.h"
#include "core/list.h"

/*
 * Make a program from `code`. `default_name` is the name a module whose one entry point is
 * "main" also answers to: a builtin's name, or a file's stem ("kernels/particles.spv"
 * answers to "particles"); NULL for none.
 */
static zcs_status zcs__program_create(zcs_context *context, const zcs__program_code *code,
                                      const char *default_name, zcs_program **out_program)
{
    zcs_program *program = zcs__calloc(1, sizeof *program);
    if (program == NULL)
        return zcs__fail(context, ZCS_ERROR_OUT_OF_MEMORY, 0, "zcs_program: out of host memory");
    program->context = context;
    if (default_name != NULL) {
        const char *stem = strrchr(default_name, '/');
        stem = stem != NULL ? stem + 1 : default_name;
        zcs__copy_string(program->default_kernel_name, sizeof program->default_kernel_name, stem);
        char *dot = strchr(program->default_kernel_name, '.');
        if (dot != NULL)
            *dot = '\0';
    }

    zcs_status status = zcs__backend_program_create(program, code);
    if (status != ZCS_SUCCESS) {
        zcs__free(program);
        return status;
    }
    program->handle = zcs__handle_register(program, ZCS__MAGIC_PROGRAM, context);
    if (program->handle == NULL) {
        zcs__backend_program_destroy(program);
        zcs__free(program);
        return zcs__fail(context, ZCS_ERROR_OUT_OF_MEMORY, 0, "zcs_program: out of host memory");
    }
    pthread_mutex_lock(&context->lock);
    zcs__list_push(&context->programs, &program->link);
    context->stats.live_programs++;
    pthread_mutex_unlock(&context->lock);
    *out_program = program->handle;
    return ZCS_SUCCESS;
}

zcs_status zcs_program_create_from_source(zcs_context *context_handle, const char *source,
                                          size_t length, const char *options,
                                          zcs_program **out_program)
{
    ZCS__RESOLVE_CONTEXT(context, context_handle, "zcs_program_create_from_source");
    if (source == NULL || out_program == NULL)
        return zcs__fail(context, ZCS_ERROR_NULL_HANDLE, 0,
                         "zcs_program_create_from_source: %s is NULL",
                         source == NULL ? "source" : "out_program");
    if (length == 0)
        length = strlen(source);
    if (length == 0)
        return zcs__fail(context, ZCS_ERROR_ZERO_SIZE, 0,
                         "zcs_program_create_from_source: the source is empty");
    zcs__program_code code = {ZCS__PROGRAM_SOURCE, source, length, options, NULL};
    return zcs__program_create(context, &code, NULL, out_program);
}

zcs_status zcs_program_create_from_spirv(zcs_context *context_handle, const void *code, size_t size,
                                         zcs_program **out_program)
{
    ZCS__RESOLVE_CONTEXT(context, context_handle, "zcs_program_create_from_spirv");
    if (code == NULL || out_program == NULL)
        return zcs__fail(context, ZCS_ERROR_NULL_HANDLE, 0,
                         "zcs_program_create_from_spirv: %s is NULL",
                         code == NULL ? "code" : "out_program");
    if (size == 0 || size % 4 != 0)
        return zcs__fail(context, ZCS_ERROR_INVALID_ARGUMENT, 0,
                         "zcs_program_create_from_spirv: size %zu is not a positive multiple of "
                         "4 bytes",
                         size);
    zcs__program_code module = {ZCS__PROGRAM_SPIRV, code, size, NULL, NULL};
    return zcs__program_create(context, &module, NULL, out_program);
}

zcs_status zcs_program_create_builtin(zcs_context *context_handle, const char *name,
                                      zcs_program **out_program)
{
    ZCS__RESOLVE_CONTEXT(context, context_handle, "zcs_program_create_builtin");
    if (name == NULL || out_program == NULL)
        return zcs__fail(context, ZCS_ERROR_NULL_HANDLE, 0,
                         "zcs_program_create_builtin: %s is NULL",
                         name == NULL ? "name" : "out_program");
    for (size_t i = 0; i < zcs__builtin_count; i++) {
        if (strcmp(zcs__builtins[i].name, name) == 0) {
            zcs__program_code code = {zcs__builtins[i].spirv ? ZCS__PROGRAM_SPIRV
                                                             : ZCS__PROGRAM_SOURCE,
                                      zcs__builtins[i].data, zcs__builtins[i].size, NULL, NULL};
            return zcs__program_create(context, &code, name, out_program);
        }
    }
    return zcs__fail(context, ZCS_ERROR_KERNEL_NOT_FOUND, 0,
                     "zcs_program_create_builtin: no builtin program named \"%s\"", name);
}

const char *const *zcs_builtin_program_names(void)
{
    return zcs__builtin_names;
}

/*
 * Read a whole regular file into a NUL-terminated heap buffer. Opened without blocking
 * (a FIFO with no writer would wait forever) and refused unless regular (a directory, a
 * FIFO, a device); read to its end rather than to its stat size, which /proc reports as 0.
 */
static zcs_status zcs__read_file(zcs_context *context, const char *path, char **out_data,
                                 size_t *out_size)
{
    int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return zcs__fail(context, ZCS_ERROR_IO, errno, "cannot open \"%s\": %s", path,
                         strerror(errno));
    struct stat info;
    if (fstat(fd, &info) != 0) {
        int error = errno;
        close(fd);
        return zcs__fail(context, ZCS_ERROR_IO, error, "cannot read \"%s\": %s", path,
                         strerror(error));
    }
    if (!S_ISREG(info.st_mode)) {
        close(fd);
        return zcs__fail(context, ZCS_ERROR_IO, 0, "cannot read \"%s\": not a regular file (a %s)",
                         path,
                         S_ISDIR(info.st_mode)    ? "directory"
                         : S_ISFIFO(info.st_mode) ? "FIFO"
                         : S_ISSOCK(info.st_mode) ? "socket"
                                                  : "device or other special file");
    }
    zcs_status status = ZCS_SUCCESS;
    size_t capacity = info.st_size > 0 ? (size_t)info.st_size + 1 : 4096;
    size_t size = 0;
    char *data = zcs__malloc(capacity);
    while (data != NULL) {
        if (size + 1 == capacity) {
            char *grown = capacity <= SIZE_MAX / 2 ? zcs__malloc(capacity * 2) : NULL;
            if (grown != NULL)
                memcpy(grown, data, size);
            zcs__free(data);
            data = grown;
            capacity *= 2;
            if (data == NULL)
                break;
        }
        ssize_t got = read(fd, data + size, capacity - 1 - size);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            status = zcs__fail(context, ZCS_ERROR_IO, errno, "cannot read \"%s\": %s", path,
                               strerror(errno));
            break;
        }
        if (got == 0)
            break;
        size += (size_t)got;
    }
    close(fd);
    if (data == NULL)
        return zcs__fail(context, ZCS_ERROR_OUT_OF_MEMORY, 0,
                         "out of host memory reading \"%s\" (%zu bytes so far)", path, size);
    if (status != ZCS_SUCCESS) {
        zcs__free(data);
        return status;
    }
    data[size] = '\0';
    *out_data = data;
    *out_size = size;
    return ZCS_SUCCESS;
}

zcs_status zcs_program_create_from_file(zcs_context *context_handle, const char *path,
                                        const char *options, zcs_program **out_program)
{
    ZCS__RESOLVE_CONTEXT(context, context_handle, "zcs_program_create_from_file");
    if (path == NULL || out_program == NULL)
        return zcs__fail(context, ZCS_ERROR_NULL_HANDLE, 0,
                         "zcs_program_create_from_file: %s is NULL",
                         path == NULL ? "path" : "out_program");
    char *data = NULL;
    size_t size = 0;
    zcs_status status = zcs__read_file(context, path, &data, &size);
    if (status != ZCS_SUCCESS)
        return status;
    if (size == 0) {
        zcs__free(data);
        return zcs__fail(context, ZCS_ERROR_ZERO_SIZE, 0, "\"%s\" is empty", path);
    }
    /* A .spv file is a SPIR-V module; anything else is source in the backend's language,
       whatever its extension. */
    size_t path_length = strlen(path);
    int spirv = path_length > 4 && strcmp(path + path_length - 4, ".spv") == 0;
    zcs__program_code code = {spirv ? ZCS__PROGRAM_SPIRV : ZCS__PROGRAM_SOURCE, data, size,
                              spirv ? NULL : options, path};
    status = zcs__program_create(context, &code, path, out_program);
    zcs__free(data);
    return status;
}

void zcs_program_destroy(zcs_program *handle)
{
    zcs_program *program =
        zcs__claim_to_destroy(handle, ZCS__MAGIC_PROGRAM, "zcs_program_destroy",
                              "another thread is creating a kernel from this program");
    if (program != NULL)
        zcs__program_destroy_object(program);
}

void zcs__program_destroy_object(zcs_program *program)
{
    zcs_context *context = program->context;
    pthread_mutex_lock(&context->lock);
    zcs__handle_unregister(program->handle);
    zcs__list_remove(&program->link);
    context->stats.live_programs--;
    pthread_mutex_unlock(&context->lock);
    zcs__backend_program_destroy(program);
    zcs__free(program);
}
