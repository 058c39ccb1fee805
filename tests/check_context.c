/* Context creation, device and tier choice, info, statistics and errors. */
#define _POSIX_C_SOURCE 200809L /* setenv */

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/zcs_test.h"

START_TEST(default_context_reports_its_choice)
{
    zcs_context *context = zcs_test_context();
    zcs_context_info info;
    ZCS_CK(zcs_context_info_get(context, &info));
    ck_assert_int_eq(info.backend, zcs_test_backend());
    ck_assert_str_eq(info.backend_name,
                     zcs_test_backend() == ZCS_BACKEND_OPENCL ? "OpenCL" : "Vulkan");
    ck_assert_str_ne(info.device_name, "");
    ck_assert_str_ne(info.platform_name, "");
    ck_assert_int_ne(info.tier, ZCS_TIER_AUTO);
    ck_assert_ptr_nonnull(strstr(info.tier_reason, zcs_tier_name(info.tier)));
    ck_assert_uint_gt(info.max_alloc_size, 0);
    ck_assert_uint_ge(info.alignment, 64);
    ck_assert_uint_eq(info.alignment & (info.alignment - 1), 0);
    /* A CPU device (PoCL, lavapipe) shares the host's memory. */
    if (!info.is_gpu)
        ck_assert_int_eq(info.unified_memory, 1);
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(device_filter_matches_case_insensitively)
{
    zcs_context *context = zcs_test_context();
    zcs_context_info info;
    ZCS_CK(zcs_context_info_get(context, &info));
    /* Upper-case the first 6 characters of the chosen device's name and ask for it. */
    char filter[7] = {0};
    strncpy(filter, info.device_name, 6);
    for (char *c = filter; *c != '\0'; c++)
        if (*c >= 'a' && *c <= 'z')
            *c = (char)(*c - 'a' + 'A');
    zcs_context_desc desc = {0};
    desc.device_name = filter;
    zcs_context *named = NULL;
    ZCS_CK(zcs_context_create(&desc, &named));
    zcs_context_info named_info;
    ZCS_CK(zcs_context_info_get(named, &named_info));
    ck_assert_str_eq(named_info.device_name, info.device_name);
    zcs_test_context_destroy(named);
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(unknown_device_name_lists_what_was_found)
{
    zcs_context_desc desc = {0};
    desc.device_name = "no-such-device-anywhere";
    zcs_context *context = NULL;
    ZCS_CK_STATUS(zcs_context_create(&desc, &context), ZCS_ERROR_NO_DEVICE);
    ck_assert_ptr_null(context);
    ck_assert_ptr_nonnull(strstr(zcs_last_error(), "no-such-device-anywhere"));
}
END_TEST

START_TEST(environment_device_filter_applies)
{
    setenv("ZCS_DEVICE", "no-such-device-anywhere", 1);
    zcs_context *context = NULL;
    ZCS_CK_STATUS(zcs_context_create(NULL, &context), ZCS_ERROR_NO_DEVICE);
    zcs_context_desc desc = {0};
    desc.flags = ZCS_CONTEXT_IGNORE_ENVIRONMENT;
    ZCS_CK(zcs_context_create(&desc, &context));
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(each_offered_tier_can_be_forced)
{
    int offered = 0;
    for (int t = ZCS_TIER_SVM_FINE; t < ZCS_TIER_COUNT; t++) {
        zcs_context_desc desc = {0};
        desc.tier = (zcs_tier)t;
        zcs_context *context = NULL;
        zcs_status status = zcs_context_create(&desc, &context);
        if (status == ZCS_ERROR_UNSUPPORTED) {
            ck_assert_ptr_nonnull(strstr(zcs_last_error(), zcs_tier_name((zcs_tier)t)));
            continue;
        }
        ZCS_CK(status);
        zcs_context_info info;
        ZCS_CK(zcs_context_info_get(context, &info));
        ck_assert_int_eq(info.tier, t);
        ck_assert_ptr_nonnull(strstr(info.tier_reason, "forced"));
        offered++;
        zcs_test_context_destroy(context);
    }
    /* PoCL offers all four OpenCL tiers, lavapipe both Vulkan tiers; every OpenCL device
       offers host_ptr and staged at least. */
    zcs_context *context = zcs_test_context();
    zcs_context_info info;
    ZCS_CK(zcs_context_info_get(context, &info));
    if (strstr(info.platform_name, "Portable Computing Language") != NULL)
        ck_assert_int_eq(offered, 4);
    else if (zcs_test_backend() == ZCS_BACKEND_VULKAN)
        ck_assert_int_eq(offered, 2);
    else
        ck_assert_int_ge(offered, 2);
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(forcing_another_backends_tier_is_unsupported)
{
    zcs_context_desc desc = {0};
    desc.tier =
        zcs_test_backend() == ZCS_BACKEND_OPENCL ? ZCS_TIER_VULKAN_MAPPED : ZCS_TIER_SVM_FINE;
    zcs_context *context = NULL;
    ZCS_CK_STATUS(zcs_context_create(&desc, &context), ZCS_ERROR_UNSUPPORTED);
    ck_assert_ptr_null(context);
}
END_TEST

START_TEST(environment_tier_is_checked)
{
    setenv("ZCS_TIER", "no_such_tier", 1);
    zcs_context *context = NULL;
    ZCS_CK_STATUS(zcs_context_create(NULL, &context), ZCS_ERROR_INVALID_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(zcs_last_error(), "no_such_tier"));
    setenv("ZCS_TIER", zcs_test_backend() == ZCS_BACKEND_OPENCL ? "vulkan_mapped" : "host_ptr", 1);
    ZCS_CK_STATUS(zcs_context_create(NULL, &context), ZCS_ERROR_UNSUPPORTED);
    ck_assert_ptr_nonnull(strstr(zcs_last_error(), "ZCS_TIER"));
}
END_TEST

START_TEST(bad_descriptions_are_refused)
{
    zcs_context *context = NULL;
    ZCS_CK_STATUS(zcs_context_create(NULL, NULL), ZCS_ERROR_NULL_HANDLE);
    zcs_context_desc desc = {0};
    desc.flags = 0x80000000u;
    ZCS_CK_STATUS(zcs_context_create(&desc, &context), ZCS_ERROR_INVALID_ARGUMENT);
    desc.flags = 0;
    desc.tier = (zcs_tier)99;
    ZCS_CK_STATUS(zcs_context_create(&desc, &context), ZCS_ERROR_INVALID_ARGUMENT);
    ck_assert_ptr_null(context);
}
END_TEST

START_TEST(validation_flag_is_reported)
{
    zcs_context_desc desc = {0};
    desc.flags = ZCS_CONTEXT_VALIDATE;
    zcs_context *context = NULL;
    ZCS_CK(zcs_context_create(&desc, &context));
    zcs_context_info info;
    ZCS_CK(zcs_context_info_get(context, &info));
    ck_assert_int_eq(info.validation, 1);
    ZCS_CK_STATUS(zcs_context_info_get(context, NULL), ZCS_ERROR_NULL_HANDLE);
    ZCS_CK_STATUS(zcs_stats_get(context, NULL), ZCS_ERROR_NULL_HANDLE);
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(validation_follows_the_environment)
{
    zcs_context *context = NULL;
    zcs_context_info info;
    setenv("ZCS_VALIDATE", "1", 1);
    ZCS_CK(zcs_context_create(NULL, &context));
    ZCS_CK(zcs_context_info_get(context, &info));
    ck_assert_int_eq(info.validation, 1);
    zcs_test_context_destroy(context);
    setenv("ZCS_VALIDATE", "0", 1);
    ZCS_CK(zcs_context_create(NULL, &context));
    ZCS_CK(zcs_context_info_get(context, &info));
    ck_assert_int_eq(info.validation, 0);
    zcs_test_context_destroy(context);
    unsetenv("ZCS_VALIDATE");
}
END_TEST

START_TEST(context_error_message_is_kept_per_context)
{
    zcs_context *context = zcs_test_context();
    ck_assert_str_eq(zcs_context_last_error(context), "");
    zcs_array *buffer = NULL;
    ZCS_CK_STATUS(zcs_array_create(context, 0, 10, 0, &buffer), ZCS_ERROR_ZERO_SIZE);
    ck_assert_ptr_nonnull(strstr(zcs_context_last_error(context), "zero"));
    ck_assert_str_eq(zcs_context_last_error(context), zcs_last_error());
    ck_assert_int_eq(zcs_context_last_backend_error(context), 0);
    zcs_test_context_destroy(context);
}
END_TEST

/* Issue 10, case 8: ZCS_VALIDATE takes 0/1, no/yes, off/on, false/true; "no" is off. */
START_TEST(validation_environment_values_mean_what_they_say)
{
    static const char *const values[] = {"no",  "NO", "off",  "false", "0",  "",
                                         "yes", "on", "true", "1",     "Yes"};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        int expected = i >= 6;
        zcs_context *context = NULL;
        zcs_context_info info;
        setenv("ZCS_VALIDATE", values[i], 1);
        ZCS_CK(zcs_context_create(NULL, &context));
        ZCS_CK(zcs_context_info_get(context, &info));
        ck_assert_msg(info.validation == expected, "ZCS_VALIDATE=%s gave validation %d", values[i],
                      info.validation);
        zcs_test_context_destroy(context);
    }
    zcs_context *context = NULL;
    setenv("ZCS_VALIDATE", "maybe", 1);
    ZCS_CK_STATUS(zcs_context_create(NULL, &context), ZCS_ERROR_INVALID_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(zcs_last_error(), "ZCS_VALIDATE"));
    ck_assert_ptr_null(context);
    unsetenv("ZCS_VALIDATE");
}
END_TEST

/* Issue 10, case 8: the string zcs_context_last_error returns is this thread's copy;
   another thread's failure on the context does not rewrite it. */
typedef struct failer {
    zcs_context *context;
    zcs_status status;
} failer;

static void *fail_on_context(void *argument)
{
    failer *f = argument;
    zcs_array *buffer = NULL;
    f->status = zcs_array_create(f->context, 4, 4, 0x100, &buffer); /* unknown flag bits */
    (void)zcs_context_last_error(f->context);
    return NULL;
}

START_TEST(context_error_string_is_not_rewritten_by_other_threads)
{
    zcs_context *context = zcs_test_context();
    zcs_array *buffer = NULL;
    ZCS_CK_STATUS(zcs_array_create(context, 0, 10, 0, &buffer), ZCS_ERROR_ZERO_SIZE);
    const char *mine = zcs_context_last_error(context);
    char expected[256];
    snprintf(expected, sizeof expected, "%s", mine);
    ck_assert_ptr_nonnull(strstr(expected, "zero"));
    failer f = {context, ZCS_SUCCESS};
    pthread_t thread;
    ck_assert_int_eq(pthread_create(&thread, NULL, fail_on_context, &f), 0);
    ck_assert_int_eq(pthread_join(thread, NULL), 0);
    ck_assert_int_eq(f.status, ZCS_ERROR_INVALID_ARGUMENT);
    ck_assert_str_eq(mine, expected);
    /* Asked again, the context gives the newest failure, the other thread's. */
    ck_assert_ptr_nonnull(strstr(zcs_context_last_error(context), "flag"));
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(destroy_frees_what_is_left)
{
    /* A context destroyed with live objects releases them (leak checkers watch this). */
    zcs_context *context = zcs_test_context();
    zcs_array *buffer = NULL;
    zcs_program *program = NULL;
    zcs_kernel *kernel = NULL;
    void *ptr = NULL;
    ZCS_CK(zcs_array_create(context, 16, 100, 0, &buffer));
    ZCS_CK(zcs_array_map(buffer, ZCS_MAP_WRITE, &ptr));
    ZCS_CK(zcs_program_create_builtin(context, "increment_u32", &program));
    ZCS_CK(zcs_kernel_create(program, "increment_u32", &kernel));
    zcs_context_destroy(context);
}
END_TEST

START_TEST(stats_start_at_zero)
{
    zcs_context *context = zcs_test_context();
    zcs_stats stats;
    ZCS_CK(zcs_stats_get(context, &stats));
    zcs_stats zero;
    memset(&zero, 0, sizeof zero);
    ck_assert_mem_eq(&stats, &zero, sizeof stats);
    ZCS_CK(zcs_finish(context));
    zcs_test_context_destroy(context);
}
END_TEST

/* The wait policy: names, the automatic choice and its reason, forcing it by the context
   option and by ZCS_WAIT, and refusals. */
START_TEST(wait_names_cover_the_enum)
{
    ck_assert_str_eq(zcs_wait_name(ZCS_WAIT_AUTO), "auto");
    ck_assert_str_eq(zcs_wait_name(ZCS_WAIT_BLOCK), "block");
    ck_assert_str_eq(zcs_wait_name(ZCS_WAIT_POLL), "poll");
    ck_assert_ptr_null(zcs_wait_name((zcs_wait)ZCS_WAIT_COUNT));
    ck_assert_ptr_null(zcs_wait_name((zcs_wait)-1));
}
END_TEST

/* A CPU device (PoCL, lavapipe) runs its kernels on the cores a poll would take: the
   automatic choice blocks there, and says why. */
START_TEST(automatic_wait_is_reported)
{
    unsetenv("ZCS_WAIT");
    zcs_context *context = zcs_test_context();
    zcs_context_info info;
    ZCS_CK(zcs_context_info_get(context, &info));
    ck_assert_int_ne(info.wait, ZCS_WAIT_AUTO);
    ck_assert_ptr_nonnull(info.wait_reason);
    ck_assert_ptr_nonnull(strstr(info.wait_reason, zcs_wait_name(info.wait)));
    ck_assert_uint_eq(info.wait_poll_us, info.wait == ZCS_WAIT_POLL ? ZCS_DEFAULT_WAIT_POLL_US : 0);
    if (!info.is_gpu || info.unified_memory || zcs_test_backend() == ZCS_BACKEND_OPENCL)
        ck_assert_int_eq(info.wait, ZCS_WAIT_BLOCK);
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(wait_can_be_forced_by_the_context_option)
{
    setenv("ZCS_WAIT", "block", 1); /* the option wins over the variable */
    zcs_context_desc desc = {0};
    desc.wait = ZCS_WAIT_POLL;
    zcs_context *context = NULL;
    ZCS_CK(zcs_context_create(&desc, &context));
    zcs_context_info info;
    ZCS_CK(zcs_context_info_get(context, &info));
    ck_assert_int_eq(info.wait, ZCS_WAIT_POLL);
    ck_assert_uint_eq(info.wait_poll_us, ZCS_DEFAULT_WAIT_POLL_US);
    ck_assert_ptr_nonnull(strstr(info.wait_reason, "the context option"));
    zcs_test_context_destroy(context);

    desc.wait_poll_us = 7;
    ZCS_CK(zcs_context_create(&desc, &context));
    ZCS_CK(zcs_context_info_get(context, &info));
    ck_assert_uint_eq(info.wait_poll_us, 7);
    zcs_test_context_destroy(context);

    unsetenv("ZCS_WAIT");
    desc.wait = ZCS_WAIT_BLOCK;
    ZCS_CK(zcs_context_create(&desc, &context));
    ZCS_CK(zcs_context_info_get(context, &info));
    ck_assert_int_eq(info.wait, ZCS_WAIT_BLOCK);
    ck_assert_uint_eq(info.wait_poll_us, 0);
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(environment_wait_is_checked)
{
    zcs_context *context = NULL;
    zcs_context_info info;
    setenv("ZCS_WAIT", "poll", 1);
    ZCS_CK(zcs_context_create(NULL, &context));
    ZCS_CK(zcs_context_info_get(context, &info));
    ck_assert_int_eq(info.wait, ZCS_WAIT_POLL);
    ck_assert_ptr_nonnull(strstr(info.wait_reason, "ZCS_WAIT"));
    zcs_test_context_destroy(context);

    zcs_context_desc desc = {0};
    desc.flags = ZCS_CONTEXT_IGNORE_ENVIRONMENT;
    setenv("ZCS_WAIT", "sometimes", 1);
    ZCS_CK(zcs_context_create(&desc, &context)); /* not read */
    zcs_test_context_destroy(context);
    context = NULL;
    ZCS_CK_STATUS(zcs_context_create(NULL, &context), ZCS_ERROR_INVALID_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(zcs_last_error(), "ZCS_WAIT=sometimes"));
    ck_assert_ptr_null(context);
    unsetenv("ZCS_WAIT");

    desc.flags = 0;
    desc.wait = (zcs_wait)ZCS_WAIT_COUNT;
    ZCS_CK_STATUS(zcs_context_create(&desc, &context), ZCS_ERROR_INVALID_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(zcs_last_error(), "unknown wait"));
    ck_assert_ptr_null(context);
}
END_TEST

static Suite *context_suite(void)
{
    Suite *suite = suite_create("context");
    TCase *tc = tcase_create("context");
    tcase_add_checked_fixture(tc, zcs_test_save_environment, zcs_test_restore_environment);
    tcase_add_test(tc, default_context_reports_its_choice);
    tcase_add_test(tc, device_filter_matches_case_insensitively);
    tcase_add_test(tc, unknown_device_name_lists_what_was_found);
    tcase_add_test(tc, environment_device_filter_applies);
    tcase_add_test(tc, each_offered_tier_can_be_forced);
    tcase_add_test(tc, forcing_another_backends_tier_is_unsupported);
    tcase_add_test(tc, environment_tier_is_checked);
    tcase_add_test(tc, bad_descriptions_are_refused);
    tcase_add_test(tc, validation_flag_is_reported);
    tcase_add_test(tc, validation_follows_the_environment);
    tcase_add_test(tc, context_error_message_is_kept_per_context);
    tcase_add_test(tc, destroy_frees_what_is_left);
    tcase_add_test(tc, stats_start_at_zero);
    tcase_add_test(tc, validation_environment_values_mean_what_they_say);
    tcase_add_test(tc, context_error_string_is_not_rewritten_by_other_threads);
    tcase_add_test(tc, wait_names_cover_the_enum);
    tcase_add_test(tc, automatic_wait_is_reported);
    tcase_add_test(tc, wait_can_be_forced_by_the_context_option);
    tcase_add_test(tc, environment_wait_is_checked);
    suite_add_tcase(suite, tc);
    return suite;
}

int main(void)
{
    return zcs_test_run(context_suite());
}
