/*
 * Bringing your own memory (zcs_array_import_host, zcs_array_import_fd,
 * zcs_array_export_fd): the application's malloc'ed, aligned_alloc'ed and mmap'ed arrays
 * mapped, written, dispatched and read back, every element checked, with bytes_copied
 * exact (0 where the device's rule holds, the copied bytes where it does not); the rule
 * refused under ZCS_ARRAY_REQUIRE_ZERO_COPY; validation mode; the statistics; the file
 * descriptor paths (a second process on Vulkan); and every new backend call made to fail.
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, O_CLOEXEC, fork */
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <zcs/particle.h>
#include <zcs/struct_check.h>

#include "support/fault_counter.h"
#include "support/zcs_test.h"

#ifdef ZCS_TEST_VULKAN
#include "support/vk_faults.h"
#include "vulkan/import.h"
#define faults_install() vk_faults_install()
#define faults_arm(k)    vk_faults_arm((k), VK_ERROR_OUT_OF_DEVICE_MEMORY)
#define faults_disarm()  vk_faults_arm(0, VK_SUCCESS)
#define faults_remove()  vk_faults_remove()
#else
#include "opencl/import.h"
#include "support/cl_faults.h"
#define faults_install() cl_faults_install()
#define faults_arm(k)    cl_faults_arm((k), CL_OUT_OF_RESOURCES)
#define faults_disarm()  cl_faults_arm(0, CL_SUCCESS)
#define faults_remove()  cl_faults_remove()
#endif

static const uint32_t amount = 5;

static zcs_import_requirements rules_of(zcs_context *context)
{
    zcs_import_requirements rules;
    memset(&rules, 0, sizeof rules);
    ZCS_CK(zcs_import_requirements_get(context, &rules));
    return rules;
}

/* 1, or 2 where the context's own arrays are staged (ZCS_TIER=staged): a copying import's
   memory is then a staged array, so each of its copies goes through the staged host copy
   and is counted twice, once per hop. */
static uint64_t hops(zcs_context *context)
{
    zcs_context_info info;
    ZCS_CK(zcs_context_info_get(context, &info));
    return info.tier == ZCS_TIER_STAGED ? 2 : 1;
}

/* bytes_copied, per hop: the bytes the imports' copies moved. */
static uint64_t copied(zcs_context *context)
{
    zcs_stats stats;
    ZCS_CK(zcs_stats_get(context, &stats));
    ck_assert_uint_eq(stats.bytes_copied % hops(context), 0);
    return stats.bytes_copied / hops(context);
}

/* Whether an import of `size` bytes at `ptr` meets the device's rule. */
static int meets_rule(const zcs_import_requirements *rules, const void *ptr, size_t size)
{
    return rules->host_import && (uintptr_t)ptr % rules->alignment == 0 &&
           size % rules->size_multiple == 0;
}

/* Dispatch increment_u32 over `count` elements with a fixed work-group size of 64. */
static void increment(zcs_context *context, zcs_array *array, uint32_t count)
{
    zcs_program *program = NULL;
    zcs_kernel *kernel = zcs_test_builtin_kernel(context, "increment_u32", &program);
    zcs_test_set_increment_args(kernel, array, count, amount);
    size_t global = count;
    size_t local = 64;
    ZCS_CK(zcs_dispatch(kernel, 1, &global, &local));
    ZCS_CK(zcs_finish(context));
    zcs_kernel_destroy(kernel);
    zcs_program_destroy(program);
}

/*
 * Import `count` uint32 at `host`, map it for writing and fill it, dispatch, read it back
 * and check every element, in the array and in the application's memory; bytes_copied
 * grows by exactly what the copy fallback copies (nothing when the rule holds).
 */
