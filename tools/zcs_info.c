/*
 * zcs-info: what zcs sees on this machine and what it would do there (modelled on clinfo).
 * Every device of the backend zcs was built with, the tiers it offers and the one zcs
 * picks with its reason, its limits and whether validation is available. Built only on
 * the public API (zcs/zcs.h). docs/zcs-info.md describes the options, the exit statuses
 * and the --json schema (docs/zcs-info.schema.json).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zcs/zcs.h>

/* Exit statuses (docs/zcs-info.md). */
enum {
    EXIT_USABLE = 0,    /* a usable device exists (among those shown) */
    EXIT_UNUSABLE = 1,  /* devices exist, none of those shown is usable */
    EXIT_USAGE = 2,     /* bad command line, or --device names no device */
    EXIT_NO_DEVICE = 3, /* no driver, no platform or no device at all */
    EXIT_FAILURE_ = 4,  /* the backend failed (or the host ran out of memory) */
};

/* The schema_version of the --json output; raised only on an incompatible change. */
#define ZCS_INFO_SCHEMA_VERSION 1

static const char usage_text[] =
    "usage: zcs-info [--list] [--device N|NAME] [--json]\n"
    "\n"
    "Shows every device zcs can see on the backend it was built with: name, type,\n"
    "unified memory, driver, the tiers each offers and the one zcs picks with its\n"
    "reason, the device limits and whether validation is available.\n"
    "\n"
    "options:\n"
    "  --list           one line per device\n"
    "  --device N|NAME  only device N (its index, also written #N), or the device zcs\n"
    "                   picks for NAME (part of a device or platform name, as\n"
    "                   ZCS_DEVICE=NAME)\n"
    "  --json           machine-readable output (docs/zcs-info.schema.json)\n"
    "  --version        print zcs's version\n"
    "  --help           this text\n"
    "\n"
    "Exit status: 0 a usable device exists, 1 devices exist but none shown is usable,\n"
    "2 bad command line or --device names no device, 3 no driver or no device,\n"
    "4 the backend failed.\n";

typedef struct options {
    int list;
    int json;
    const char *device; /* NULL: every device */
} options;

static int parse_options(int argc, char **argv, options *out)
{
    memset(out, 0, sizeof *out);
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--list") == 0) {
            out->list = 1;
        } else if (strcmp(arg, "--json") == 0) {
            out->json = 1;
        } else if (strcmp(arg, "--device") == 0 || strncmp(arg, "--device=", 9) == 0) {
            const char *value = arg[8] == '=' ? arg + 9 : (i + 1 < argc ? argv[++i] : NULL);
            if (value == NULL || value[0] == '\0') {
                fprintf(stderr, "zcs-info: --device needs a device index or name\n%s",
                        "Try 'zcs-info --help'.\n");
                return EXIT_USAGE;
            }
            if (out->device != NULL) {
                fprintf(stderr, "zcs-info: --device given twice\nTry 'zcs-info --help'.\n");
                return EXIT_USAGE;
            }
            out->device = value;
        } else if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            fputs(usage_text, stdout);
            exit(EXIT_USABLE);
        } else if (strcmp(arg, "--version") == 0) {
            uint32_t v = zcs_version();
            printf("zcs-info (zcs) %u.%u.%u\n", (unsigned)(v >> 16), (unsigned)((v >> 8) & 0xff),
                   (unsigned)(v & 0xff));
            exit(EXIT_USABLE);
        } else {
            fprintf(stderr, "zcs-info: unknown option '%s'\nTry 'zcs-info --help'.\n", arg);
            return EXIT_USAGE;
        }
    }
    return -1;
}

static const char *backend_name(void)
{
    /* The backend is fixed at build time; a device's description names it. */
    zcs_device_info info;
    if (zcs_device_get_info(0, &info) == ZCS_SUCCESS)
        return info.backend == ZCS_BACKEND_OPENCL ? "OpenCL" : "Vulkan";
    return NULL;
}

/* ---- JSON output ---- */

