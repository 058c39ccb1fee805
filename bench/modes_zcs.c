/* The zcs modes: the frame written with the zcs API on each tier and on its automatic
   choice, and the zcs side of the map+unmap and dispatch micro-benchmarks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"

/* One context per tier (index ZCS_TIER_AUTO for the automatic choice), made once. */
static zcs_context *bench_zcs_contexts[ZCS_TIER_COUNT];

int bench_zcs_fail(const char *what, zcs_status status)
{
    fprintf(stderr, "zcs-bench: %s: %s: %s\n", what, zcs_status_name(status), zcs_last_error());
    return -1;
}

zcs_status bench_zcs_new_context(const bench_config *config, zcs_tier tier,
                                 zcs_context **out_context)
{
    if (!config->own_devices)
        return bench_device_attach(tier, config->wait, out_context);
    zcs_context_desc desc = {0};
    desc.device_name = config->device;
    desc.tier = tier;
    desc.wait = config->wait;
    /* The run chooses its tiers and waits itself: ZCS_TIER must not turn zcs-auto into
       another. */
    desc.flags = ZCS_CONTEXT_IGNORE_ENVIRONMENT;
    return zcs_context_create(&desc, out_context);
}

static zcs_status bench_zcs_context(const bench_config *config, zcs_tier tier,
                                    zcs_context **out_context)
{
    if (bench_zcs_contexts[tier] == NULL) {
        zcs_status status = bench_zcs_new_context(config, tier, &bench_zcs_contexts[tier]);
        if (status != ZCS_SUCCESS)
            return status;
    }
    *out_context = bench_zcs_contexts[tier];
    return ZCS_SUCCESS;
}

void bench_zcs_release(void)
{
    for (int t = 0; t < ZCS_TIER_COUNT; t++) {
        zcs_context_destroy(bench_zcs_contexts[t]);
        bench_zcs_contexts[t] = NULL;
    }
}

/* A kernel object for particles_advance on `context`, its scalar arguments set. */
int bench_zcs_kernel(zcs_context *context, zcs_program **out_program, zcs_kernel **out_kernel)
{
    zcs_status status = zcs_program_create_builtin(context, "particles_advance", out_program);
    if (status != ZCS_SUCCESS)
        return bench_zcs_fail("zcs_program_create_builtin(particles_advance)", status);
    status = zcs_kernel_create(*out_program, "particles_advance", out_kernel);
    if (status != ZCS_SUCCESS)
        return bench_zcs_fail("zcs_kernel_create", status);
    float dt = BENCH_DT;
    float gravity = BENCH_GRAVITY;
    if ((status = zcs_kernel_set_value(*out_kernel, 2, sizeof dt, &dt)) != ZCS_SUCCESS ||
        (status = zcs_kernel_set_value(*out_kernel, 3, sizeof gravity, &gravity)) != ZCS_SUCCESS)
        return bench_zcs_fail("zcs_kernel_set_value", status);
    return 0;
}

typedef struct bench_zcs_state {
    zcs_context *context;
    zcs_program *program;
    zcs_kernel *kernel;
    zcs_array *buffer;
    size_t count;
    uint64_t copied_at_setup;
} bench_zcs_state;

uint64_t bench_zcs_copied(zcs_context *context)
{
    zcs_stats stats;
    if (zcs_stats_get(context, &stats) != ZCS_SUCCESS)
        return 0;
    return stats.bytes_copied;
}

static int bench_zcs_setup(bench_mode *mode, size_t count)
{
    bench_zcs_state *s = mode->state;
    zcs_status status = ZCS_ARRAY_CREATE(s->context, zcs_particle, count, 0, &s->buffer);
    if (status != ZCS_SUCCESS)
        return bench_zcs_fail("zcs_array_create", status);
    uint32_t n = (uint32_t)count;
    if ((status = zcs_kernel_set_array(s->kernel, 0, s->buffer)) != ZCS_SUCCESS ||
        (status = zcs_kernel_set_value(s->kernel, 1, sizeof n, &n)) != ZCS_SUCCESS)
        return bench_zcs_fail("zcs_kernel_set_*", status);
    s->count = count;
    s->copied_at_setup = bench_zcs_copied(s->context);
    return 0;
}

