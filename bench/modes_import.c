/* The import modes: the application's own array (not zcs's) used by kernels, either
   imported once and used in place (import), or copied into a zcs array and back every
   frame (import-copy), the way code that cannot import does it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

typedef struct bench_import_state {
    zcs_context *context; /* the mode's own (the automatic tier): it counts its copies */
    zcs_program *program;
    zcs_kernel *kernel;
    zcs_array *buffer;  /* the imported array (import) or zcs's own (import-copy) */
    zcs_particle *host; /* the application's array */
    size_t host_size;   /* bytes allocated for it */
    size_t count;
    int copy; /* import-copy */
    uint64_t copied_at_setup;
} bench_import_state;

static int bench_import_setup(bench_mode *mode, size_t count)
{
    bench_import_state *s = mode->state;
    zcs_import_requirements rules;
    zcs_status status = zcs_import_requirements_get(s->context, &rules);
    if (status != ZCS_SUCCESS)
        return bench_zcs_fail("zcs_import_requirements_get", status);
    /* The application allocates by the rule it asked for, so the import is zero-copy. */
    size_t multiple = rules.size_multiple > sizeof(zcs_particle) ? rules.size_multiple : 1;
    s->host_size = (count * sizeof(zcs_particle) + multiple - 1) / multiple * multiple;
    size_t alignment = rules.alignment > 64 ? rules.alignment : 64;
    s->host = aligned_alloc(alignment, (s->host_size + alignment - 1) / alignment * alignment);
    if (s->host == NULL) {
        fprintf(stderr, "zcs-bench: %s: out of host memory\n", mode->name);
        return -1;
    }
    /* Elements to cover the rounded size: the kernel gets the real count. */
    size_t elements = s->copy ? count : s->host_size / sizeof(zcs_particle);
    if (!s->copy && s->host_size % sizeof(zcs_particle) != 0) {
        /* The size multiple is not a multiple of the particle: import bytes instead. */
        status = zcs_array_import_host(s->context, s->host, 1, s->host_size,
                                       ZCS_ARRAY_REQUIRE_ZERO_COPY, &s->buffer);
    } else if (!s->copy) {
        status = zcs_array_import_host(s->context, s->host, sizeof(zcs_particle), elements,
                                       ZCS_ARRAY_REQUIRE_ZERO_COPY, &s->buffer);
    } else {
        status = ZCS_ARRAY_CREATE(s->context, zcs_particle, count, 0, &s->buffer);
    }
    if (status != ZCS_SUCCESS)
        return bench_zcs_fail(s->copy ? "zcs_array_create" : "zcs_array_import_host", status);
    uint32_t n = (uint32_t)count;
    if ((status = zcs_kernel_set_array(s->kernel, 0, s->buffer)) != ZCS_SUCCESS ||
        (status = zcs_kernel_set_value(s->kernel, 1, sizeof n, &n)) != ZCS_SUCCESS)
        return bench_zcs_fail("zcs_kernel_set_*", status);
    s->count = count;
    s->copied_at_setup = bench_zcs_copied(s->context);
    return 0;
}

/* The frame: the CPU writes the application's array, a kernel advances it, the CPU reads
   it back. import maps the imported array (its pointers are the application's memory);
   import-copy copies the application's array into zcs's and back. */