static void json_string(const char *text)
{
    putchar('"');
    for (const unsigned char *c = (const unsigned char *)text; *c != '\0'; c++) {
        if (*c == '"' || *c == '\\')
            printf("\\%c", *c);
        else if (*c == '\n')
            fputs("\\n", stdout);
        else if (*c == '\t')
            fputs("\\t", stdout);
        else if (*c < 0x20)
            printf("\\u%04x", *c);
        else
            putchar(*c);
    }
    putchar('"');
}

static void json_string_or_null(const char *text)
{
    if (text == NULL || text[0] == '\0')
        fputs("null", stdout);
    else
        json_string(text);
}

static const char *bool_text(int value)
{
    return value ? "true" : "false";
}

static void json_device(const zcs_device_info *d)
{
    printf("    {\n      \"index\": %u,\n      \"name\": ", (unsigned)d->index);
    json_string(d->name);
    fputs(",\n      \"platform\": ", stdout);
    json_string(d->platform_name);
    fputs(",\n      \"driver_version\": ", stdout);
    json_string(d->driver_version);
    fputs(",\n      \"api_version\": ", stdout);
    json_string(d->api_version);
    printf(",\n      \"type\": \"%s\",\n      \"is_gpu\": %s,\n      \"unified_memory\": %s,\n"
           "      \"usable\": %s,\n      \"refusal\": ",
           zcs_device_type_name(d->type), bool_text(d->is_gpu), bool_text(d->unified_memory),
           bool_text(d->usable));
    json_string_or_null(d->refusal);
    printf(",\n      \"default\": %s,\n      \"tiers\": [", bool_text(d->is_default));
    int first = 1;
    for (int t = 1; t < ZCS_TIER_COUNT; t++) {
        if (d->tiers & ZCS_TIER_BIT(t)) {
            printf("%s\"%s\"", first ? "" : ", ", zcs_tier_name((zcs_tier)t));
            first = 0;
        }
    }
    fputs("],\n      \"tier\": ", stdout);
    json_string_or_null(d->usable ? zcs_tier_name(d->tier) : NULL);
    fputs(",\n      \"tier_reason\": ", stdout);
    json_string_or_null(d->tier_reason);
    const zcs_device_limits *l = &d->limits;
    printf(",\n      \"alignment\": %llu,\n      \"limits\": {\n"
           "        \"max_alloc_size\": %llu,\n        \"memory_budget\": %llu,\n"
           "        \"max_work_group_size\": %llu,\n"
           "        \"max_work_item_sizes\": [%llu, %llu, %llu],\n"
           "        \"local_memory_size\": %llu,\n        \"compute_units\": %u,\n"
           "        \"max_parameter_bytes\": %llu\n      },\n"
           "      \"validation\": {\"mode_available\": %s, \"layer_available\": %s}\n    }",
           (unsigned long long)d->alignment, (unsigned long long)l->max_alloc_size,
           (unsigned long long)l->memory_budget, (unsigned long long)l->max_work_group_size,
           (unsigned long long)l->max_work_item_sizes[0],
           (unsigned long long)l->max_work_item_sizes[1],
           (unsigned long long)l->max_work_item_sizes[2], (unsigned long long)l->local_memory_size,
           (unsigned)l->compute_units, (unsigned long long)l->max_parameter_bytes,
           bool_text(d->validation_mode_available), bool_text(d->validation_layer_available));
}

/* The whole document; `error_status` non-zero adds the "error" member. */
static void json_document(const char *backend, const zcs_device_info *devices, uint32_t count,
                          zcs_status error_status, const char *error_message)
{
    uint32_t v = zcs_version();
    printf("{\n  \"schema_version\": %d,\n  \"zcs_version\": \"%u.%u.%u\",\n  \"backend\": ",
           ZCS_INFO_SCHEMA_VERSION, (unsigned)(v >> 16), (unsigned)((v >> 8) & 0xff),
           (unsigned)(v & 0xff));
    json_string_or_null(backend);
    fputs(",\n  \"devices\": [", stdout);
    for (uint32_t i = 0; i < count; i++) {
        fputs(i == 0 ? "\n" : ",\n", stdout);
        json_device(&devices[i]);
    }
    fputs(count > 0 ? "\n  ]" : "]", stdout);
    if (error_status != ZCS_SUCCESS) {
        fputs(",\n  \"error\": {\"status\": ", stdout);
        json_string(zcs_status_name(error_status));
        fputs(", \"message\": ", stdout);
        json_string(error_message);
        fputs("}", stdout);
    }
    fputs("\n}\n", stdout);
}