/* The frame as an application writes it with zcs. */
static int bench_zcs_frame(bench_mode *mode, uint32_t frame, uint64_t *checksum)
{
    bench_zcs_state *s = mode->state;
    zcs_particle *p = NULL;
    zcs_status status = zcs_array_map(s->buffer, ZCS_MAP_WRITE_DISCARD, (void **)&p);
    if (status != ZCS_SUCCESS)
        return bench_zcs_fail("zcs_array_map(WRITE_DISCARD)", status);
    bench_write(p, s->count, frame);
    if ((status = zcs_array_unmap(s->buffer)) != ZCS_SUCCESS)
        return bench_zcs_fail("zcs_array_unmap", status);
    size_t global = s->count;
    if ((status = zcs_dispatch(s->kernel, 1, &global, NULL)) != ZCS_SUCCESS)
        return bench_zcs_fail("zcs_dispatch", status);
    if ((status = zcs_array_map(s->buffer, ZCS_MAP_READ, (void **)&p)) != ZCS_SUCCESS)
        return bench_zcs_fail("zcs_array_map(READ)", status);
    *checksum = bench_checksum(p, s->count);
    if ((status = zcs_array_unmap(s->buffer)) != ZCS_SUCCESS)
        return bench_zcs_fail("zcs_array_unmap", status);
    return 0;
}

static int64_t bench_zcs_bytes_copied(bench_mode *mode)
{
    bench_zcs_state *s = mode->state;
    return (int64_t)(bench_zcs_copied(s->context) - s->copied_at_setup);
}

static int bench_zcs_teardown(bench_mode *mode, uint32_t frames_run)
{
    (void)frames_run;
    bench_zcs_state *s = mode->state;
    zcs_status status = zcs_array_destroy(s->buffer);
    s->buffer = NULL;
    return status == ZCS_SUCCESS ? 0 : bench_zcs_fail("zcs_array_destroy", status);
}

static void bench_zcs_destroy(bench_mode *mode)
{
    bench_zcs_state *s = mode->state;
    if (s == NULL)
        return;
    zcs_kernel_destroy(s->kernel);
    zcs_program_destroy(s->program);
    free(s);
    mode->state = NULL;
}

/* The tiers each backend has, in zcs's order of preference. */
static int bench_backend_tiers(zcs_backend backend, zcs_tier *tiers)
{
    if (backend == ZCS_BACKEND_VULKAN) {
        tiers[0] = ZCS_TIER_VULKAN_MAPPED;
        tiers[1] = ZCS_TIER_STAGED;
        return 2;
    }
    tiers[0] = ZCS_TIER_SVM_FINE;
    tiers[1] = ZCS_TIER_SVM_COARSE;
    tiers[2] = ZCS_TIER_HOST_PTR;
    tiers[3] = ZCS_TIER_STAGED;
    return 4;
}

static int bench_tier_selected(zcs_tier tier, const zcs_tier *tiers, int tier_count)
{
    if (tier_count == 0)
        return 1;
    for (int i = 0; i < tier_count; i++)
        if (tiers[i] == tier)
            return 1;
    return 0;
}

static void bench_zcs_mode_init(bench_mode *mode, const bench_config *config, zcs_tier tier)
{
    memset(mode, 0, sizeof *mode);
    snprintf(mode->name, sizeof mode->name, "zcs-%s", zcs_tier_name(tier));
    mode->group = "zcs";
    mode->what =
        tier == ZCS_TIER_AUTO ? "zcs on the tier it chooses itself" : "zcs with the tier forced";
    mode->verify = BENCH_VERIFY_AFTER_STEP;
    mode->arrays = 1;
    mode->tier = tier;
    mode->setup = bench_zcs_setup;
    mode->frame = bench_zcs_frame;
    mode->teardown = bench_zcs_teardown;
    mode->bytes_copied = bench_zcs_bytes_copied;
    mode->destroy = bench_zcs_destroy;

    zcs_context *context = NULL;
    zcs_status status = bench_zcs_context(config, tier, &context);
    if (status != ZCS_SUCCESS) {
        snprintf(mode->skip_reason, sizeof mode->skip_reason, "%s: %s", zcs_status_name(status),
                 zcs_last_error());
        return;
    }
    bench_zcs_state *s = calloc(1, sizeof *s);
    if (s == NULL) {
        snprintf(mode->skip_reason, sizeof mode->skip_reason, "out of memory");
        return;
    }
    s->context = context;
    mode->state = s;
    if (bench_zcs_kernel(context, &s->program, &s->kernel) != 0) {
        snprintf(mode->skip_reason, sizeof mode->skip_reason, "particles_advance: %s",
                 zcs_last_error());
        return;
    }
    mode->available = 1;
}