static void round_trip(zcs_context *context, uint32_t *host, uint32_t count)
{
    zcs_import_requirements rules = rules_of(context);
    size_t size = (size_t)count * sizeof(uint32_t);
    int zero_copy = meets_rule(&rules, host, size);
    for (uint32_t i = 0; i < count; i++)
        host[i] = 1000000 + i; /* what the application had before the import */
    uint64_t before = copied(context);
    zcs_array *array = NULL;
    ZCS_CK(zcs_array_import_host(context, host, sizeof(uint32_t), count, 0, &array));
    zcs_array_info info;
    ZCS_CK(zcs_array_info_get(array, &info));
    ck_assert_int_eq(info.imported, 1);
    ck_assert_msg(info.zero_copy == zero_copy, "zero_copy %d, expected %d at %p, %zu bytes: %s",
                  info.zero_copy, zero_copy, (void *)host, size, info.reason);
    ck_assert_uint_eq(info.size, size);
    ck_assert_ptr_nonnull(info.reason);
    /* The copy fallback fills its own memory with the application's bytes first. */
    uint64_t expected = zero_copy ? 0 : size;
    ck_assert_uint_eq(copied(context) - before, expected);

    /* The application's bytes are the array's. */
    uint32_t *data = NULL;
    ZCS_CK(zcs_array_map(array, ZCS_MAP_READ_WRITE, (void **)&data));
    zcs_context_info context_info;
    ZCS_CK(zcs_context_info_get(context, &context_info));
    /* (Validation mode hands out a shadow instead.) */
    if (!context_info.validation)
        ck_assert_msg((uintptr_t)data >= (uintptr_t)host &&
                          (uintptr_t)data < (uintptr_t)(host + count),
                      "the map is not in the application's memory");
    for (uint32_t i = 0; i < count; i++)
        ck_assert_uint_eq(data[i], 1000000 + i);
    for (uint32_t i = 0; i < count; i++)
        data[i] = i;
    ZCS_CK(zcs_array_unmap(array));
    expected += zero_copy ? 0 : 2 * size; /* in at the map, out at the unmap */
    ck_assert_uint_eq(copied(context) - before, expected);

    increment(context, array, count);
    ZCS_CK(zcs_array_map(array, ZCS_MAP_READ, (void **)&data));
    for (uint32_t i = 0; i < count; i++)
        ck_assert_uint_eq(data[i], i + amount);
    ZCS_CK(zcs_array_unmap(array));
    expected += zero_copy ? 0 : size; /* a read copies in, never out */
    ck_assert_uint_eq(copied(context) - before, expected);
    /* After the map the application's memory holds the results, whatever the path. */
    for (uint32_t i = 0; i < count; i++)
        ck_assert_uint_eq(host[i], i + amount);
    ZCS_CK(zcs_array_destroy(array));
}