/* ---- text output ---- */

static void print_bytes(const char *label, uint64_t bytes)
{
    static const char *const units[] = {"bytes", "KiB", "MiB", "GiB", "TiB"};
    double value = (double)bytes;
    int unit = 0;
    while (value >= 1024.0 && unit < 4) {
        value /= 1024.0;
        unit++;
    }
    if (unit == 0)
        printf("  %-22s %llu bytes\n", label, (unsigned long long)bytes);
    else
        printf("  %-22s %llu bytes (%.1f %s)\n", label, (unsigned long long)bytes, value,
               units[unit]);
}

static void text_tiers(const zcs_device_info *d)
{
    if (d->tiers == 0) {
        fputs("none", stdout);
        return;
    }
    int first = 1;
    for (int t = 1; t < ZCS_TIER_COUNT; t++) {
        if (d->tiers & ZCS_TIER_BIT(t)) {
            printf("%s%s", first ? "" : ", ", zcs_tier_name((zcs_tier)t));
            first = 0;
        }
    }
}

static void text_device(const zcs_device_info *d)
{
    printf("Device %u: %s%s\n", (unsigned)d->index, d->name,
           d->is_default ? " (zcs's default)" : "");
    printf("  %-22s %s\n", "Platform", d->platform_name);
    printf("  %-22s %s\n", "Driver version", d->driver_version);
    printf("  %-22s %s\n", "API version", d->api_version);
    printf("  %-22s %s, %s\n", "Type", zcs_device_type_name(d->type),
           d->unified_memory ? "unified memory (shared with the host)"
                             : "memory of its own (not shared with the host)");
    if (!d->usable) {
        printf("  %-22s no: %s\n", "Usable by zcs", d->refusal);
        return;
    }
    printf("  %-22s yes\n", "Usable by zcs");
    printf("  %-22s ", "Tiers offered");
    text_tiers(d);
    printf("\n  %-22s %s\n", "Tier zcs picks", zcs_tier_name(d->tier));
    printf("  %-22s %s\n", "Why", d->tier_reason);
    printf("  %-22s %llu bytes\n", "Array alignment", (unsigned long long)d->alignment);
    const zcs_device_limits *l = &d->limits;
    print_bytes("Max allocation", l->max_alloc_size);
    print_bytes("Memory budget", l->memory_budget);
    printf("  %-22s %llu\n", "Max work-group size", (unsigned long long)l->max_work_group_size);
    printf("  %-22s %llu x %llu x %llu\n", "Max work-item sizes",
           (unsigned long long)l->max_work_item_sizes[0],
           (unsigned long long)l->max_work_item_sizes[1],
           (unsigned long long)l->max_work_item_sizes[2]);
    print_bytes("Local memory", l->local_memory_size);
    if (l->compute_units != 0)
        printf("  %-22s %u\n", "Compute units", (unsigned)l->compute_units);
    else
        printf("  %-22s not reported\n", "Compute units");
    print_bytes("Max parameter bytes", l->max_parameter_bytes);
    printf("  %-22s %s\n", "Validation mode",
           d->validation_mode_available ? "available (ZCS_VALIDATE=1)" : "not available");
    if (d->backend == ZCS_BACKEND_VULKAN)
        printf("  %-22s %s\n", "Validation layer",
               d->validation_layer_available ? "available (ZCS_VULKAN_VALIDATION=1)"
                                             : "not installed (Debian: vulkan-validationlayers)");
    else
        printf("  %-22s none on OpenCL\n", "Validation layer");
}

static void text_list_line(const zcs_device_info *d)
{
    printf("%u%s %s / %s [%s", (unsigned)d->index, d->is_default ? "*" : " ", d->name,
           d->platform_name, zcs_device_type_name(d->type));
    if (d->usable)
        printf(", %s]\n", zcs_tier_name(d->tier));
    else
        printf(", unusable: %s]\n", d->refusal);
}