/*
 * zcs-pipelined: double buffering, the way an application overlaps CPU and GPU with zcs.
 * Two arrays alternate: in frame f the CPU writes array f % 2 and dispatches the kernel on
 * it, then maps the other array, whose kernel (frame f - 1) ran meanwhile, and reads it
 * back. A map waits only for the dispatches that use its array, so the CPU's work of one
 * frame overlaps the kernel of the previous one, and a frame costs max(CPU, kernel) at
 * best instead of their sum (the floor the report sets beside it). The checksum a frame
 * reads is the previous frame's, so the mode checks each against the expected value itself
 * and reports at the end (BENCH_VERIFY_AT_END).
 */
typedef struct bench_pipelined_state {
    zcs_context *context;
    zcs_program *program;
    zcs_kernel *kernels[2]; /* one per array: its argument stays set */
    zcs_array *arrays[2];
    size_t count;
    uint32_t pending_frame; /* frame whose kernel runs on arrays[pending_frame % 2] */
    int pending;            /* whether that frame is still to be read back */
    /* The checksum each frame read back, by frame number, checked at teardown: the
       expected values cost as much CPU as the frame itself, so never inside one. */
    uint64_t *got;
    uint32_t got_capacity;
    uint64_t copied_at_setup;
} bench_pipelined_state;

static int bench_pipelined_setup(bench_mode *mode, size_t count)
{
    bench_pipelined_state *s = mode->state;
    uint32_t n = (uint32_t)count;
    for (int i = 0; i < 2; i++) {
        zcs_status status = ZCS_ARRAY_CREATE(s->context, zcs_particle, count, 0, &s->arrays[i]);
        if (status != ZCS_SUCCESS)
            return bench_zcs_fail("zcs_array_create", status);
        if ((status = zcs_kernel_set_array(s->kernels[i], 0, s->arrays[i])) != ZCS_SUCCESS ||
            (status = zcs_kernel_set_value(s->kernels[i], 1, sizeof n, &n)) != ZCS_SUCCESS)
            return bench_zcs_fail("zcs_kernel_set_*", status);
    }
    s->count = count;
    s->pending = 0;
    free(s->got);
    s->got = NULL;
    s->got_capacity = 0;
    s->copied_at_setup = bench_zcs_copied(s->context);
    return 0;
}

/* Read back the frame whose kernel ran on its array, and check its checksum. */
static int bench_pipelined_drain(bench_pipelined_state *s)
{
    if (!s->pending)
        return 0;
    zcs_array *array = s->arrays[s->pending_frame % 2];
    zcs_particle *p = NULL;
    zcs_status status = zcs_array_map(array, ZCS_MAP_READ, (void **)&p);
    if (status != ZCS_SUCCESS)
        return bench_zcs_fail("zcs_array_map(READ)", status);
    uint64_t got = bench_checksum(p, s->count);
    if ((status = zcs_array_unmap(array)) != ZCS_SUCCESS)
        return bench_zcs_fail("zcs_array_unmap", status);
    if (s->pending_frame >= s->got_capacity) {
        uint32_t grown = s->got_capacity == 0 ? 256 : s->got_capacity * 2;
        while (grown <= s->pending_frame)
            grown *= 2;
        uint64_t *bigger = realloc(s->got, grown * sizeof *bigger);
        if (bigger == NULL) {
            fprintf(stderr, "zcs-pipelined: out of memory for checksums\n");
            return -1;
        }
        memset(bigger + s->got_capacity, 0, (grown - s->got_capacity) * sizeof *bigger);
        s->got = bigger;
        s->got_capacity = grown;
    }
    s->got[s->pending_frame] = got;
    s->pending = 0;
    return 0;
}

