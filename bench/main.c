/*
 * zcs-bench: what zero-copy buys on this device.
 *
 * Runs the particle frame (CPU writes every struct, a kernel advances every struct,
 * the CPU reads every struct back) in every mode over a sweep of array sizes, then
 * the map+unmap and dispatch micro-benchmarks, and prints the tables, the targets,
 * a CSV and PNG plots. `zcs-bench --help` lists the options.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "bench.h"

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
} bench_options;

static void bench_usage(FILE *out)
{
    fprintf(out,
            "usage: zcs-bench [options]\n"
            "\n"
            "Times a frame over an array of 48-byte particles: the CPU writes every struct,\n"
            "a kernel advances every struct, the CPU reads every struct back (checksum\n"
            "verified every frame), in every mode, for a sweep of sizes.\n"
            "\n"
            "options:\n"
            "  --sizes LIST     sizes in bytes, K/M/G suffixes: 4K,64K,1M,64M\n"
            "  --min SIZE       smallest size of the default ladder (4K, x4 steps)\n"
            "  --max SIZE       largest size of the default ladder (default 256M)\n"
            "  --frames N       timed frames at every size (default: adaptive, 3 to 100)\n"
            "  --warmup N       untimed frames first (default 2; 1 from 64M)\n"
            "  --modes LIST     modes or groups to run (default all): copy, zcs, raw, floor,\n"
            "                   cpu, memcpy, map, dispatch, or names (zcs-svm_fine, raw-host_ptr,\n"
            "                   zcs-auto, cpu, kernel, cpu-step)\n"
            "  --tiers LIST     tiers for zcs-<tier>, raw-<tier> and map (default all the\n"
            "                   device offers): svm_fine, svm_coarse, host_ptr, vulkan_mapped\n"
            "  --device NAME    part of the device or platform name (default: zcs's choice,\n"
            "                   or the ZCS_DEVICE environment variable)\n"
            "  --csv FILE       write every measurement as CSV\n"
            "  --plot PREFIX    write PREFIX-time.png, PREFIX-speedup.png, PREFIX-map.png\n"
            "                   (gnuplot; default: zcs-bench next to the executable)\n"
            "  --no-plot        no plots\n"
            "  --quick          a short sweep (4K to 64M, fewer frames)\n"
            "  --help           this text\n"
            "\n"
            "Exit status: 0 when every checksum held, 1 when one failed or a mode could not\n"
            "run, 2 on a usage error.\n");
}

/* "4K", "64M", "1G", "4096" into bytes; 0 on error. */
static size_t bench_parse_size(const char *text)
{
    char *end = NULL;
    errno = 0;
    unsigned long long value = strtoull(text, &end, 10);
    if (errno != 0 || end == text)
        return 0;
    unsigned long long scale = 1;
    if (*end == 'K' || *end == 'k')
        scale = 1ull << 10;
    else if (*end == 'M' || *end == 'm')
        scale = 1ull << 20;
    else if (*end == 'G' || *end == 'g')
        scale = 1ull << 30;
    if (scale != 1)
        end++;
    if (*end == 'i' || *end == 'B' || *end == 'b')
        end += strspn(end, "iBb");
    if (*end != '\0' || value == 0 || value > SIZE_MAX / scale)
        return 0;
    return (size_t)(value * scale);
}

/* Whether comma-separated `list` names `name` (NULL list: everything). */
static int bench_list_has(const char *list, const char *name)
{
    if (list == NULL)
        return 1;
    size_t length = strlen(name);
    for (const char *p = list; *p != '\0';) {
        size_t item = strcspn(p, ",");
        if (item == length && strncasecmp(p, name, length) == 0)
            return 1;
        p += item;
        if (*p == ',')
            p++;
    }
    return 0;
}

static int bench_parse_u32(const char *text, uint32_t *out)
{
    char *end = NULL;
    errno = 0;
    unsigned long value = strtoul(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value > 1000000)
        return -1;
    *out = (uint32_t)value;
    return 0;
}

