/* A program built against the installed zcs, by CMake (zcs::zcs) and by pkg-config. */
#include <stdio.h>

#include <zcs/zcs.h>

int main(void)
{
    zcs_context *context = NULL;
    zcs_status status = zcs_context_create(NULL, &context);
    if (status != ZCS_SUCCESS) {
        fprintf(stderr, "zcs_context_create: %s: %s\n", zcs_status_name(status), zcs_last_error());
        return 1;
    }
    zcs_array *buffer = NULL;
    unsigned *data = NULL;
    status = zcs_array_create(context, sizeof *data, 16, 0, &buffer);
    if (status == ZCS_SUCCESS)
        status = zcs_array_map(buffer, ZCS_MAP_WRITE_DISCARD, (void **)&data);
    if (status == ZCS_SUCCESS) {
        data[15] = 42;
        status = zcs_array_unmap(buffer);
    }
    zcs_array_destroy(buffer);
    zcs_context_destroy(context);
    printf("zcs %s consumer: %s\n", ZCS_VERSION_STRING, zcs_status_name(status));
    return status == ZCS_SUCCESS && zcs_version() == ZCS_VERSION ? 0 : 1;
}