static int bench_pipelined_frame(bench_mode *mode, uint32_t frame, uint64_t *checksum)
{
    bench_pipelined_state *s = mode->state;
    zcs_array *array = s->arrays[frame % 2];
    zcs_particle *p = NULL;
    /* This array's previous kernel (two frames ago) was read back in the last frame. */
    zcs_status status = zcs_array_map(array, ZCS_MAP_WRITE_DISCARD, (void **)&p);
    if (status != ZCS_SUCCESS)
        return bench_zcs_fail("zcs_array_map(WRITE_DISCARD)", status);
    bench_write(p, s->count, frame);
    if ((status = zcs_array_unmap(array)) != ZCS_SUCCESS)
        return bench_zcs_fail("zcs_array_unmap", status);
    size_t global = s->count;
    if ((status = zcs_dispatch(s->kernels[frame % 2], 1, &global, NULL)) != ZCS_SUCCESS)
        return bench_zcs_fail("zcs_dispatch", status);
    /* While that kernel runs, read the previous frame back from the other array. */
    if (bench_pipelined_drain(s) != 0)
        return -1;
    s->pending_frame = frame;
    s->pending = 1;
    *checksum = 0;
    return 0;
}

static int64_t bench_pipelined_bytes_copied(bench_mode *mode)
{
    bench_pipelined_state *s = mode->state;
    return (int64_t)(bench_zcs_copied(s->context) - s->copied_at_setup);
}

static int bench_pipelined_teardown(bench_mode *mode, uint32_t frames_run)
{
    bench_pipelined_state *s = mode->state;
    int failed = bench_pipelined_drain(s) != 0;
    for (int i = 0; i < 2; i++) {
        zcs_status status = zcs_array_destroy(s->arrays[i]);
        s->arrays[i] = NULL;
        if (status != ZCS_SUCCESS)
            failed |= bench_zcs_fail("zcs_array_destroy", status) != 0;
    }
    uint32_t wrong = 0;
    for (uint32_t f = 0; f < frames_run && !failed; f++) {
        uint64_t before = 0;
        uint64_t after = 0;
        bench_expected(s->count, f, &before, &after);
        wrong += f >= s->got_capacity || s->got[f] != after;
    }
    free(s->got);
    s->got = NULL;
    s->got_capacity = 0;
    if (wrong > 0)
        fprintf(stderr, "zcs-pipelined: %u of %u frame(s) read back a wrong checksum\n", wrong,
                frames_run);
    return failed || wrong > 0 ? -1 : 0;
}

static void bench_pipelined_destroy(bench_mode *mode)
{
    bench_pipelined_state *s = mode->state;
    if (s == NULL)
        return;
    for (int i = 0; i < 2; i++)
        zcs_kernel_destroy(s->kernels[i]);
    zcs_program_destroy(s->program);
    free(s->got);
    zcs_context_destroy(s->context);
    free(s);
    mode->state = NULL;
}

/* zcs-pipelined: added by bench_zcs_modes after zcs-auto. Returns the number added. */
static int bench_pipelined_modes(const bench_config *config, bench_mode *modes, int max_modes)
{
    if (max_modes < 1)
        return 0;
    bench_mode *mode = &modes[0];
    memset(mode, 0, sizeof *mode);
    snprintf(mode->name, sizeof mode->name, "zcs-pipelined");
    mode->group = "zcs";
    mode->what = "zcs, two arrays alternating: the CPU writes and reads one while a kernel "
                 "runs on the other";
    mode->verify = BENCH_VERIFY_AT_END;
    mode->arrays = 2;
    mode->tier = ZCS_TIER_AUTO;
    mode->setup = bench_pipelined_setup;
    mode->frame = bench_pipelined_frame;
    mode->teardown = bench_pipelined_teardown;
    mode->bytes_copied = bench_pipelined_bytes_copied;
    mode->destroy = bench_pipelined_destroy;

    bench_pipelined_state *s = calloc(1, sizeof *s);
    if (s == NULL) {
        snprintf(mode->skip_reason, sizeof mode->skip_reason, "out of memory");
        return 1;
    }
    mode->state = s;
    /* A context of its own (the automatic tier): modes may run frame by frame in turn,
       and each counts the bytes its own context copied. */
    zcs_status status = bench_zcs_new_context(config, ZCS_TIER_AUTO, &s->context);
    if (status != ZCS_SUCCESS) {
        snprintf(mode->skip_reason, sizeof mode->skip_reason, "%s: %s", zcs_status_name(status),
                 zcs_last_error());
        return 1;
    }
    zcs_program *second = NULL;
    if (bench_zcs_kernel(s->context, &s->program, &s->kernels[0]) != 0 ||
        bench_zcs_kernel(s->context, &second, &s->kernels[1]) != 0) {
        zcs_program_destroy(second);
        snprintf(mode->skip_reason, sizeof mode->skip_reason, "particles_advance: %s",
                 zcs_last_error());
        return 1;
    }
    zcs_program_destroy(second); /* its kernel keeps what it needs */
    mode->available = 1;
    return 1;
}

