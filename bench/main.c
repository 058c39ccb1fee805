/*
 * zcs-bench: what zero-copy buys on this device.
 *
 * Runs the particle frame (CPU writes every struct, a kernel advances every struct,
 * the CPU reads every struct back) in every mode over a sweep of array sizes, then
 * the map+unmap and dispatch micro-benchmarks, and prints the tables, the targets,
 * a CSV and PNG plots. `zcs-bench --help` lists the options.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"

/* Order of the modes in the tables: the baseline first, then zcs, by hand, the floors. */
static int bench_group_rank(const char *group)
{
    static const char *const order[] = {"copy", "zcs", "import", "raw", "floor", "cpu", "memcpy"};
    for (int i = 0; i < 7; i++)
        if (strcmp(group, order[i]) == 0)
            return i;
    return 7;
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
    bench_config config = {o.device, o.own_devices, o.wait};
    bench_device device;
    if (bench_probe_device(&config, &device) != 0)
        return 1;
    /* One device for the whole run, which the zcs modes attach to (bench_device_open). */
    if (!config.own_devices && bench_device_open(&device) != 0) {
        fprintf(stderr, "zcs-bench: the run's device could not be opened: every zcs mode makes "
                        "a device of its own\n");
        config.own_devices = 1;
    }
    bench_mode all[BENCH_MAX_MODES];
    int n = bench_zcs_modes(&config, tiers, tier_count, &device, all, BENCH_MAX_MODES);
    if (n < 0)
        return 1;
    n += bench_import_modes(&config, all + n, BENCH_MAX_MODES - n);
    int raw = bench_raw_modes(&config, &device, tiers, tier_count, all + n, BENCH_MAX_MODES - n);
    if (raw > 0)
        n += raw;
    n += bench_cpu_modes(all + n, BENCH_MAX_MODES - n);

    /* Keep the selected modes, ordered by group (stable). */
    bench_mode modes[BENCH_MAX_MODES];
    int mode_count = 0;
    for (int rank = 0; rank <= 7; rank++)
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
    printf("waits (zcs modes): %s%s\n", info->wait_reason,
           info->wait == ZCS_WAIT_POLL ? "; the raw modes block, as hand-written code does" : "");
    printf("devices: %s\n", config.own_devices
                                ? "one per zcs mode, one for the raw modes (--own-devices)"
                                : "one for the whole run; every zcs mode attached to it");
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
