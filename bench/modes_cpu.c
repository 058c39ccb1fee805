/* The floors without a device: the CPU's share of the frame, the whole frame on the
   CPU, and memcpy of the same size (the memory's own limit). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

typedef struct bench_cpu_state {
    zcs_particle *particles;
    zcs_particle *copy;
    size_t count;
} bench_cpu_state;

static int bench_cpu_setup(bench_mode *mode, size_t count)
{
    bench_cpu_state *s = mode->state;
    s->count = count;
    s->particles = bench_aligned_alloc(count * sizeof(zcs_particle));
    if (s->particles == NULL) {
        fprintf(stderr, "zcs-bench: %s: out of host memory\n", mode->name);
        return -1;
    }
    return 0;
}

/* cpu: what the CPU does in a frame (write every struct, read every struct), no device. */
static int bench_cpu_frame(bench_mode *mode, uint32_t frame, uint64_t *checksum)
{
    bench_cpu_state *s = mode->state;
    bench_write(s->particles, s->count, frame);
    *checksum = bench_checksum(s->particles, s->count);
    return 0;
}

/* cpu-step: the whole frame on the CPU, the kernel's step included. */
static int bench_cpu_step_frame(bench_mode *mode, uint32_t frame, uint64_t *checksum)
{
    bench_cpu_state *s = mode->state;
    bench_write(s->particles, s->count, frame);
    bench_step(s->particles, s->count);
    *checksum = bench_checksum(s->particles, s->count);
    return 0;
}

static int bench_memcpy_setup(bench_mode *mode, size_t count)
{
    bench_cpu_state *s = mode->state;
    if (bench_cpu_setup(mode, count) != 0)
        return -1;
    s->copy = bench_aligned_alloc(count * sizeof(zcs_particle));
    if (s->copy == NULL) {
        fprintf(stderr, "zcs-bench: %s: out of host memory\n", mode->name);
        return -1;
    }
    bench_write(s->particles, count, 0);
    return 0;
}

/* memcpy: one copy of the array per frame, the unit a copy-based frame pays twice. */
static int bench_memcpy_frame(bench_mode *mode, uint32_t frame, uint64_t *checksum)
{
    (void)frame;
    bench_cpu_state *s = mode->state;
    memcpy(s->copy, s->particles, s->count * sizeof(zcs_particle));
    *checksum = 0;
    return 0;
}

static int bench_cpu_teardown(bench_mode *mode, uint32_t frames_run)
{
    (void)frames_run;
    bench_cpu_state *s = mode->state;
    int rc = 0;
    if (s->copy != NULL && memcmp(s->copy, s->particles, s->count * sizeof(zcs_particle)) != 0) {
        fprintf(stderr, "zcs-bench: memcpy: the copy differs from its source\n");
        rc = 1;
    }
    bench_aligned_free(s->particles);
    bench_aligned_free(s->copy);
    s->particles = NULL;
    s->copy = NULL;
    return rc;
}

static void bench_cpu_destroy(bench_mode *mode)
{
    free(mode->state);
    mode->state = NULL;
}

static void bench_cpu_mode_init(bench_mode *mode, const char *name, const char *group,
                                const char *what, bench_verify verify,
                                int (*setup)(bench_mode *, size_t),
                                int (*frame)(bench_mode *, uint32_t, uint64_t *))
{
    memset(mode, 0, sizeof *mode);
    snprintf(mode->name, sizeof mode->name, "%s", name);
    mode->group = group;
    mode->what = what;
    mode->verify = verify;
    mode->arrays = setup == bench_memcpy_setup ? 2 : 1;
    mode->setup = setup;
    mode->frame = frame;
    mode->teardown = bench_cpu_teardown;
    mode->destroy = bench_cpu_destroy;
    mode->state = calloc(1, sizeof(bench_cpu_state));
    mode->available = mode->state != NULL;
    if (!mode->available)
        snprintf(mode->skip_reason, sizeof mode->skip_reason, "out of memory");
}

int bench_cpu_modes(bench_mode *modes, int max_modes)
{
    int n = 0;
    if (n < max_modes)
        bench_cpu_mode_init(&modes[n++], "cpu", "floor",
                            "the CPU's share alone: write every struct, read every struct",
                            BENCH_VERIFY_BEFORE_STEP, bench_cpu_setup, bench_cpu_frame);
    if (n < max_modes)
        bench_cpu_mode_init(&modes[n++], "cpu-step", "cpu",
                            "the whole frame on the CPU, the step included (no device)",
                            BENCH_VERIFY_AFTER_STEP, bench_cpu_setup, bench_cpu_step_frame);
    if (n < max_modes)
        bench_cpu_mode_init(&modes[n++], "memcpy", "memcpy",
                            "memcpy of the array once: the memory's own limit", BENCH_VERIFY_AT_END,
                            bench_memcpy_setup, bench_memcpy_frame);
    return n;
}