int bench_probe_device(const bench_config *config, bench_device *device)
{
    bench_config own = *config;
    own.own_devices = 1;
    zcs_context *context = NULL;
    zcs_status status = bench_zcs_new_context(&own, ZCS_TIER_AUTO, &context);
    if (status != ZCS_SUCCESS)
        return bench_zcs_fail("zcs_context_create", status);
    memset(device, 0, sizeof *device);
    status = zcs_context_info_get(context, &device->info);
    if (status == ZCS_SUCCESS) {
        bench_device_identify(context, device);
        /* The info's strings belong to the context, which goes now. */
        snprintf(device->device_name, sizeof device->device_name, "%s", device->info.device_name);
        snprintf(device->platform_name, sizeof device->platform_name, "%s",
                 device->info.platform_name);
        device->info.device_name = device->device_name;
        device->info.platform_name = device->platform_name;
        device->info.backend_name = NULL;
        device->info.tier_reason = NULL;
        device->info.wait_reason = NULL;
    }
    zcs_context_destroy(context);
    if (status != ZCS_SUCCESS)
        return bench_zcs_fail("zcs_context_info_get", status);
    return 0;
}

int bench_zcs_modes(const bench_config *config, const zcs_tier *tiers, int tier_count,
                    bench_device *device, bench_mode *modes, int max_modes)
{
    zcs_context *context = NULL;
    zcs_status status = bench_zcs_context(config, ZCS_TIER_AUTO, &context);
    if (status != ZCS_SUCCESS)
        return bench_zcs_fail("zcs_context_create", status);
    memset(device, 0, sizeof *device);
    if ((status = zcs_context_info_get(context, &device->info)) != ZCS_SUCCESS)
        return bench_zcs_fail("zcs_context_info_get", status);

    zcs_tier all[ZCS_TIER_COUNT];
    int all_count = bench_backend_tiers(device->info.backend, all);
    int n = 0;
    if (n < max_modes)
        bench_zcs_mode_init(&modes[n++], config, ZCS_TIER_AUTO);
    n += bench_pipelined_modes(config, modes + n, max_modes - n);
    for (int i = 0; i < all_count && n < max_modes; i++) {
        if (!bench_tier_selected(all[i], tiers, tier_count))
            continue;
        bench_zcs_mode_init(&modes[n], config, all[i]);
        if (modes[n].available)
            device->tiers[device->tier_count++] = all[i];
        n++;
    }
    return n;
}