START_TEST(requirements_are_reported)
{
    zcs_context *context = zcs_test_context();
    zcs_import_requirements rules = rules_of(context);
    zcs_context_info info;
    ZCS_CK(zcs_context_info_get(context, &info));
    ck_assert_uint_gt(rules.alignment, 0);
    ck_assert_uint_eq(rules.alignment & (rules.alignment - 1), 0);
    ck_assert_ptr_nonnull(rules.description);
    ck_assert_str_ne(rules.description, "");
    ck_assert_int_eq(rules.host_import, 1);
    if (zcs_test_backend() == ZCS_BACKEND_OPENCL) {
        ck_assert_uint_eq(rules.alignment, info.alignment);
        ck_assert_uint_eq(rules.size_multiple, 1);
        ck_assert_int_eq(rules.opaque_fd_export, 0);
        ck_assert_ptr_nonnull(strstr(rules.description, "export"));
    } else {
        /* lavapipe: VK_EXT_external_memory_host at 4096 bytes, VK_KHR_external_memory_fd. */
        ck_assert_uint_eq(rules.size_multiple, rules.alignment);
        ck_assert_ptr_nonnull(strstr(rules.description, "minImportedHostPointerAlignment"));
    }
    printf("import rules: alignment %zu, size multiple %zu: %s\n", rules.alignment,
           rules.size_multiple, rules.description);
    ZCS_CK_STATUS(zcs_import_requirements_get(context, NULL), ZCS_ERROR_NULL_HANDLE);
    ZCS_CK_STATUS(zcs_import_requirements_get(NULL, &rules), ZCS_ERROR_NULL_HANDLE);
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(malloced_array)
{
    zcs_context *context = zcs_test_context();
    const uint32_t count = 1000;
    uint32_t *host = malloc(count * sizeof *host);
    ck_assert_ptr_nonnull(host);
    round_trip(context, host, count);
    free(host);
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(aligned_alloc_array_is_zero_copy)
{
    zcs_context *context = zcs_test_context();
    zcs_import_requirements rules = rules_of(context);
    /* A size the rule allows: a multiple of both the size multiple and 4 bytes. */
    size_t size = 3 * (rules.size_multiple > 64 ? rules.size_multiple : 4096);
    uint32_t *host = aligned_alloc(rules.alignment, size);
    ck_assert_ptr_nonnull(host);
    ck_assert_int_eq(meets_rule(&rules, host, size), 1);
    round_trip(context, host, (uint32_t)(size / sizeof *host));
    ck_assert_uint_eq(copied(context), 0);
    free(host);
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(mmapped_array_is_zero_copy)
{
    zcs_context *context = zcs_test_context();
    size_t size = 16 * 4096;
    void *host = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ck_assert_ptr_ne(host, MAP_FAILED);
    zcs_import_requirements rules = rules_of(context);
    ck_assert_int_eq(meets_rule(&rules, host, size), 1);
    round_trip(context, host, (uint32_t)(size / sizeof(uint32_t)));
    ck_assert_uint_eq(copied(context), 0);
    ck_assert_int_eq(munmap(host, size), 0);
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(misaligned_pointer_copies_exactly)
{
    zcs_context *context = zcs_test_context();
    zcs_import_requirements rules = rules_of(context);
    size_t size = 8 * 4096;
    unsigned char *block = aligned_alloc(4096, size + 4096);
    ck_assert_ptr_nonnull(block);
    /* 4 bytes past an aligned address: no device's rule holds. */
    uint32_t *host = (uint32_t *)(block + 4);
    ck_assert_int_eq(meets_rule(&rules, host, size), 0);
    round_trip(context, host, (uint32_t)(size / sizeof *host));

    /* Ranges copy only what they map. */
    zcs_array *array = NULL;
    ZCS_CK(zcs_array_import_host(context, host, sizeof(uint32_t), size / 4, 0, &array));
    zcs_array_info info;
    ZCS_CK(zcs_array_info_get(array, &info));
    ck_assert_int_eq(info.zero_copy, 0);
    ck_assert_ptr_nonnull(strstr(info.reason, "alignment"));
    uint64_t before = copied(context);
    uint32_t *data = NULL;
    ZCS_CK(zcs_array_map_range(array, ZCS_MAP_READ, 10, 20, (void **)&data));
    ck_assert_ptr_eq(data, host + 10);
    ZCS_CK(zcs_array_unmap(array));
    ck_assert_uint_eq(copied(context) - before, 20 * sizeof(uint32_t));
    ZCS_CK(zcs_array_map_range(array, ZCS_MAP_WRITE_DISCARD, 100, 50, (void **)&data));
    ck_assert_uint_eq(copied(context) - before, 20 * sizeof(uint32_t));
    for (uint32_t i = 0; i < 50; i++)
        data[i] = 7 * i;
    ZCS_CK(zcs_array_unmap(array));
    ck_assert_uint_eq(copied(context) - before, 70 * sizeof(uint32_t));
    memset(host + 100, 0, 50 * sizeof(uint32_t)); /* what a map brings back must be the kernel's */
    ZCS_CK(zcs_array_map_range(array, ZCS_MAP_READ, 100, 50, (void **)&data));
    for (uint32_t i = 0; i < 50; i++)
        ck_assert_uint_eq(data[i], 7 * i);
    ZCS_CK(zcs_array_unmap(array));
    ZCS_CK(zcs_array_destroy(array));
    free(block);
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(odd_size_follows_the_rule)
{
    zcs_context *context = zcs_test_context();
    zcs_import_requirements rules = rules_of(context);
    const uint32_t count = 1000; /* 4000 bytes */
    uint32_t *host = aligned_alloc(rules.alignment > 4096 ? rules.alignment : 4096, 4096);
    ck_assert_ptr_nonnull(host);
    /* Vulkan wants a multiple of 4096 bytes (a copy here); OpenCL any size (zero-copy). */
    round_trip(context, host, count);
    if (rules.size_multiple > 1)
        ck_assert_uint_eq(copied(context), 4 * count * sizeof(uint32_t));
    free(host);
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(require_zero_copy_refuses_with_the_rule)
{
    zcs_context *context = zcs_test_context();
    zcs_import_requirements rules = rules_of(context);
    unsigned char *block = aligned_alloc(4096, 3 * 4096);
    ck_assert_ptr_nonnull(block);
    zcs_array *array = NULL;
    /* An address off the rule: the message gives it and the rule. */
    void *off = block + 4;
    ZCS_CK_STATUS(
        zcs_array_import_host(context, off, 4, 4096 / 4, ZCS_ARRAY_REQUIRE_ZERO_COPY, &array),
        ZCS_ERROR_UNSUPPORTED);
    char address[32];
    snprintf(address, sizeof address, "%p", off);
    ck_assert_ptr_nonnull(strstr(zcs_last_error(), address));
    ck_assert_ptr_nonnull(strstr(zcs_last_error(), "ZCS_ARRAY_REQUIRE_ZERO_COPY"));
    char rule[64];
    snprintf(rule, sizeof rule, "multiple of %zu", rules.alignment);
    ck_assert_msg(strstr(zcs_last_error(), rule) != NULL, "%s", zcs_last_error());
    ck_assert_ptr_null(array);
    if (rules.size_multiple > 1) {
        /* A size off the rule: the message gives the size. */
        ZCS_CK_STATUS(
            zcs_array_import_host(context, block, 4, 1000, ZCS_ARRAY_REQUIRE_ZERO_COPY, &array),
            ZCS_ERROR_UNSUPPORTED);
        ck_assert_msg(strstr(zcs_last_error(), "4000 bytes") != NULL, "%s", zcs_last_error());
    }
    /* Within the rule the flag changes nothing. */
    ZCS_CK(zcs_array_import_host(context, block, 4, 4096 / 4, ZCS_ARRAY_REQUIRE_ZERO_COPY, &array));
    zcs_array_info info;
    ZCS_CK(zcs_array_info_get(array, &info));
    ck_assert_int_eq(info.zero_copy, 1);
    ZCS_CK(zcs_array_destroy(array));
    ck_assert_uint_eq(copied(context), 0);
    free(block);
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(statistics_count_imports)
{
    zcs_context *context = zcs_test_context();
    unsigned char *block = aligned_alloc(4096, 2 * 4096);
    ck_assert_ptr_nonnull(block);
    zcs_array *shared = NULL;
    zcs_array *copying = NULL;
    zcs_array *own = NULL;
    ZCS_CK(zcs_array_import_host(context, block, 4, 1024, 0, &shared));
    ZCS_CK(zcs_array_import_host(context, block + 4096 + 4, 4, 100, 0, &copying));
    ZCS_CK(zcs_array_create(context, 4, 100, 0, &own));
    zcs_stats stats;
    ZCS_CK(zcs_stats_get(context, &stats));
    ck_assert_uint_eq(stats.imports, 2);
    ck_assert_uint_eq(stats.allocations, 1);
    ck_assert_uint_eq(stats.live_arrays, 3);
    ck_assert_uint_eq(stats.live_imported_arrays, 2);
    int staged = hops(context) == 2; /* then `own` copies too */
    ck_assert_uint_eq(stats.live_copying_arrays, 1 + staged);
    ck_assert_uint_eq(copied(context), 400); /* the copying import's first fill */
    zcs_array_info info;
    ZCS_CK(zcs_array_info_get(own, &info));
    ck_assert_int_eq(info.imported, 0);
    ck_assert_int_eq(info.zero_copy, !staged);
    ZCS_CK(zcs_array_destroy(copying));
    ZCS_CK(zcs_stats_get(context, &stats));
    ck_assert_uint_eq(stats.live_imported_arrays, 1);
    ck_assert_uint_eq(stats.live_copying_arrays, staged);
    ZCS_CK(zcs_array_destroy(shared));
    ZCS_CK(zcs_array_destroy(own));
    ZCS_CK(zcs_stats_get(context, &stats));
    ck_assert_uint_eq(stats.live_imported_arrays, 0);
    ck_assert_uint_eq(stats.imports, 2);
    free(block);
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(bad_arguments)
{
    zcs_context *context = zcs_test_context();
    uint32_t host[64];
    zcs_array *array = NULL;
    ZCS_CK_STATUS(zcs_array_import_host(NULL, host, 4, 64, 0, &array), ZCS_ERROR_NULL_HANDLE);
    ZCS_CK_STATUS(zcs_array_import_host(context, NULL, 4, 64, 0, &array), ZCS_ERROR_NULL_HANDLE);
    ZCS_CK_STATUS(zcs_array_import_host(context, host, 4, 64, 0, NULL), ZCS_ERROR_NULL_HANDLE);
    ZCS_CK_STATUS(zcs_array_import_host(context, host, 0, 64, 0, &array), ZCS_ERROR_ZERO_SIZE);
    ZCS_CK_STATUS(zcs_array_import_host(context, host, 4, 0, 0, &array), ZCS_ERROR_ZERO_SIZE);
    ZCS_CK_STATUS(zcs_array_import_host(context, host, SIZE_MAX / 2, 4, 0, &array),
                  ZCS_ERROR_SIZE_OVERFLOW);
    ZCS_CK_STATUS(zcs_array_import_host(context, host, 4, 64, 0x1000, &array),
                  ZCS_ERROR_INVALID_ARGUMENT);
    ZCS_CK_STATUS(zcs_array_import_host(context, host, 4, 64, ZCS_ARRAY_EXPORTABLE, &array),
                  ZCS_ERROR_INVALID_ARGUMENT);
    ZCS_CK_STATUS(zcs_array_import_host(context, host, 4, 64,
                                        ZCS_ARRAY_HOST_READ_ONLY | ZCS_ARRAY_HOST_WRITE_ONLY,
                                        &array),
                  ZCS_ERROR_INVALID_ARGUMENT);
    ZCS_CK_STATUS(zcs_array_create(context, 4, 64, ZCS_ARRAY_REQUIRE_ZERO_COPY, &array),
                  ZCS_ERROR_INVALID_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(zcs_last_error(), "ZCS_ARRAY_REQUIRE_ZERO_COPY"));
    ZCS_CK_STATUS(zcs_array_import_fd(context, -1, ZCS_FD_OPAQUE, 4, 64, 0, &array),
                  ZCS_ERROR_INVALID_ARGUMENT);
    ZCS_CK_STATUS(zcs_array_import_fd(context, 0, (zcs_fd_type)7, 4, 64, 0, &array),
                  ZCS_ERROR_INVALID_ARGUMENT);
    ZCS_CK_STATUS(zcs_array_import_fd(NULL, 0, ZCS_FD_OPAQUE, 4, 64, 0, &array),
                  ZCS_ERROR_NULL_HANDLE);
    ZCS_CK_STATUS(zcs_array_import_fd(context, 0, ZCS_FD_OPAQUE, 0, 64, 0, &array),
                  ZCS_ERROR_ZERO_SIZE);
    ck_assert_ptr_null(array);

    /* Export: only arrays made for it. */
    int fd = -1;
    zcs_array *plain = zcs_test_indexed_u32(context, 64);
    ZCS_CK_STATUS(zcs_array_export_fd(plain, &fd), ZCS_ERROR_UNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(zcs_last_error(), "ZCS_ARRAY_EXPORTABLE"));
    ZCS_CK_STATUS(zcs_array_export_fd(plain, NULL), ZCS_ERROR_NULL_HANDLE);
    ZCS_CK_STATUS(zcs_array_export_fd(NULL, &fd), ZCS_ERROR_NULL_HANDLE);
    ck_assert_int_eq(fd, -1);
    ZCS_CK(zcs_array_destroy(plain));
    ZCS_CK_STATUS(zcs_array_export_fd(plain, &fd), ZCS_ERROR_INVALID_HANDLE);
    zcs_test_context_destroy(context);
}
END_TEST

/* What the device lacks is named, and the descriptor stays the caller's. */
START_TEST(missing_extensions_are_named)
{
    zcs_context *context = zcs_test_context();
    zcs_import_requirements rules = rules_of(context);
    zcs_array *array = NULL;
    int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    ck_assert_int_ge(fd, 0);
    if (!rules.dma_buf_import) {
        ZCS_CK_STATUS(zcs_array_import_fd(context, fd, ZCS_FD_DMA_BUF, 4, 64, 0, &array),
                      ZCS_ERROR_UNSUPPORTED);
        const char *wanted = zcs_test_backend() == ZCS_BACKEND_OPENCL
                                 ? "cl_khr_external_memory_dma_buf"
                                 : "VK_EXT_external_memory_dma_buf";
        ck_assert_msg(strstr(zcs_last_error(), wanted) != NULL, "%s", zcs_last_error());
    }
    if (!rules.opaque_fd_import) {
        ZCS_CK_STATUS(zcs_array_import_fd(context, fd, ZCS_FD_OPAQUE, 4, 64, 0, &array),
                      ZCS_ERROR_UNSUPPORTED);
        ck_assert_msg(strstr(zcs_last_error(), "cl_khr_external_memory") != NULL ||
                          strstr(zcs_last_error(), "VK_KHR_external_memory_fd") != NULL,
                      "%s", zcs_last_error());
    }
    if (!rules.opaque_fd_export) {
        ZCS_CK_STATUS(zcs_array_create(context, 4, 64, ZCS_ARRAY_EXPORTABLE, &array),
                      ZCS_ERROR_UNSUPPORTED);
        ck_assert_ptr_nonnull(strstr(zcs_last_error(), "export"));
    }
    ck_assert_ptr_null(array);
    ck_assert_int_eq(fcntl(fd, F_GETFD) >= 0, 1); /* still open: still ours */
    close(fd);
    zcs_test_context_destroy(context);
}
END_TEST

/* Validation mode on imported arrays: maps hand out a guarded shadow, results are right,
   and a host write outside the mapped range is reported at unmap. */
START_TEST(validation_mode_on_imports)
{
    zcs_context_desc desc = {.flags = ZCS_CONTEXT_VALIDATE};
    zcs_context *context = NULL;
    ZCS_CK(zcs_context_create(&desc, &context));
    size_t size = 4 * 4096;
    unsigned char *block = aligned_alloc(4096, size + 4096);
    ck_assert_ptr_nonnull(block);
    round_trip(context, (uint32_t *)block, (uint32_t)(size / 4));       /* zero-copy */
    round_trip(context, (uint32_t *)(block + 4), (uint32_t)(size / 4)); /* copying */

    zcs_array *array = NULL;
    ZCS_CK(zcs_array_import_host(context, block, 4, size / 4, 0, &array));
    uint32_t *data = NULL;
    ZCS_CK(zcs_array_map_range(array, ZCS_MAP_WRITE, 8, 8, (void **)&data));
    ck_assert_ptr_ne(data, (uint32_t *)block + 8); /* the shadow */
    data[8] = 1;                                   /* one past the range */
    ZCS_CK_STATUS(zcs_array_unmap(array), ZCS_ERROR_GUARD_CORRUPTED);
    ZCS_CK(zcs_array_destroy(array));
    free(block);
    zcs_test_context_destroy(context);
}
END_TEST

/* Two contexts of one process share an exported array (Vulkan; elsewhere the export is
   refused, see missing_extensions_are_named). */
START_TEST(export_and_import_in_one_process)
{
    zcs_context *first = zcs_test_context();
    if (!rules_of(first).opaque_fd_export) {
        printf("export: not offered here: %s\n", rules_of(first).description);
        zcs_test_context_destroy(first);
        return;
    }
    zcs_context *second = zcs_test_context();
    const uint32_t count = 3000;
    zcs_array *exported = NULL;
    ZCS_CK(zcs_array_create(first, sizeof(uint32_t), count, ZCS_ARRAY_EXPORTABLE, &exported));
    uint32_t *data = NULL;
    ZCS_CK(zcs_array_map(exported, ZCS_MAP_WRITE_DISCARD, (void **)&data));
    for (uint32_t i = 0; i < count; i++)
        data[i] = i;
    ZCS_CK(zcs_array_unmap(exported));
    int fd = -1;
    ZCS_CK(zcs_array_export_fd(exported, &fd));
    ck_assert_int_ge(fd, 0);
    zcs_array *imported = NULL;
    ZCS_CK(zcs_array_import_fd(second, fd, ZCS_FD_OPAQUE, sizeof(uint32_t), count, 0, &imported));
    zcs_array_info info;
    ZCS_CK(zcs_array_info_get(imported, &info));
    ck_assert_int_eq(info.imported, 1);
    ck_assert_int_eq(info.zero_copy, 1);
    increment(second, imported, count);
    zcs_test_expect_indexed(exported, count, amount);
    ZCS_CK(zcs_array_destroy(imported));
    ZCS_CK(zcs_array_destroy(exported));
    ck_assert_uint_eq(copied(first), 0);
    ck_assert_uint_eq(copied(second), 0);
    zcs_test_context_destroy(second);
    zcs_test_context_destroy(first);
}
END_TEST

/* Both processes check the layout of the structs they would share (zcs/particle.h) with
   zcs_struct_check before they touch the memory. */
static void check_particle_layout(zcs_context *context)
{
    static const zcs_field_desc fields[] = {
        ZCS_FIELD(zcs_particle, position), ZCS_FIELD(zcs_particle, mass),
        ZCS_FIELD(zcs_particle, velocity), ZCS_FIELD(zcs_particle, age),
        ZCS_FIELD(zcs_particle, id),       ZCS_FIELD(zcs_particle, bounces),
        ZCS_FIELD(zcs_particle, reserved),
    };
    char *source = zcs_test_read_source("include/zcs/particle.h");
    zcs_struct_desc desc = ZCS_STRUCT_DESC(zcs_particle, fields, source);
    ZCS_CK(zcs_struct_check(context, &desc, NULL));
    free(source);
}

/* A second process (fork and exec of import_child, which inherits the descriptor) imports
   the exported array, runs a kernel on it, and this process sees the result. */
START_TEST(export_to_another_process)
{
    zcs_context *context = zcs_test_context();
    if (!rules_of(context).opaque_fd_export) {
        printf("export: not offered here: %s\n", rules_of(context).description);
        zcs_test_context_destroy(context);
        return;
    }
    check_particle_layout(context);
    /* The layout check's probe arrays copy on the staged tier: count from here on. */
    zcs_stats before;
    ZCS_CK(zcs_stats_get(context, &before));
    const uint32_t count = 4096;
    zcs_array *array = NULL;
    ZCS_CK(zcs_array_create(context, sizeof(uint32_t), count, ZCS_ARRAY_EXPORTABLE, &array));
    uint32_t *data = NULL;
    ZCS_CK(zcs_array_map(array, ZCS_MAP_WRITE_DISCARD, (void **)&data));
    for (uint32_t i = 0; i < count; i++)
        data[i] = i;
    ZCS_CK(zcs_array_unmap(array));
    int fd = -1;
    ZCS_CK(zcs_array_export_fd(array, &fd));

    fflush(stdout);
    pid_t child = fork();
    ck_assert_int_ge(child, 0);
    if (child == 0) {
        /* Only async-signal-safe calls until exec: the descriptor outlives it. */
        int flags = fcntl(fd, F_GETFD);
        if (flags < 0 || fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC) < 0)
            _exit(3);
        char fd_text[16];
        char count_text[16];
        snprintf(fd_text, sizeof fd_text, "%d", fd);
        snprintf(count_text, sizeof count_text, "%u", count);
        execl(ZCS_TEST_IMPORT_CHILD, ZCS_TEST_IMPORT_CHILD, fd_text, count_text, (char *)NULL);
        _exit(4);
    }
    int wstatus = 0;
    ck_assert_int_eq(waitpid(child, &wstatus, 0), child);
    ck_assert_msg(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0,
                  "import_child failed (exit status %d)", WEXITSTATUS(wstatus));
    close(fd); /* the export's descriptor is ours; the child's copy died with it */
    zcs_test_expect_indexed(array, count, amount);
    ZCS_CK(zcs_array_destroy(array));
    zcs_stats stats;
    ZCS_CK(zcs_stats_get(context, &stats));
    ck_assert_uint_eq(stats.bytes_copied, before.bytes_copied);
    zcs_test_context_destroy(context);
}
END_TEST

/* Host imports (zero-copy and copying), and on Vulkan an export and its import. */
static zcs_status fault_scenario(zcs_context *context, unsigned char *block)
{
    zcs_array *shared = NULL;
    zcs_array *copying = NULL;
    zcs_array *exported = NULL;
    zcs_array *imported = NULL;
    zcs_program *program = NULL;
    zcs_kernel *kernel = NULL;
    uint32_t *data = NULL;
    int fd = -1;
    zcs_import_requirements rules;
    zcs_status status = zcs_import_requirements_get(context, &rules);
#define FAULT_STEP(call)                                                                           \
    if (status == ZCS_SUCCESS)                                                                     \
    status = (call)
    FAULT_STEP(zcs_array_import_host(context, block, 4, 1024, 0, &shared));
    FAULT_STEP(zcs_array_import_host(context, block + 4096 + 4, 4, 64, 0, &copying));
    FAULT_STEP(zcs_array_map(copying, ZCS_MAP_READ_WRITE, (void **)&data));
    FAULT_STEP(zcs_array_unmap(copying));
    FAULT_STEP(zcs_program_create_builtin(context, "increment_u32", &program));
    FAULT_STEP(zcs_kernel_create(program, "increment_u32", &kernel));
    FAULT_STEP(zcs_kernel_set_array(kernel, 0, shared));
    uint32_t count = 64;
    FAULT_STEP(zcs_kernel_set_value(kernel, 1, sizeof count, &count));
    FAULT_STEP(zcs_kernel_set_value(kernel, 2, sizeof amount, &amount));
    size_t global = 64;
    FAULT_STEP(zcs_dispatch(kernel, 1, &global, &global));
    FAULT_STEP(zcs_array_map(shared, ZCS_MAP_READ, (void **)&data));
    FAULT_STEP(zcs_array_unmap(shared));
    if (rules.opaque_fd_export) {
        FAULT_STEP(zcs_array_create(context, 4, 256, ZCS_ARRAY_EXPORTABLE, &exported));
        FAULT_STEP(zcs_array_export_fd(exported, &fd));
        FAULT_STEP(zcs_array_import_fd(context, fd, ZCS_FD_OPAQUE, 4, 256, 0, &imported));
        if (status == ZCS_SUCCESS)
            fd = -1; /* the import owns it */
    }
#undef FAULT_STEP
    if (fd >= 0)
        close(fd);
    zcs_kernel_destroy(kernel);
    zcs_program_destroy(program);
    zcs_array_destroy(imported);
    zcs_array_destroy(exported);
    zcs_array_destroy(copying);
    zcs_array_destroy(shared);
    return status;
}

static int documented(zcs_status status)
{
    return status == ZCS_ERROR_BACKEND || status == ZCS_ERROR_OUT_OF_MEMORY ||
           status == ZCS_ERROR_UNSUPPORTED || status == ZCS_ERROR_DISPATCH ||
           status == ZCS_ERROR_BUILD || status == ZCS_ERROR_DEVICE_LOST ||
           status == ZCS_ERROR_KERNEL_NOT_FOUND || status == ZCS_ERROR_KERNEL_ARGUMENT;
}

START_TEST(every_import_call_can_fail)
{
    zcs_context *context = zcs_test_context();
    unsigned char *block = aligned_alloc(4096, 2 * 4096);
    ck_assert_ptr_nonnull(block);
    faults_install();
    ZCS_CK(fault_scenario(context, block));
    unsigned long total = fault_counter_calls();
    ck_assert_uint_gt(total, 2);
    unsigned long fired = 0;
    for (unsigned long k = 1; k <= total; k++) {
        faults_arm(k);
        zcs_status status = fault_scenario(context, block);
        const char *call = fault_counter_fired_call();
        faults_disarm();
        if (call == NULL) {
            ck_assert_msg(status == ZCS_SUCCESS, "call %lu: no fault, yet %s", k,
                          zcs_status_name(status));
            continue;
        }
        fired++;
        ck_assert_msg(status == ZCS_SUCCESS || documented(status), "%s failing: %s (%s)", call,
                      zcs_status_name(status), zcs_last_error());
        /* The context is still whole: no array, program or kernel left behind. */
        zcs_stats stats;
        ZCS_CK(zcs_stats_get(context, &stats));
        ck_assert_uint_eq(stats.live_arrays, 0);
        ck_assert_uint_eq(stats.live_imported_arrays, 0);
    }
    faults_remove();
    ZCS_CK(fault_scenario(context, block));
    printf("import faults: %lu of %lu calls made to fail\n", fired, total);
    free(block);
    zcs_test_context_destroy(context);
}
END_TEST

/* The fd imports a device here lacks (dma-buf everywhere, every fd on PoCL), pretended
   offered, with their backend calls made to fail: a documented status, nothing left
   behind, and the descriptor still the caller's. */
START_TEST(fd_import_failures_leave_the_descriptor)
{
    zcs_context *context = zcs_test_context();
    int fd = open("/dev/zero", O_RDWR | O_CLOEXEC);
    ck_assert_int_ge(fd, 0);
    faults_install();
    static const struct {
        unsigned offered;
        zcs_fd_type type;
    } cases[] = {
        {ZCS__IMPORT_OPAQUE_FD, ZCS_FD_OPAQUE},
        {ZCS__IMPORT_OPAQUE_FD | ZCS__IMPORT_DMA_BUF, ZCS_FD_DMA_BUF},
        {ZCS__IMPORT_OPAQUE_FD | ZCS__IMPORT_ARM_DMA_BUF, ZCS_FD_DMA_BUF},
    };
    unsigned long fired = 0;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        /* lavapipe has opaque fds: there the real path runs in the tests above, with real
           descriptors (a /dev/zero one would be refused, and the layer would say so). */
        if (zcs_test_backend() == ZCS_BACKEND_VULKAN && cases[c].type == ZCS_FD_OPAQUE)
            continue;
        zcs__import_assume_offered(cases[c].offered);
        /* Only calls that fail here: a real one would reach a driver without the extension
           (on Vulkan the first call of the dma-buf path is the fd's properties). */
        for (unsigned long k = 1; k <= 8; k++) {
            faults_arm(k);
            zcs_array *array = NULL;
            zcs_status status = zcs_array_import_fd(context, fd, cases[c].type, 4, 1024, 0, &array);
            const char *call = fault_counter_fired_call();
            faults_disarm();
            if (call == NULL) {
                /* The path ran out of calls before k: the device's own refusal (OpenCL) or
                   an import that succeeded (Vulkan opaque fd: lavapipe has it). */
                if (status == ZCS_SUCCESS) {
                    ZCS_CK(zcs_array_destroy(array));
                    fd = open("/dev/zero", O_RDWR | O_CLOEXEC); /* that one is the driver's */
                    ck_assert_int_ge(fd, 0);
                }
                break;
            }
            fired++;
            ck_assert_msg(status == ZCS_ERROR_BACKEND || status == ZCS_ERROR_OUT_OF_MEMORY,
                          "%s failing: %s (%s)", call, zcs_status_name(status), zcs_last_error());
            ck_assert_ptr_null(array);
            ck_assert_int_ge(fcntl(fd, F_GETFD), 0);
            if (zcs_test_backend() == ZCS_BACKEND_VULKAN && cases[c].type == ZCS_FD_DMA_BUF)
                break;
        }
    }
    zcs__import_assume_offered(0);
    faults_remove();
    zcs_stats stats;
    ZCS_CK(zcs_stats_get(context, &stats));
    ck_assert_uint_eq(stats.live_arrays, 0);
    ck_assert_uint_gt(fired, 0);
    printf("fd import faults: %lu injected\n", fired);
    close(fd);
    zcs_test_context_destroy(context);
}
END_TEST

static Suite *import_suite(void)
{
    Suite *suite = suite_create("import");
    TCase *tc = tcase_create("import");
    tcase_add_test(tc, requirements_are_reported);
    tcase_add_test(tc, malloced_array);
    tcase_add_test(tc, aligned_alloc_array_is_zero_copy);
    tcase_add_test(tc, mmapped_array_is_zero_copy);
    tcase_add_test(tc, misaligned_pointer_copies_exactly);
    tcase_add_test(tc, odd_size_follows_the_rule);
    tcase_add_test(tc, require_zero_copy_refuses_with_the_rule);
    tcase_add_test(tc, statistics_count_imports);
    tcase_add_test(tc, bad_arguments);
    tcase_add_test(tc, missing_extensions_are_named);
    tcase_add_test(tc, validation_mode_on_imports);
    tcase_add_test(tc, export_and_import_in_one_process);
    tcase_add_test(tc, export_to_another_process);
    tcase_add_test(tc, every_import_call_can_fail);
    tcase_add_test(tc, fd_import_failures_leave_the_descriptor);
    suite_add_tcase(suite, tc);
    return suite;
}

int main(void)
{
    return zcs_test_run(import_suite());
}
