/*
 * The second process of check_import's export_to_another_process: started by fork and
 * exec with an inherited descriptor, it checks the shared struct layout, imports the
 * descriptor as `count` uint32, adds 5 to each with increment_u32, and exits 0 when every
 * call succeeded and nothing was copied.
 *
 *   import_child FD COUNT
 */
#include <stdio.h>
#include <stdlib.h>

#include <zcs/particle.h>
#include <zcs/struct_check.h>
#include <zcs/zcs.h>

static int fail(const char *what, zcs_status status)
{
    fprintf(stderr, "import_child: %s: %s: %s\n", what, zcs_status_name(status), zcs_last_error());
    return 1;
}

/* include/zcs/particle.h as text, or NULL. */
static char *read_header(void)
{
    FILE *file = fopen(ZCS_TEST_SOURCE_DIR "/include/zcs/particle.h", "rb");
    if (file == NULL)
        return NULL;
    char *text = calloc(1, 1 << 16);
    if (text != NULL)
        (void)fread(text, 1, (1 << 16) - 1, file);
    fclose(file);
    return text;
}

int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    int fd = atoi(argv[1]);
    unsigned count = (unsigned)strtoul(argv[2], NULL, 10);
    zcs_context *context = NULL;
    zcs_status status = zcs_context_create(NULL, &context);
    if (status != ZCS_SUCCESS)
        return fail("zcs_context_create", status);

    static const zcs_field_desc fields[] = {
        ZCS_FIELD(zcs_particle, position), ZCS_FIELD(zcs_particle, mass),
        ZCS_FIELD(zcs_particle, velocity), ZCS_FIELD(zcs_particle, age),
        ZCS_FIELD(zcs_particle, id),       ZCS_FIELD(zcs_particle, bounces),
        ZCS_FIELD(zcs_particle, reserved),
    };
    char *source = read_header();
    zcs_struct_desc desc = ZCS_STRUCT_DESC(zcs_particle, fields, source);
    status = source != NULL ? zcs_struct_check(context, &desc, NULL) : ZCS_ERROR_IO;
    free(source);
    if (status != ZCS_SUCCESS)
        return fail("zcs_struct_check", status);

    /* The struct check's probe arrays copy on the staged tier (ZCS_TIER=staged): count
       from here on. */
    zcs_stats before;
    status = zcs_stats_get(context, &before);
    if (status != ZCS_SUCCESS)
        return fail("zcs_stats_get", status);
    zcs_array *array = NULL;
    status = zcs_array_import_fd(context, fd, ZCS_FD_OPAQUE, sizeof(uint32_t), count, 0, &array);
    if (status != ZCS_SUCCESS)
        return fail("zcs_array_import_fd", status);
    zcs_program *program = NULL;
    zcs_kernel *kernel = NULL;
    uint32_t amount = 5;
    size_t global = count;
    size_t local = 64;
    status = zcs_program_create_builtin(context, "increment_u32", &program);
    if (status == ZCS_SUCCESS)
        status = zcs_kernel_create(program, "increment_u32", &kernel);
    if (status == ZCS_SUCCESS)
        status = zcs_kernel_set_array(kernel, 0, array);
    if (status == ZCS_SUCCESS)
        status = zcs_kernel_set_value(kernel, 1, sizeof count, &count);
    if (status == ZCS_SUCCESS)
        status = zcs_kernel_set_value(kernel, 2, sizeof amount, &amount);
    if (status == ZCS_SUCCESS)
        status = zcs_dispatch(kernel, 1, &global, &local);
    if (status == ZCS_SUCCESS)
        status = zcs_finish(context);
    if (status != ZCS_SUCCESS)
        return fail("increment_u32", status);
    zcs_stats stats;
    status = zcs_stats_get(context, &stats);
    if (status != ZCS_SUCCESS || stats.bytes_copied != before.bytes_copied ||
        stats.live_imported_arrays != 1)
        return fail("zcs_stats_get: bytes copied or imported arrays", status);
    zcs_kernel_destroy(kernel);
    zcs_program_destroy(program);
    status = zcs_array_destroy(array);
    zcs_context_destroy(context);
    return status == ZCS_SUCCESS ? 0 : fail("zcs_array_destroy", status);
}