int bench_zcs_map_cycle(const bench_config *config, zcs_tier tier, size_t size, uint32_t iterations,
                        bench_map_result *out)
{
    memset(out, 0, sizeof *out);
    out->tier = tier;
    out->size = size;
    zcs_context *context = NULL;
    zcs_status status = bench_zcs_context(config, tier, &context);
    if (status != ZCS_SUCCESS)
        return bench_zcs_fail("zcs_context_create", status);
    zcs_array *buffer = NULL;
    if ((status = zcs_array_create(context, 1, size, 0, &buffer)) != ZCS_SUCCESS)
        return bench_zcs_fail("zcs_array_create", status);
    uint64_t *samples = calloc(iterations, sizeof *samples);
    uint64_t copied = 0;
    int rc = samples == NULL ? -1 : 0;
    /* One untimed cycle first; then the cycle a frame makes: map to write, unmap, map to
       read, unmap. Nothing touches the memory: this times map and unmap alone. */
    for (uint32_t i = 0; rc == 0 && i <= iterations; i++) {
        if (i == 1)
            copied = bench_zcs_copied(context);
        void *ptr = NULL;
        uint64_t t0 = bench_now_ns();
        if ((status = zcs_array_map(buffer, ZCS_MAP_WRITE_DISCARD, &ptr)) != ZCS_SUCCESS ||
            (status = zcs_array_unmap(buffer)) != ZCS_SUCCESS ||
            (status = zcs_array_map(buffer, ZCS_MAP_READ, &ptr)) != ZCS_SUCCESS ||
            (status = zcs_array_unmap(buffer)) != ZCS_SUCCESS)
            rc = bench_zcs_fail("zcs_array_map/zcs_array_unmap", status);
        uint64_t t1 = bench_now_ns();
        if (i > 0)
            samples[i - 1] = t1 - t0;
    }
    if (rc == 0) {
        out->time = bench_summarise(samples, iterations);
        out->bytes_copied_per_cycle =
            (double)(bench_zcs_copied(context) - copied) / (double)iterations;
        out->ok = 1;
    }
    free(samples);
    zcs_array_destroy(buffer);
    return rc;
}

int bench_zcs_dispatch(const bench_config *config, size_t count, uint32_t iterations,
                       bench_dispatch_result *out)
{
    memset(out, 0, sizeof *out);
    out->api = "zcs";
    zcs_context *context = NULL;
    zcs_status status = bench_zcs_context(config, ZCS_TIER_AUTO, &context);
    if (status != ZCS_SUCCESS)
        return bench_zcs_fail("zcs_context_create", status);
    zcs_context_info info;
    zcs_context_info_get(context, &info);
    out->tier = info.tier;
    zcs_program *program = NULL;
    zcs_kernel *kernel = NULL;
    zcs_array *buffer = NULL;
    bench_dispatch_samples samples;
    int rc = bench_dispatch_samples_init(&samples, iterations);
    if (rc == 0)
        rc = bench_zcs_kernel(context, &program, &kernel);
    if (rc == 0 &&
        (status = ZCS_ARRAY_CREATE(context, zcs_particle, count, 0, &buffer)) != ZCS_SUCCESS)
        rc = bench_zcs_fail("zcs_array_create", status);
    zcs_particle *p = NULL;
    if (rc == 0 &&
        (status = zcs_array_map(buffer, ZCS_MAP_WRITE_DISCARD, (void **)&p)) == ZCS_SUCCESS) {
        bench_write(p, count, 0);
        status = zcs_array_unmap(buffer);
    }
    uint32_t n = (uint32_t)count;
    if (rc == 0 && (status != ZCS_SUCCESS ||
                    (status = zcs_kernel_set_array(kernel, 0, buffer)) != ZCS_SUCCESS ||
                    (status = zcs_kernel_set_value(kernel, 1, sizeof n, &n)) != ZCS_SUCCESS))
        rc = bench_zcs_fail("dispatch setup", status);
    size_t global = count;
    for (uint32_t i = 0; rc == 0 && i < iterations + BENCH_DISPATCH_WARMUP; i++) {
        uint64_t t0 = bench_now_ns();
        status = zcs_dispatch(kernel, 1, &global, NULL);
        uint64_t t1 = bench_now_ns();
        if (status == ZCS_SUCCESS)
            status = zcs_finish(context);
        uint64_t t2 = bench_now_ns();
        if (status != ZCS_SUCCESS)
            rc = bench_zcs_fail("zcs_dispatch/zcs_finish", status);
        else
            bench_dispatch_samples_add(&samples, i, t0, t1, t2);
    }
    bench_dispatch_samples_finish(&samples, rc == 0, out);
    zcs_array_destroy(buffer);
    zcs_kernel_destroy(kernel);
    zcs_program_destroy(program);
    return rc;
}
