/*
 * zcs-bench: zero-copy against copy-based transfers of an array of structs.
 *
 * The workload, per frame: the CPU writes every particle (include/zcs/particle.h, 48
 * bytes), a kernel (particles_advance) advances every particle one step, the CPU
 * reads every particle back into a checksum that must equal the value computed
 * ahead for that frame. Every mode runs the same frames and the same checksum.
 *
 * Internal header shared by the benchmark's files; nothing here is public API.
 */
#ifndef ZCS_BENCH_H
#define ZCS_BENCH_H

#include <stddef.h>
#include <stdint.h>

#include <zcs/zcs.h>

#include <zcs/particle.h>

/* The step's constants: powers of two and short mantissas, so one step is exact in
   float on every device (fused multiply-add or not) and checksums compare bit for bit. */
#define BENCH_DT      (1.0f / 64.0f)
#define BENCH_GRAVITY (-9.75f)

/* ------------------------------------------------------------------------ */
/* The workload (workload.c)                                                 */
/* ------------------------------------------------------------------------ */

/* The CPU writes every particle of frame `frame` (a pattern of the index and frame). */
void bench_write(zcs_particle *particles, size_t count, uint32_t frame);

/* The CPU reads every particle into a checksum (id, bounces, position, velocity, age). */
uint64_t bench_checksum(const zcs_particle *particles, size_t count);

/* The step particles_advance applies, on the CPU, for every particle. */
void bench_step(zcs_particle *particles, size_t count);

/* Checksums of frame `frame` before the step (*before) and after it (*after),
   computed particle by particle without touching an array. */
void bench_expected(size_t count, uint32_t frame, uint64_t *before, uint64_t *after);

/* Particles of frame 0 advanced `steps` times by a kernel, against the CPU's reference
   (within 1e-4 relative: many steps need not be exact). Returns the number that differ. */
size_t bench_verify_resident(const zcs_particle *got, size_t count, uint32_t steps);

/* The source of kernels/particles_advance.cl, embedded at configure time (OpenCL builds). */
extern const char bench_particles_advance_source[];

/* Aligned allocation of host memory (64-byte aligned); NULL on failure. */
void *bench_aligned_alloc(size_t size);
void bench_aligned_free(void *ptr);

/* ------------------------------------------------------------------------ */
/* Timing (timing.c)                                                         */
/* ------------------------------------------------------------------------ */

/* Monotonic clock in nanoseconds. */
uint64_t bench_now_ns(void);

typedef struct bench_summary {
    double median_ns;
    double min_ns;
    double max_ns;
    /* (max - min) / median, in percent. */
    double spread_pct;
    uint32_t samples;
} bench_summary;

/* Summarise `n` samples (sorts them in place). */
bench_summary bench_summarise(uint64_t *samples, uint32_t n);

/* ------------------------------------------------------------------------ */
/* Modes                                                                     */
/* ------------------------------------------------------------------------ */

/* What a frame's checksum must equal. */
typedef enum bench_verify {
    /* The checksum after the kernel's step (the frame's workload). */
    BENCH_VERIFY_AFTER_STEP = 0,
    /* The checksum of the written particles (the CPU's share of the frame, no step). */
    BENCH_VERIFY_BEFORE_STEP = 1,
    /* Frames return no checksum; the mode checks its result when it ends. */
    BENCH_VERIFY_AT_END = 2,
} bench_verify;

typedef struct bench_mode bench_mode;

/*
 * One way to run a frame. setup allocates for `count` particles, frame runs frame
 * `frame` and returns the checksum the CPU read, teardown frees (and for
 * BENCH_VERIFY_AT_END modes returns whether the result was right: 0 right).
 * Every function returns 0 on success and prints the reason otherwise.
 */