static int bench_parse_options(int argc, char **argv, bench_options *o)
{
    memset(o, 0, sizeof *o);
    o->warmup = UINT32_MAX;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *value = i + 1 < argc ? argv[i + 1] : NULL;
        int takes_value = 1;
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            bench_usage(stdout);
            exit(0);
        } else if (strcmp(arg, "--quick") == 0) {
            o->quick = 1;
            takes_value = 0;
        } else if (strcmp(arg, "--no-plot") == 0) {
            o->no_plot = 1;
            takes_value = 0;
        } else if (value == NULL) {
            fprintf(stderr, "zcs-bench: %s needs a value (or is unknown); see --help\n", arg);
            return -1;
        } else if (strcmp(arg, "--sizes") == 0) {
            char *copy = strdup(value);
            for (char *item = strtok(copy, ","); item != NULL; item = strtok(NULL, ",")) {
                size_t size = bench_parse_size(item);
                if (size < sizeof(zcs_particle) || o->size_count == BENCH_MAX_SIZES) {
                    fprintf(stderr,
                            "zcs-bench: --sizes: bad size \"%s\" (at least 48 bytes, "
                            "at most 32 sizes)\n",
                            item);
                    free(copy);
                    return -1;
                }
                o->sizes[o->size_count++] = size;
            }
            free(copy);
        } else if (strcmp(arg, "--min") == 0 || strcmp(arg, "--max") == 0) {
            size_t size = bench_parse_size(value);
            if (size == 0) {
                fprintf(stderr, "zcs-bench: %s: bad size \"%s\"\n", arg, value);
                return -1;
            }
            *(arg[3] == 'i' ? &o->min_size : &o->max_size) = size;
        } else if (strcmp(arg, "--frames") == 0 || strcmp(arg, "--warmup") == 0) {
            uint32_t *target = arg[2] == 'f' ? &o->frames : &o->warmup;
            if (bench_parse_u32(value, target) != 0 || (target == &o->frames && *target == 0)) {
                fprintf(stderr, "zcs-bench: %s: bad count \"%s\"\n", arg, value);
                return -1;
            }
        } else if (strcmp(arg, "--modes") == 0) {
            o->modes = value;
        } else if (strcmp(arg, "--tiers") == 0) {
            o->tiers = value;
        } else if (strcmp(arg, "--device") == 0) {
            o->device = value;
        } else if (strcmp(arg, "--csv") == 0) {
            o->csv = value;
        } else if (strcmp(arg, "--plot") == 0) {
            o->plot = value;
        } else {
            fprintf(stderr, "zcs-bench: unknown option %s; see --help\n", arg);
            return -1;
        }
        i += takes_value;
    }
    if (o->size_count == 0) {
        size_t min = o->min_size != 0 ? o->min_size : 4096;
        size_t max = o->max_size != 0 ? o->max_size : (o->quick ? 64u << 20 : 256u << 20);
        for (size_t size = 4096; size <= max && o->size_count < BENCH_MAX_SIZES; size *= 4)
            if (size >= min)
                o->sizes[o->size_count++] = size;
        if (o->size_count == 0) {
            fprintf(stderr,
                    "zcs-bench: no size of the ladder 4K, 16K, ... lies in [--min, --max]\n");
            return -1;
        }
    }
    return 0;
}

/* Timed frames at `size`: enough bytes for a steady median, no more than the run can afford. */
static uint32_t bench_frames_for(const bench_options *o, size_t size)
{
    if (o->frames != 0)
        return o->frames;
    size_t budget = o->quick ? (256u << 20) : (1024u << 20);
    size_t frames = budget / size;
    size_t cap = o->quick ? 30 : 100;
    if (frames < 3)
        frames = 3;
    if (frames > cap)
        frames = cap;
    return (uint32_t)frames;
}

