/* zcs-bench's command line: usage, options, and the frame counts they imply. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bench.h"

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
            "  --frames N       timed frames at every size (default: adaptive, 10 to 1000,\n"
            "                   3 to 30 with --quick; fewer, at least 3, for a mode slower\n"
            "                   than 2 s of frames)\n"
            "  --warmup N       untimed frames first (default 2; 1 from 64M)\n"
            "  --modes LIST     modes or groups to run (default all): copy, zcs, import, raw,\n"
            "                   floor, cpu, memcpy, map, dispatch, or names (zcs-svm_fine,\n"
            "                   raw-host_ptr, zcs-auto, import, import-copy, cpu, kernel,\n"
            "                   cpu-step)\n"
            "  --tiers LIST     tiers for zcs-<tier>, raw-<tier> and map (default all the\n"
            "                   device offers): svm_fine, svm_coarse, host_ptr, vulkan_mapped\n"
            "  --device NAME    part of the device or platform name (default: zcs's choice,\n"
            "                   or the ZCS_DEVICE environment variable)\n"
            "  --csv FILE       write every measurement as CSV\n"
            "  --plot PREFIX    write PREFIX-time.png, PREFIX-speedup.png, PREFIX-map.png\n"
            "                   (gnuplot; default: zcs-bench next to the executable)\n"
            "  --no-plot        no plots\n"
            "  --wait WAIT      how the zcs modes wait for the device: auto (zcs's choice:\n"
            "                   poll, then block, on a Vulkan discrete GPU; block\n"
            "                   elsewhere), block, or poll (default auto; ZCS_WAIT is not\n"
            "                   read); the raw modes always block, as hand-written code does\n"
            "  --own-devices    every zcs mode on a device of its own (zcs_context_create)\n"
            "                   instead of attached to the run's one device; on some\n"
            "                   drivers (NVIDIA's) a second device slows every GPU wait\n"
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
int bench_list_has(const char *list, const char *name)
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

int bench_parse_options(int argc, char **argv, bench_options *o)
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
        } else if (strcmp(arg, "--own-devices") == 0) {
            o->own_devices = 1;
            takes_value = 0;
        } else if (value == NULL) {
            fprintf(stderr, "zcs-bench: %s needs a value (or is unknown); see --help\n", arg);
            return -1;
        } else if (strcmp(arg, "--wait") == 0) {
            if (strcmp(value, "auto") == 0) {
                o->wait = ZCS_WAIT_AUTO;
            } else if (strcmp(value, "block") == 0) {
                o->wait = ZCS_WAIT_BLOCK;
            } else if (strcmp(value, "poll") == 0) {
                o->wait = ZCS_WAIT_POLL;
            } else {
                fprintf(stderr, "zcs-bench: --wait: \"%s\" is not auto, block or poll\n", value);
                return -1;
            }
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

uint32_t bench_frames_for(const bench_options *o, size_t size)
{
    if (o->frames != 0)
        return o->frames;
    size_t budget = o->quick ? (256u << 20) : (1024u << 20);
    size_t frames = budget / size;
    /* Small frames are noisy (tens of microseconds, a GPU's clocks and the scheduler):
       up to 1000 of them for a steady median; they cost little time. */
    size_t cap = o->quick ? 30 : 1000;
    /* At least 10 where frames are large: a median of 3 or 4 moves with one slow frame
       (a mode slower than BENCH_MODE_SECONDS still runs fewer). */
    size_t floor = o->quick ? 3 : 10;
    if (frames < floor)
        frames = floor;
    if (frames > cap)
        frames = cap;
    return (uint32_t)frames;
}

uint32_t bench_warmup_for(const bench_options *o, size_t size)
{
    if (o->warmup != UINT32_MAX)
        return o->warmup;
    return size >= (64u << 20) ? 1 : 2;
}

int bench_parse_tiers(const char *list, zcs_tier *tiers)
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