struct bench_mode {
    char name[32];
    /* "copy", "zcs", "import", "raw", "floor", "memcpy": how the report groups and colours
       it. */
    const char *group;
    /* One line on what the mode does, for --help and the docs. */
    const char *what;
    bench_verify verify;
    /* How many arrays of the benchmarked size the mode holds while set up. */
    int arrays;
    /* The zcs tier (zcs and raw modes), ZCS_TIER_AUTO otherwise. */
    zcs_tier tier;
    int (*setup)(bench_mode *mode, size_t count);
    int (*frame)(bench_mode *mode, uint32_t frame, uint64_t *checksum);
    int (*teardown)(bench_mode *mode, uint32_t frames_run);
    /* Bytes the zcs runtime copied during the timed frames (zcs modes), or -1. */
    int64_t (*bytes_copied)(bench_mode *mode);
    void (*destroy)(bench_mode *mode);
    void *state;
    /* Whether the mode could start (0: skipped, with `skip_reason`). */
    int available;
    char skip_reason[160];
};

/* Up to this many modes in one run. */
#define BENCH_MAX_MODES 24

/* Options the modes need. */
typedef struct bench_config {
    /* Device filter passed to zcs and matched by the raw-API modes (NULL: automatic). */
    const char *device;
    /* 1: every zcs mode makes a device of its own (zcs_context_create) instead of attaching
       to the run's device (--own-devices). */
    int own_devices;
    /* How the zcs modes' waits wait (--wait; ZCS_WAIT_AUTO: zcs's choice). */
    zcs_wait wait;
} bench_config;

/* The device the run is on, from the zcs automatic context. */
typedef struct bench_device {
    zcs_context_info info;
    /* The names bench_probe_device read, which info's point to until bench_zcs_modes
       fills info from a context that lives for the run. */
    char device_name[256];
    char platform_name[256];
    /* The device itself, where the backend can name it (bench_device_identify): the
       cl_device_id, or the Vulkan deviceUUID. Names alone do not tell apart two GPUs of
       one model. */
    void *opencl_device;
    unsigned char vulkan_uuid[16];
    int has_vulkan_uuid;
    /* Tiers the device offers, in zcs's order, and how many. */
    zcs_tier tiers[ZCS_TIER_COUNT];
    int tier_count;
} bench_device;

/*
 * The device zcs chooses (config->device, else zcs's automatic choice), from a zcs context
 * made and destroyed for the purpose: fills device->info (its names copied into *device,
 * its other strings NULL). Returns 0, or -1 (printed).
 */
int bench_probe_device(const bench_config *config, bench_device *device);

/*
 * The run's device (modes_opencl.c, vulkan_harness.c): one OpenCL context or Vulkan device
 * on `device`, made once, which the raw modes use and every zcs context attaches to
 * (zcs_opencl_context_attach without a queue, zcs_vulkan_context_attach), as in an
 * application that has its own. One device per process: on NVIDIA's drivers a second
 * context or device in use slows every wait for the GPU (docs/benchmarks.md), which would
 * fall on some modes and not others. bench_device_open returns 0, or -1 (printed);
 * bench_device_attach makes a zcs context on it with `tier` and `wait` (ZCS_TIER and
 * ZCS_WAIT ignored).
 */
int bench_device_open(const bench_device *device);
zcs_status bench_device_attach(zcs_tier tier, zcs_wait wait, zcs_context **out_context);

/* Fill in device's identity (opencl_device or vulkan_uuid) from the probe context. */
void bench_device_identify(zcs_context *probe, bench_device *device);

/*
 * Create the zcs modes: zcs-auto and zcs-<tier> for every tier in `tiers` (NULL or
 * empty: every tier the backend has). Fills *device from the automatic context.
 * Returns the number of modes added to `modes` (from index 0), or -1 on failure.
 */
int bench_zcs_modes(const bench_config *config, const zcs_tier *tiers, int tier_count,
                    bench_device *device, bench_mode *modes, int max_modes);

/*
 * The raw-API modes of the build's backend: copy (the copy-based baseline),
 * raw-<tier> (the zero-copy tiers written by hand) and kernel (the kernel alone on
 * resident data). Returns the number added, or -1.
 */
int bench_raw_modes(const bench_config *config, const bench_device *device, const zcs_tier *tiers,
                    int tier_count, bench_mode *modes, int max_modes);