static uint32_t bench_warmup_for(const bench_options *o, size_t size)
{
    if (o->warmup != UINT32_MAX)
        return o->warmup;
    return size >= (64u << 20) ? 1 : 2;
}

/* Order of the modes in the tables: the baseline first, then zcs, by hand, the floors. */
static int bench_group_rank(const char *group)
{
    static const char *const order[] = {"copy", "zcs", "raw", "floor", "cpu", "memcpy"};
    for (int i = 0; i < 6; i++)
        if (strcmp(group, order[i]) == 0)
            return i;
    return 6;
}

static int bench_parse_tiers(const char *list, zcs_tier *tiers)
{
    int n = 0;
    if (list == NULL)
        return 0;
    for (int t = ZCS_TIER_SVM_FINE; t < ZCS_TIER_COUNT; t++)
        if (bench_list_has(list, zcs_tier_name((zcs_tier)t)))
            tiers[n++] = (zcs_tier)t;
    if (n == 0) {
        fprintf(stderr,
                "zcs-bench: --tiers %s names no tier (svm_fine, svm_coarse, host_ptr, "
                "vulkan_mapped)\n",
                list);
        return -1;
    }
    return n;
}

typedef struct bench_progress {
    uint64_t start_ns;
    int tty;
    int shown;
} bench_progress;

static double bench_elapsed(const bench_progress *p)
{
    return (double)(bench_now_ns() - p->start_ns) / 1e9;
}

/* A progress line on stderr once the run has taken more than two seconds. */
static void bench_progress_show(bench_progress *p, const char *what, size_t size, int done,
                                int total)
{
    double elapsed = bench_elapsed(p);
    if (elapsed < 2.0)
        return;
    char buf[32];
    if (p->tty) {
        fprintf(stderr, "\r\033[K[%5.1f s] %s %s (%d/%d)", elapsed, what,
                bench_format_size(size, buf, sizeof buf), done, total);
        p->shown = 1;
    } else if (done == total) {
        fprintf(stderr, "zcs-bench: [%5.1f s] %s %s done\n", elapsed, what,
                bench_format_size(size, buf, sizeof buf));
    }
}

static void bench_progress_clear(bench_progress *p)
{
    if (p->tty && p->shown)
        fprintf(stderr, "\r\033[K");
    p->shown = 0;
}

/* Whether every mode's arrays at `size` fit in half the physical memory at once. */
static int bench_fits_at_once(const bench_mode *modes, int mode_count, size_t size)
{
    long pages = sysconf(_SC_PHYS_PAGES);
    long page_size = sysconf(_SC_PAGESIZE);
    if (pages <= 0 || page_size <= 0)
        return 0;
    double total = 0;
    for (int m = 0; m < mode_count; m++)
        if (modes[m].available)
            total += (double)modes[m].arrays * (double)size;
    return total <= (double)pages * (double)page_size / 2;
}

/* One frame of one mode, timed and checked. Returns 0, or 1 on a failure (printed). */
static int bench_one_frame(bench_mode *mode, size_t size, uint32_t f, const uint64_t *before,
                           const uint64_t *after, uint64_t *elapsed)
{
    uint64_t checksum = 0;
    uint64_t t0 = bench_now_ns();
    if (mode->frame(mode, f, &checksum) != 0)
        return 1;
    *elapsed = bench_now_ns() - t0;
    uint64_t expected = mode->verify == BENCH_VERIFY_AFTER_STEP    ? after[f]
                        : mode->verify == BENCH_VERIFY_BEFORE_STEP ? before[f]
                                                                   : checksum;
    if (checksum != expected) {
        fprintf(stderr,
                "zcs-bench: %s at %zu bytes, frame %u: checksum FAILED: read %llx, expected "
                "%llx\n",
                mode->name, size, f, (unsigned long long)checksum, (unsigned long long)expected);
        return 1;
    }
    return 0;
}

/* Per-mode state of a size's run. */
typedef struct bench_run {
    int state;         /* 0 not set up, 1 running, 2 failed, 3 done */
    uint32_t frames;   /* frames run (warm-up included) */
    uint64_t *samples; /* timed frames */
} bench_run;

