/*
 * zcs_struct_check (zcs/struct_check.h): a feature built on the public API, above the
 * core, which never calls into it. It checks the description, scans the declaration for
 * forbidden types (declaration.c), runs the probe on the device (probe.c), and keeps the
 * successful checks per context so a repeated check costs nothing.
 */
#include <pthread.h>
#include <string.h>

#include "struct_check/internal.h"

static uint64_t zcs__desc_hash(const zcs_struct_desc *desc)
{
    uint64_t hash = 0xcbf29ce484222325ull;
    uint64_t size = desc->size;
    hash = zcs__hash_string(hash, desc->name);
    hash = zcs__hash_bytes(hash, &size, sizeof size);
    for (size_t i = 0; i < desc->field_count; i++) {
        uint64_t numbers[2] = {desc->fields[i].offset, desc->fields[i].size};
        hash = zcs__hash_string(hash, desc->fields[i].name);
        hash = zcs__hash_bytes(hash, numbers, sizeof numbers);
    }
    hash = zcs__hash_string(hash, desc->source);
    hash = zcs__hash_string(hash, desc->source_name);
    return zcs__hash_string(hash, desc->options);
}

typedef struct zcs__layout_entry {
    struct zcs__layout_entry *next;
    const zcs_context *context;
    uint64_t hash;
    size_t size;
    char name[ZCS__SC_NAME_SIZE];
    double check_seconds;
    size_t device_size;
} zcs__layout_entry;

static pthread_mutex_t zcs__layout_lock = PTHREAD_MUTEX_INITIALIZER;
static zcs__layout_entry *zcs__layout_entries;

/* Drop the entries of contexts destroyed since (called with the cache's lock held): a
   context handle is never given out again, so they could never be found, only take room. */
static void zcs__layout_cache_prune(void)
{
    zcs__layout_entry **link = &zcs__layout_entries;
    while (*link != NULL) {
        zcs__layout_entry *old = *link;
        if (!zcs__context_live(old->context)) {
            *link = old->next;
            zcs__free(old);
        } else {
            link = &old->next;
        }
    }
}

static int zcs__layout_cache_find(const zcs_context *context, const zcs_struct_desc *desc,
                                  uint64_t hash, zcs__layout_entry *out_entry)
{
    int found = 0;
    pthread_mutex_lock(&zcs__layout_lock);
    zcs__layout_cache_prune();
    for (zcs__layout_entry *entry = zcs__layout_entries; entry != NULL; entry = entry->next) {
        if (entry->context == context && entry->hash == hash && entry->size == desc->size &&
            strcmp(entry->name, desc->name) == 0) {
            *out_entry = *entry;
            found = 1;
            break;
        }
    }
    pthread_mutex_unlock(&zcs__layout_lock);
    return found;
}

/* The cache goes with the library (process exit, or dlclose of libzcs.so). */
#if defined(__GNUC__)
__attribute__((destructor))
#endif
static void
zcs__layout_cache_release(void)
{
    pthread_mutex_lock(&zcs__layout_lock);
    while (zcs__layout_entries != NULL) {
        zcs__layout_entry *entry = zcs__layout_entries;
        zcs__layout_entries = entry->next;
        zcs__free(entry);
    }
    pthread_mutex_unlock(&zcs__layout_lock);
}

/* Remember a successful check; a failure to allocate only loses the cache entry. */
static void zcs__layout_cache_add(const zcs_context *context, const zcs_struct_desc *desc,
                                  uint64_t hash, double check_seconds, size_t device_size)
{
    zcs__layout_entry *entry = zcs__calloc(1, sizeof *entry);
    if (entry == NULL)
        return;
    entry->context = context;
    entry->hash = hash;
    entry->size = desc->size;
    zcs__copy_string(entry->name, sizeof entry->name, desc->name);
    entry->check_seconds = check_seconds;
    entry->device_size = device_size;
    pthread_mutex_lock(&zcs__layout_lock);
    zcs__layout_cache_prune();
    entry->next = zcs__layout_entries;
    zcs__layout_entries = entry;
    pthread_mutex_unlock(&zcs__layout_lock);
}

int zcs__sc_glsl(const zcs_context *context)
{
    zcs_context_info info;
    return zcs_context_info_get(context, &info) == ZCS_SUCCESS &&
           info.backend == ZCS_BACKEND_VULKAN;
}

zcs_status zcs_struct_check(zcs_context *context, const zcs_struct_desc *desc,
                            zcs_layout_report *out_report)
{
    double start = zcs__now_seconds();
    if (context == NULL)
        return zcs__fail_handle(NULL, ZCS_ERROR_NULL_HANDLE, 0,
                                "zcs_struct_check: context is NULL");
    if (!zcs__context_live(context))
        return zcs__fail_handle(NULL, ZCS_ERROR_INVALID_HANDLE, 0,
                                "zcs_struct_check: not a live context handle");
    if (desc == NULL)
        return zcs__fail_handle(context, ZCS_ERROR_NULL_HANDLE, 0,
                                "zcs_struct_check: desc is NULL");
    zcs_status status = zcs__check_desc(context, desc);
    if (status == ZCS_SUCCESS)
        status = zcs__check_forbidden_types(context, desc);
    if (status != ZCS_SUCCESS)
        return status;

    uint64_t hash = zcs__desc_hash(desc);
    zcs__layout_entry cached;
    zcs_layout_report report = {0};
    report.fields_checked = desc->field_count;
    if (zcs__layout_cache_find(context, desc, hash, &cached)) {
        report.cached = 1;
        report.check_seconds = cached.check_seconds;
        report.device_size = cached.device_size;
    } else {
        size_t device_size = 0;
        status = zcs__probe_run(context, desc, &device_size);
        if (status != ZCS_SUCCESS)
            return status;
        report.check_seconds = zcs__now_seconds() - start;
        report.device_size = device_size;
        zcs__layout_cache_add(context, desc, hash, report.check_seconds, device_size);
    }
    report.seconds = zcs__now_seconds() - start;
    if (out_report != NULL)
        *out_report = report;
    return ZCS_SUCCESS;
}