/* The floors without a device: cpu, cpu-step and memcpy. Returns the number added. */
int bench_cpu_modes(bench_mode *modes, int max_modes);

/* The import modes (modes_import.c): import (the application's array imported and used
   in place) and import-copy (copied into a zcs array and back each frame). Returns the
   number added. */
int bench_import_modes(const bench_config *config, bench_mode *modes, int max_modes);

/* Shared by the modes built on zcs (modes_zcs.c, modes_import.c): print a failed call's
   status and message and return -1; a new context on the run's device with `tier`
   (ZCS_TIER and the other variables ignored); particles_advance with its step's constants
   set; the bytes a context's runtime copied so far. A mode that reports bytes_copied owns
   its context, since modes may run frame by frame in turn. A new context attaches to the
   run's device unless config->own_devices. */
int bench_zcs_fail(const char *what, zcs_status status);
zcs_status bench_zcs_new_context(const bench_config *config, zcs_tier tier,
                                 zcs_context **out_context);
int bench_zcs_kernel(zcs_context *context, zcs_program **out_program, zcs_kernel **out_kernel);
uint64_t bench_zcs_copied(zcs_context *context);

/* Release what the zcs and raw-API modes keep for the whole run (contexts, queues). */
void bench_zcs_release(void);
void bench_raw_release(void);

/* ------------------------------------------------------------------------ */
/* Micro-benchmarks                                                          */
/* ------------------------------------------------------------------------ */

/* Map+unmap of a whole array on one tier (zcs), per size. */
typedef struct bench_map_result {
    zcs_tier tier;
    size_t size;
    bench_summary time;
    /* zcs_stats.bytes_copied per map+unmap cycle. */
    double bytes_copied_per_cycle;
    int ok;
} bench_map_result;

/*
 * Time `iterations` cycles of map WRITE_DISCARD + unmap + map READ + unmap of a
 * whole array of `size` bytes on `tier`. Returns 0 on success.
 */
int bench_zcs_map_cycle(const bench_config *config, zcs_tier tier, size_t size, uint32_t iterations,
                        bench_map_result *out);

/* Dispatch overhead on a tiny array: enqueue alone, and enqueue + wait. */
typedef struct bench_dispatch_result {
    const char *api; /* "zcs" or "raw OpenCL" / "raw Vulkan" */
    zcs_tier tier;
    bench_summary enqueue;
    bench_summary roundtrip;
    int ok;
} bench_dispatch_result;

/* The samples of a dispatch micro-benchmark: `iterations` timed after
   BENCH_DISPATCH_WARMUP untimed ones (timing.c). */
#define BENCH_DISPATCH_WARMUP 10u
typedef struct bench_dispatch_samples {
    uint64_t *enqueue;
    uint64_t *roundtrip;
    uint32_t iterations;
} bench_dispatch_samples;

/* Allocate; 0, or -1 without memory (finish still frees). */
int bench_dispatch_samples_init(bench_dispatch_samples *s, uint32_t iterations);

/* Iteration i (warm-up included) from its clock readings: start, enqueued, done. */
void bench_dispatch_samples_add(bench_dispatch_samples *s, uint32_t i, uint64_t start,
                                uint64_t enqueued, uint64_t done);

/* Summarise into *out when `ok`, and free. */
void bench_dispatch_samples_finish(bench_dispatch_samples *s, int ok, bench_dispatch_result *out);

int bench_zcs_dispatch(const bench_config *config, size_t count, uint32_t iterations,
                       bench_dispatch_result *out);
int bench_raw_dispatch(const bench_config *config, const bench_device *device, size_t count,
                       uint32_t iterations, bench_dispatch_result *out);

/* ------------------------------------------------------------------------ */
/* Report (report.c)                                                         */
/* ------------------------------------------------------------------------ */

/* One mode at one size. */
typedef struct bench_result {
    int mode;
    size_t size;
    size_t count;
    bench_summary time;
    /* Runtime copies per frame (zcs modes), -1 where not known. */
    double bytes_copied_per_frame;
    /* 1: every checksum matched; 0: a mismatch; -1: not run (setup failed). */
    int checksum_ok;
    /* 1 when the modes ran frame by frame in turn, 0 when one after the other. */
    int interleaved;
} bench_result;