/* End a mode's run at one size: copies, teardown, summary. Returns 1 on a failure. */
static int bench_finish_mode(bench_mode *mode, bench_run *run, bench_result *r, uint32_t warmup)
{
    int ok = run->state == 1;
    if (ok && mode->bytes_copied != NULL)
        r->bytes_copied_per_frame = (double)mode->bytes_copied(mode) / (double)run->frames;
    if (mode->teardown(mode, run->frames) != 0) {
        if (ok)
            fprintf(stderr, "zcs-bench: %s at %zu bytes: checksum FAILED at the end\n", mode->name,
                    r->size);
        ok = 0;
    }
    if (ok)
        r->time = bench_summarise(run->samples, run->frames - warmup);
    r->checksum_ok = ok;
    run->state = 3;
    return !ok;
}

/*
 * Run every selected mode at one size. Where all of them fit in memory at once the
 * modes take turns frame by frame, starting with a different mode each frame, so that
 * a change in the machine's load (other processes, frequency) falls on every mode alike
 * and their ratios hold; otherwise one mode after the other. Returns the failures.
 */
static int bench_run_size(const bench_options *o, bench_mode *modes, int mode_count, size_t size,
                          bench_result *results, bench_progress *progress)
{
    size_t count = size / sizeof(zcs_particle);
    uint32_t warmup = bench_warmup_for(o, size);
    uint32_t frames = bench_frames_for(o, size);
    uint32_t total = warmup + frames;
    uint64_t *before = calloc(total, sizeof *before);
    uint64_t *after = calloc(total, sizeof *after);
    bench_run *runs = calloc((size_t)mode_count, sizeof *runs);
    if (before == NULL || after == NULL || runs == NULL) {
        fprintf(stderr, "zcs-bench: out of memory\n");
        exit(1);
    }
    for (uint32_t f = 0; f < total; f++)
        bench_expected(count, f, &before[f], &after[f]);
    int interleave = bench_fits_at_once(modes, mode_count, size);

    int failures = 0;
    for (int m = 0; m < mode_count; m++) {
        bench_result *r = &results[m];
        memset(r, 0, sizeof *r);
        r->mode = m;
        r->size = size;
        r->count = count;
        r->checksum_ok = -1;
        r->bytes_copied_per_frame = -1;
        r->interleaved = interleave;
        runs[m].samples = calloc(frames, sizeof *runs[m].samples);
        if (runs[m].samples == NULL) {
            fprintf(stderr, "zcs-bench: out of memory\n");
            exit(1);
        }
    }
    /* Sequential: each mode runs all its frames (a group of one); interleaved: every mode
       set up first, then frame by frame. */
    int group = interleave ? mode_count : 1;
    for (int first = 0; first < mode_count; first += group) {
        int last = first + group < mode_count ? first + group : mode_count;
        for (int m = first; m < last; m++) {
            if (!modes[m].available)
                continue;
            if (modes[m].setup(&modes[m], count) != 0) {
                fprintf(stderr, "zcs-bench: %s at %zu bytes: setup failed\n", modes[m].name, size);
                modes[m].teardown(&modes[m], 0);
                runs[m].state = 3;
                results[m].checksum_ok = 0;
                failures++;
                continue;
            }
            runs[m].state = 1;
        }
        int span = last - first;
        int order[BENCH_MAX_MODES];
        for (int k = 0; k < span; k++)
            order[k] = first + k;
        uint32_t random = 0x9e3779b9u ^ (uint32_t)size;
        for (uint32_t f = 0; f < total; f++) {
            bench_progress_show(progress, interleave ? "frames" : modes[first].name, size, (int)f,
                                (int)total);
            /* A new order every frame (Fisher-Yates, xorshift): no mode always follows the
               same one, so what one mode leaves in the caches falls on every mode alike. */
            for (int k = span - 1; k > 0; k--) {
                random ^= random << 13;
                random ^= random >> 17;
                random ^= random << 5;
                int j = (int)(random % (uint32_t)(k + 1));
                int swap = order[k];
                order[k] = order[j];
                order[j] = swap;
            }
            for (int k = 0; k < span; k++) {
                int m = order[k];
                if (runs[m].state != 1)
                    continue;
                uint64_t elapsed = 0;
                if (bench_one_frame(&modes[m], size, f, before, after, &elapsed) != 0) {
                    runs[m].state = 2;
                    continue;
                }
                if (f >= warmup)
                    runs[m].samples[f - warmup] = elapsed;
                runs[m].frames = f + 1;
            }
        }
        for (int m = first; m < last; m++)
            if (runs[m].state == 1 || runs[m].state == 2)
                failures += bench_finish_mode(&modes[m], &runs[m], &results[m], warmup);
    }
    bench_progress_show(progress, "frames", size, (int)total, (int)total);
    for (int m = 0; m < mode_count; m++)
        free(runs[m].samples);
    free(runs);
    free(before);
    free(after);
    return failures;
}

