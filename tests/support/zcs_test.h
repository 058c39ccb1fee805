/*
 * Shared fixtures of the Check suites. Each test creates its own context (never the
 * parent before Check forks: a PoCL context made before fork() hangs in the child).
 */
#ifndef ZCS_TESTS_SUPPORT_ZCS_TEST_H
#define ZCS_TESTS_SUPPORT_ZCS_TEST_H

#include <check.h>
#include <stddef.h>
#include <stdint.h>

#include <zcs/zcs.h>

/* Assert a zcs call succeeded, printing its status and message when not. */
#define ZCS_CK(call)                                                                               \
    do {                                                                                           \
        zcs_status zcs_ck_status_ = (call);                                                        \
        ck_assert_msg(zcs_ck_status_ == ZCS_SUCCESS, "%s -> %s: %s", #call,                        \
                      zcs_status_name(zcs_ck_status_), zcs_last_error());                          \
    } while (0)

/* Assert a zcs call failed with `expected`, and that it left a message. */
#define ZCS_CK_STATUS(call, expected)                                                              \
    do {                                                                                           \
        zcs_status zcs_ck_status_ = (call);                                                        \
        ck_assert_msg(zcs_ck_status_ == (expected), "%s -> %s, expected %s (%s)", #call,           \
                      zcs_status_name(zcs_ck_status_), zcs_status_name(expected),                  \
                      zcs_last_error());                                                           \
        ck_assert_msg(zcs_last_error()[0] != '\0', "%s left no error message", #call);             \
    } while (0)

/* A context on the device and tier under test (ZCS_DEVICE/ZCS_TIER from ctest). */
zcs_context *zcs_test_context(void);

/*
 * Check that `context` has no live objects left and no validation messages, then
 * destroy it. Every test ends with this.
 */
void zcs_test_context_destroy(zcs_context *context);

/*
 * Check zcs_stats.bytes_copied: 0 on every zero-copy tier of a device that shares memory
 * with the host and on Vulkan's vulkan_mapped; on the staged tier (forced, as CI does on
 * PoCL and lavapipe, or automatic on a discrete GPU), and on an OpenCL device with memory
 * of its own, where the runtime copies, exactly `separate_memory_bytes` (the mapped range
 * of every map but ZCS_MAP_WRITE_DISCARD, plus that of every unmap after writing), or any
 * count above 0 when that is ZCS_TEST_SOME_COPIES.
 */
void zcs_test_expect_copies(zcs_context *context, uint64_t separate_memory_bytes);
#define ZCS_TEST_SOME_COPIES UINT64_MAX

/* The backend of this build. */
zcs_backend zcs_test_backend(void);

/* Kernel source in the backend's language that builds, with a kernel named "fill_u32":
   fill_u32(array uint data, uint count, uint value) sets data[i] = value + i. */
const char *zcs_test_good_source(void);

/* Kernel source in the backend's language that does not compile. */
const char *zcs_test_bad_source(void);

/* Path of the file of builtin program `name` as zcs_program_create_from_file takes it on
   this backend (kernels/<name>.cl, or the build tree's kernels/<name>.spv). */
const char *zcs_test_kernel_file(const char *name);

/* The builtin increment_u32 with its arguments set (data[i] += amount for i < count);
 *out_program receives its program, to destroy with the kernel. */
zcs_kernel *zcs_test_increment_kernel(zcs_context *context, zcs_array *buffer, uint32_t count,
                                      uint32_t amount, zcs_program **out_program);

/* Map `buffer` for reading and check that its first `count` uint32 elements are
   i + offset. */
void zcs_test_expect_indexed(zcs_array *buffer, uint32_t count, uint32_t offset);

/* The same for elements [first, first + count) alone, mapped as that range. */
void zcs_test_expect_indexed_range(zcs_array *buffer, uint32_t first, uint32_t count,
                                   uint32_t offset);

/* zcs_stats.device_waits of the context so far. */
uint64_t zcs_test_device_waits(zcs_context *context);

/* Leave a read-ahead unused on `array` (indexed, with the +1 `increment` kernel on it):
   dispatch, read it back, dispatch again and finish. On the staged tier the second dispatch
   has copied the array back behind its kernel; elsewhere nothing is read ahead. */
void zcs_test_leave_read_ahead(zcs_context *context, zcs_kernel *increment, zcs_array *array,
                               uint32_t count);

/* A file of the source tree (ZCS_TEST_SOURCE_DIR/relative_path) as a NUL-terminated
   string to free(). */
char *zcs_test_read_source(const char *relative_path);

/*
 * A whole kernel source as zcs_struct_check composes it: `prologue` (#version and
 * extensions for GLSL, "" for OpenCL C), the text of zcs/layout.h, `header_text` with its
 * #include "zcs/layout.h" line blanked, then `kernel_text`. Free the result.
 */
char *zcs_test_compose_source(const char *prologue, const char *header_text,
                              const char *kernel_text);

/* An array of `count` uint32 elements holding 0, 1, 2, ... */
zcs_array *zcs_test_indexed_u32(zcs_context *context, uint32_t count);

/* Kernel `name` of the builtin program `name`; *program receives the program. */
zcs_kernel *zcs_test_builtin_kernel(zcs_context *context, const char *name, zcs_program **program);

/* Set increment_u32's arguments: data[i] += amount for i < count. */
void zcs_test_set_increment_args(zcs_kernel *kernel, zcs_array *array, uint32_t count,
                                 uint32_t amount);

/* A checked fixture for tests that set ZCS_DEVICE, ZCS_TIER or ZCS_WAIT: save them, and put
   them back after the test (tests also run without fork, CK_FORK=no). */
void zcs_test_save_environment(void);
void zcs_test_restore_environment(void);

/* Run a Check suite; returns the process exit status (0 when every test passed). */
int zcs_test_run(Suite *suite);

#endif /* ZCS_TESTS_SUPPORT_ZCS_TEST_H */