static int bench_import_frame(bench_mode *mode, uint32_t frame, uint64_t *checksum)
{
    bench_import_state *s = mode->state;
    size_t bytes = s->count * sizeof(zcs_particle);
    zcs_particle *p = NULL;
    zcs_status status = ZCS_SUCCESS;
    if (s->copy) {
        bench_write(s->host, s->count, frame);
        if ((status = zcs_array_map(s->buffer, ZCS_MAP_WRITE_DISCARD, (void **)&p)) != ZCS_SUCCESS)
            return bench_zcs_fail("zcs_array_map(WRITE_DISCARD)", status);
        memcpy(p, s->host, bytes);
    } else {
        if ((status = zcs_array_map_range(s->buffer, ZCS_MAP_WRITE_DISCARD, 0,
                                          zcs_array_count(s->buffer), (void **)&p)) != ZCS_SUCCESS)
            return bench_zcs_fail("zcs_array_map(WRITE_DISCARD)", status);
        bench_write(p, s->count, frame);
    }
    if ((status = zcs_array_unmap(s->buffer)) != ZCS_SUCCESS)
        return bench_zcs_fail("zcs_array_unmap", status);
    size_t global = s->count;
    if ((status = zcs_dispatch(s->kernel, 1, &global, NULL)) != ZCS_SUCCESS)
        return bench_zcs_fail("zcs_dispatch", status);
    if ((status = zcs_array_map(s->buffer, ZCS_MAP_READ, (void **)&p)) != ZCS_SUCCESS)
        return bench_zcs_fail("zcs_array_map(READ)", status);
    if (s->copy)
        memcpy(s->host, p, bytes);
    *checksum = bench_checksum(s->copy ? s->host : p, s->count);
    if ((status = zcs_array_unmap(s->buffer)) != ZCS_SUCCESS)
        return bench_zcs_fail("zcs_array_unmap", status);
    return 0;
}

static int64_t bench_import_bytes_copied(bench_mode *mode)
{
    bench_import_state *s = mode->state;
    return (int64_t)(bench_zcs_copied(s->context) - s->copied_at_setup);
}

static int bench_import_teardown(bench_mode *mode, uint32_t frames_run)
{
    (void)frames_run;
    bench_import_state *s = mode->state;
    zcs_status status = zcs_array_destroy(s->buffer);
    s->buffer = NULL;
    free(s->host); /* only once zcs let go of it */
    s->host = NULL;
    return status == ZCS_SUCCESS ? 0 : bench_zcs_fail("zcs_array_destroy", status);
}

static void bench_import_destroy(bench_mode *mode)
{
    bench_import_state *s = mode->state;
    if (s == NULL)
        return;
    zcs_kernel_destroy(s->kernel);
    zcs_program_destroy(s->program);
    zcs_context_destroy(s->context);
    free(s);
    mode->state = NULL;
}

static void bench_import_mode_init(bench_mode *mode, const bench_config *config, int copy)
{
    memset(mode, 0, sizeof *mode);
    snprintf(mode->name, sizeof mode->name, "%s", copy ? "import-copy" : "import");
    mode->group = "import";
    mode->what = copy ? "the application's array copied into a zcs array and back every frame"
                      : "the application's array imported once (zero-copy) and used in place";
    mode->verify = BENCH_VERIFY_AFTER_STEP;
    mode->arrays = copy ? 2 : 1;
    mode->tier = ZCS_TIER_AUTO;
    mode->setup = bench_import_setup;
    mode->frame = bench_import_frame;
    mode->teardown = bench_import_teardown;
    mode->bytes_copied = bench_import_bytes_copied;
    mode->destroy = bench_import_destroy;
    bench_import_state *s = calloc(1, sizeof *s);
    if (s == NULL) {
        snprintf(mode->skip_reason, sizeof mode->skip_reason, "out of memory");
        return;
    }
    s->copy = copy;
    mode->state = s;
    zcs_status status = bench_zcs_new_context(config, ZCS_TIER_AUTO, &s->context);
    if (status != ZCS_SUCCESS) {
        snprintf(mode->skip_reason, sizeof mode->skip_reason, "%s: %s", zcs_status_name(status),
                 zcs_last_error());
        return;
    }
    if (bench_zcs_kernel(s->context, &s->program, &s->kernel) != 0) {
        snprintf(mode->skip_reason, sizeof mode->skip_reason, "particles_advance: %s",
                 zcs_last_error());
        return;
    }
    mode->available = 1;
}

int bench_import_modes(const bench_config *config, bench_mode *modes, int max_modes)
{
    int n = 0;
    for (int copy = 0; copy <= 1 && n < max_modes; copy++)
        bench_import_mode_init(&modes[n++], config, copy);
    return n;
}