typedef struct bench_report {
    const bench_device *device;
    const bench_mode *modes;
    int mode_count;
    const size_t *sizes;
    int size_count;
    /* results[size_index * mode_count + mode_index] */
    const bench_result *results;
    const bench_map_result *maps; /* [size_index * tier_count + tier_index] */
    const zcs_tier *map_tiers;
    int map_tier_count;
    const bench_dispatch_result *dispatch;
    int dispatch_count;
    double wall_seconds;
    const char *command_line;
} bench_report;

/* Human-readable size ("4 KiB", "256 MiB") into buf. */
const char *bench_format_size(size_t size, char *buf, size_t buf_size);

/* The tables and the targets on stdout. Returns the number of targets missed. */
int bench_print_report(const bench_report *report);

/* Every measurement as CSV. Returns 0 on success. */
int bench_write_csv(const bench_report *report, const char *path);

/*
 * Write PREFIX.dat and PREFIX.gp, and run gnuplot for PREFIX-time.png,
 * PREFIX-speedup.png and PREFIX-map.png. Returns 0 when the PNGs were written, 1 when
 * gnuplot is missing (a note is printed), -1 on another failure.
 */
int bench_plot(const bench_report *report, const char *prefix);

/* ---- the command line (options.c) ---- */

/* Most sizes one run sweeps. */
#define BENCH_MAX_SIZES 32

typedef struct bench_options {
    size_t sizes[BENCH_MAX_SIZES];
    int size_count;
    size_t min_size;
    size_t max_size;
    uint32_t frames; /* 0: adaptive */
    uint32_t warmup; /* UINT32_MAX: adaptive */
    const char *modes;
    const char *tiers;
    const char *device;
    const char *csv;
    const char *plot;
    int no_plot;
    int quick;
    int own_devices;
    zcs_wait wait;
} bench_options;

/* Parse argv into `o` (defaults first); 0, or -1 on a usage error (printed). --help
   prints the usage and exits 0. */
int bench_parse_options(int argc, char **argv, bench_options *o);

/* Whether the comma-separated `list` names `name` (a NULL list names everything). */
int bench_list_has(const char *list, const char *name);

/* The tiers --tiers names into `tiers`; their count, 0 for none given, -1 on an error. */
int bench_parse_tiers(const char *list, zcs_tier *tiers);

/* Seconds of timed frames an adaptive count gives one mode at one size, at most: a mode
   whose first frames show it slower runs fewer (at least 3). */
#define BENCH_MODE_SECONDS 2.0

/* Timed frames at `size`: enough bytes for a steady median, no more than the run affords
   (the cap of the adaptive count: fewer for a slow mode, see BENCH_MODE_SECONDS). */
uint32_t bench_frames_for(const bench_options *o, size_t size);

/* Untimed frames first at `size`. */
uint32_t bench_warmup_for(const bench_options *o, size_t size);

/* ---- the sweep (sweep.c) ---- */

/* When the run started, and whether a progress line is on a terminal. */
typedef struct bench_progress {
    uint64_t start_ns;
    int tty;
    int shown;
} bench_progress;

/* Seconds since the run started. */
double bench_elapsed(const bench_progress *p);

/* A progress line on stderr once the run has taken more than two seconds. */
void bench_progress_show(bench_progress *p, const char *what, size_t size, int done, int total);

/* Erase the progress line. */
void bench_progress_clear(bench_progress *p);

/*
 * Run every selected mode at one size into results[0..mode_count). Where all of them fit
 * in memory at once the modes take turns frame by frame, so a change in the machine's load
 * falls on every mode alike; otherwise one mode after the other. Returns the failures.
 */
int bench_run_size(const bench_options *o, bench_mode *modes, int mode_count, size_t size,
                   bench_result *results, bench_progress *progress);

#endif /* ZCS_BENCH_H */