/* The default plot prefix: "zcs-bench" next to the executable, else in the working directory. */
static const char *bench_default_plot_prefix(char *buf, size_t size)
{
    ssize_t n = readlink("/proc/self/exe", buf, size - 16);
    if (n <= 0)
        return "zcs-bench";
    buf[n] = '\0';
    char *slash = strrchr(buf, '/');
    if (slash == NULL)
        return "zcs-bench";
    strcpy(slash + 1, "zcs-bench");
    return buf;
}

int main(int argc, char **argv)
{
    bench_options o;
    if (bench_parse_options(argc, argv, &o) != 0)
        return 2;
    zcs_tier tiers[ZCS_TIER_COUNT];
    int tier_count = bench_parse_tiers(o.tiers, tiers);
    if (tier_count < 0)
        return 2;

    bench_progress progress = {bench_now_ns(), isatty(STDERR_FILENO), 0};
    bench_config config = {o.device};
    bench_device device;
    bench_mode all[BENCH_MAX_MODES];
    int n = bench_zcs_modes(&config, tiers, tier_count, &device, all, BENCH_MAX_MODES);
    if (n < 0)
        return 1;
    int raw = bench_raw_modes(&config, &device, tiers, tier_count, all + n, BENCH_MAX_MODES - n);
    if (raw > 0)
        n += raw;
    n += bench_cpu_modes(all + n, BENCH_MAX_MODES - n);

    /* Keep the selected modes, ordered by group (stable). */
    bench_mode modes[BENCH_MAX_MODES];
    int mode_count = 0;
    for (int rank = 0; rank <= 6; rank++)
        for (int i = 0; i < n; i++)
            if (bench_group_rank(all[i].group) == rank &&
                (bench_list_has(o.modes, all[i].name) || bench_list_has(o.modes, all[i].group)))
                modes[mode_count++] = all[i];
    for (int i = 0; i < n; i++)
        if (!(bench_list_has(o.modes, all[i].name) || bench_list_has(o.modes, all[i].group)))
            all[i].destroy(&all[i]);

    const zcs_context_info *info = &device.info;
    printf("zcs-bench %s: %s, device \"%s\" (%s), %s memory\n", ZCS_VERSION_STRING,
           info->backend_name, info->device_name, info->platform_name,
           info->unified_memory ? "unified" : "separate");
    printf("tier (auto): %s: %s\n", zcs_tier_name(info->tier), info->tier_reason);
    printf("tiers tested:");
    for (int i = 0; i < device.tier_count; i++)
        printf(" %s", zcs_tier_name(device.tiers[i]));
    printf("\n");
    for (int i = 0; i < mode_count; i++)
        if (!modes[i].available)
            printf("skipped: %s: %s\n", modes[i].name, modes[i].skip_reason);
    /* Sizes over the device's largest array cannot run in any zero-copy mode. */
    int kept = 0;
    for (int s = 0; s < o.size_count; s++) {
        char buf[32];
        if ((uint64_t)o.sizes[s] > info->max_alloc_size)
            printf("skipped: size %s: over the device's largest array (%llu bytes)\n",
                   bench_format_size(o.sizes[s], buf, sizeof buf),
                   (unsigned long long)info->max_alloc_size);
        else
            o.sizes[kept++] = o.sizes[s];
    }
    o.size_count = kept;
    fflush(stdout);

    int failures = 0;
    bench_result *results =
        calloc((size_t)o.size_count * (size_t)(mode_count > 0 ? mode_count : 1), sizeof *results);
    for (int s = 0; s < o.size_count && results != NULL; s++)
        failures += bench_run_size(&o, modes, mode_count, o.sizes[s],
                                   &results[(size_t)s * (size_t)mode_count], &progress);

    /* map+unmap against size on every tier. */
    bench_map_result *maps = NULL;
    int map_tiers = bench_list_has(o.modes, "map") ? device.tier_count : 0;
    if (map_tiers > 0)
        maps = calloc((size_t)o.size_count * (size_t)map_tiers, sizeof *maps);
    for (int s = 0; maps != NULL && s < o.size_count; s++) {
        size_t iterations = (2048u << 20) / o.sizes[s];
        iterations = iterations < 5 ? 5 : iterations > 50 ? 50 : iterations;
        for (int t = 0; t < map_tiers; t++) {
            bench_progress_show(&progress, "map", o.sizes[s], t, map_tiers);
            if (bench_zcs_map_cycle(&config, device.tiers[t], o.sizes[s], (uint32_t)iterations,
                                    &maps[(size_t)s * (size_t)map_tiers + (size_t)t]) != 0)
                failures++;
        }
    }

    /* Dispatch overhead on a tiny array. */
    bench_dispatch_result dispatch[2];
    int dispatch_count = 0;
    if (bench_list_has(o.modes, "dispatch")) {
        bench_progress_show(&progress, "dispatch", 4096, 0, 1);
        size_t tiny = 4096 / sizeof(zcs_particle);
        failures += bench_zcs_dispatch(&config, tiny, 500, &dispatch[dispatch_count]) != 0;
        dispatch_count++;
        failures += bench_raw_dispatch(&config, &device, tiny, 500, &dispatch[dispatch_count]) != 0;
        dispatch_count++;
    }
    bench_progress_clear(&progress);

    char command[512] = "zcs-bench";
    for (int i = 1; i < argc; i++) {
        size_t used = strlen(command);
        snprintf(command + used, sizeof command - used, " %s", argv[i]);
    }
    bench_report report = {
        .device = &device,
        .modes = modes,
        .mode_count = mode_count,
        .sizes = o.sizes,
        .size_count = o.size_count,
        .results = results,
        .maps = maps,
        .map_tiers = device.tiers,
        .map_tier_count = map_tiers,
        .dispatch = dispatch,
        .dispatch_count = dispatch_count,
        .wall_seconds = bench_elapsed(&progress),
        .command_line = command,
    };
    if (results != NULL)
        bench_print_report(&report);
    if (o.csv != NULL && results != NULL) {
        if (bench_write_csv(&report, o.csv) == 0)
            printf("csv: %s\n", o.csv);
        else
            failures++;
    }
    if (!o.no_plot && results != NULL) {
        char buf[4096];
        const char *prefix = o.plot != NULL ? o.plot : bench_default_plot_prefix(buf, sizeof buf);
        bench_plot(&report, prefix);
    }
    printf("checksums: %s\n", failures == 0 ? "all OK" : "FAILED (see the messages above)");

    for (int i = 0; i < mode_count; i++)
        modes[i].destroy(&modes[i]);
    free(results);
    free(maps);
    bench_zcs_release();
    bench_raw_release();
    return failures == 0 ? 0 : 1;
}