/* "#N" or "N" (digits only) is an index, as in ZCS_DEVICE. */
static int parse_index(const char *text, uint32_t *out)
{
    if (text[0] == '#')
        text++;
    if (text[0] == '\0')
        return 0;
    unsigned long long value = 0;
    for (const char *c = text; *c != '\0'; c++) {
        if (*c < '0' || *c > '9')
            return 0;
        value = value * 10 + (unsigned long long)(*c - '0');
        if (value >= UINT32_MAX)
            return 0;
    }
    *out = (uint32_t)value;
    return 1;
}

static int exit_for(zcs_status status)
{
    return status == ZCS_ERROR_NO_DEVICE ? EXIT_NO_DEVICE : EXIT_FAILURE_;
}

int main(int argc, char **argv)
{
    options opts;
    int parsed = parse_options(argc, argv, &opts);
    if (parsed >= 0)
        return parsed;

    uint32_t count = 0;
    zcs_status status = zcs_device_count(&count);
    if (status != ZCS_SUCCESS) {
        fprintf(stderr, "zcs-info: %s: %s\n", zcs_status_name(status), zcs_last_error());
        if (opts.json)
            json_document(NULL, NULL, 0, status, zcs_last_error());
        return exit_for(status);
    }

    /* Which devices: all, one by index, or the one zcs picks for a name. */
    uint32_t first = 0;
    uint32_t end = count;
    if (opts.device != NULL) {
        uint32_t index = 0;
        if (parse_index(opts.device, &index)) {
            if (index >= count) {
                fprintf(stderr,
                        "zcs-info: --device %s: no such device: the backend lists %u device%s "
                        "(index 0 to %u)\n",
                        opts.device, (unsigned)count, count == 1 ? "" : "s", (unsigned)count - 1);
                return EXIT_USAGE;
            }
        } else {
            zcs_context_desc desc = {0};
            desc.device_name = opts.device;
            desc.flags = ZCS_CONTEXT_IGNORE_ENVIRONMENT;
            zcs_context *context = NULL;
            status = zcs_context_create(&desc, &context);
            if (status != ZCS_SUCCESS) {
                fprintf(stderr, "zcs-info: --device %s: %s: %s\n", opts.device,
                        zcs_status_name(status), zcs_last_error());
                return status == ZCS_ERROR_NO_DEVICE ? EXIT_USAGE : EXIT_FAILURE_;
            }
            zcs_context_info info;
            zcs_context_info_get(context, &info);
            index = info.device_index;
            zcs_context_destroy(context);
        }
        first = index;
        end = index + 1;
    }

    zcs_device_info *devices = calloc(end - first, sizeof *devices);
    if (devices == NULL) {
        fprintf(stderr, "zcs-info: out of memory\n");
        return EXIT_FAILURE_;
    }
    int usable = 0;
    for (uint32_t i = first; i < end; i++) {
        status = zcs_device_get_info(i, &devices[i - first]);
        if (status != ZCS_SUCCESS) {
            fprintf(stderr, "zcs-info: device %u: %s: %s\n", (unsigned)i, zcs_status_name(status),
                    zcs_last_error());
            if (opts.json)
                json_document(backend_name(), devices, i - first, status, zcs_last_error());
            free(devices);
            return exit_for(status);
        }
        usable |= devices[i - first].usable;
    }
    const char *backend = devices[0].backend == ZCS_BACKEND_OPENCL ? "OpenCL" : "Vulkan";

    if (opts.json) {
        json_document(backend, devices, end - first, ZCS_SUCCESS, NULL);
    } else if (opts.list) {
        for (uint32_t i = 0; i < end - first; i++)
            text_list_line(&devices[i]);
    } else {
        uint32_t v = zcs_version();
        printf("zcs %u.%u.%u, %s backend: %u device%s\n", (unsigned)(v >> 16),
               (unsigned)((v >> 8) & 0xff), (unsigned)(v & 0xff), backend, (unsigned)count,
               count == 1 ? "" : "s");
        for (uint32_t i = 0; i < end - first; i++) {
            putchar('\n');
            text_device(&devices[i]);
        }
    }
    free(devices);
    if (!usable)
        fprintf(stderr, "zcs-info: no usable device%s\n", opts.device != NULL ? " selected" : "");
    return usable ? EXIT_USABLE : EXIT_UNUSABLE;
}
