/* Device enumeration (zcs_device_count, zcs_device_get_info) and choice by index. */
#define _POSIX_C_SOURCE 200809L /* setenv */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/zcs_test.h"

static uint32_t device_count(void)
{
    uint32_t count = 0;
    ZCS_CK(zcs_device_count(&count));
    return count;
}

/* A context on device `index`, ignoring ZCS_DEVICE and ZCS_TIER (the automatic tier). */
static zcs_context *context_on(uint32_t index)
{
    zcs_context_desc desc = {0};
    desc.flags = ZCS_CONTEXT_DEVICE_INDEX | ZCS_CONTEXT_IGNORE_ENVIRONMENT;
    desc.device_index = index;
    zcs_context *context = NULL;
    ZCS_CK(zcs_context_create(&desc, &context));
    return context;
}

START_TEST(count_is_at_least_one)
{
    /* The CI device: PoCL's CPU device, or lavapipe. */
    ck_assert_uint_ge(device_count(), 1);
}
END_TEST

START_TEST(each_device_is_described)
{
    uint32_t count = device_count();
    uint32_t usable = 0;
    uint32_t defaults = 0;
    for (uint32_t i = 0; i < count; i++) {
        zcs_device_info info;
        memset(&info, 0xab, sizeof info);
        ZCS_CK(zcs_device_get_info(i, &info));
        ck_assert_uint_eq(info.index, i);
        ck_assert_int_eq(info.backend, zcs_test_backend());
        ck_assert_str_ne(info.name, "");
        ck_assert_str_ne(info.platform_name, "");
        ck_assert_str_ne(info.api_version, "");
        ck_assert_ptr_nonnull(zcs_device_type_name(info.type));
        ck_assert_int_eq(info.is_gpu, info.type == ZCS_DEVICE_TYPE_INTEGRATED_GPU ||
                                          info.type == ZCS_DEVICE_TYPE_DISCRETE_GPU ||
                                          info.type == ZCS_DEVICE_TYPE_VIRTUAL_GPU);
        ck_assert_int_eq(info.usable, info.refusal[0] == '\0');
        ck_assert_int_eq(info.validation_mode_available, info.usable);
        ck_assert_int_eq(info.validation_layer_available,
                         zcs_test_backend() == ZCS_BACKEND_VULKAN); /* the tests install it */
        defaults += info.is_default != 0;
        if (!info.usable) {
            ck_assert_uint_eq(info.tiers, 0);
            ck_assert_int_eq(info.tier, ZCS_TIER_AUTO);
            ck_assert_int_eq(info.is_default, 0);
            continue;
        }
        usable++;
        ck_assert_uint_ne(info.tiers & ZCS_TIER_BIT(info.tier), 0);
        ck_assert_uint_eq(info.tiers & ZCS_TIER_BIT(ZCS_TIER_AUTO), 0);
        if (zcs_test_backend() == ZCS_BACKEND_OPENCL) {
            ck_assert_uint_ne(info.tiers & ZCS_TIER_BIT(ZCS_TIER_HOST_PTR), 0);
            ck_assert_uint_ne(info.tiers & ZCS_TIER_BIT(ZCS_TIER_STAGED), 0);
            ck_assert_uint_eq(info.tiers & ZCS_TIER_BIT(ZCS_TIER_VULKAN_MAPPED), 0);
            ck_assert_uint_gt(info.limits.compute_units, 0);
            ck_assert_uint_ge(info.limits.max_parameter_bytes, 256); /* OpenCL's minimum */
        } else {
            ck_assert_uint_eq(info.tiers,
                              ZCS_TIER_BIT(ZCS_TIER_VULKAN_MAPPED) | ZCS_TIER_BIT(ZCS_TIER_STAGED));
            ck_assert_uint_eq(info.limits.compute_units, 0);
            ck_assert_uint_ge(info.limits.max_parameter_bytes, 128); /* Vulkan's minimum */
        }
        ck_assert_ptr_nonnull(strstr(info.tier_reason, zcs_tier_name(info.tier)));
        ck_assert_uint_ge(info.alignment, 64);
        ck_assert_uint_eq(info.alignment & (info.alignment - 1), 0);
        ck_assert_uint_gt(info.limits.max_alloc_size, 0);
        ck_assert_uint_ge(info.limits.memory_budget, info.limits.max_alloc_size);
        ck_assert_uint_gt(info.limits.max_work_group_size, 0);
        for (int d = 0; d < 3; d++) {
            ck_assert_uint_gt(info.limits.max_work_item_sizes[d], 0);
            ck_assert_uint_le(info.limits.max_work_item_sizes[d], info.limits.max_work_group_size);
        }
        ck_assert_uint_ge(info.limits.local_memory_size, 16384); /* both APIs' minimum */
        /* A CPU device (PoCL, lavapipe) shares the host's memory. */
        if (info.type == ZCS_DEVICE_TYPE_CPU)
            ck_assert_int_eq(info.unified_memory, 1);
    }
    ck_assert_uint_ge(usable, 1);
    ck_assert_uint_eq(defaults, 1);
}
END_TEST

START_TEST(description_equals_what_a_context_reports)
{
    uint32_t count = device_count();
    for (uint32_t i = 0; i < count; i++) {
        zcs_device_info device;
        ZCS_CK(zcs_device_get_info(i, &device));
        if (!device.usable)
            continue;
        zcs_context *context = context_on(i);
        zcs_context_info info;
        ZCS_CK(zcs_context_info_get(context, &info));
        ck_assert_uint_eq(info.device_index, i);
        ck_assert_int_eq(info.backend, device.backend);
        ck_assert_str_eq(info.device_name, device.name);
        ck_assert_str_eq(info.platform_name, device.platform_name);
        ck_assert_int_eq(info.is_gpu, device.is_gpu);
        ck_assert_int_eq(info.unified_memory, device.unified_memory);
        ck_assert_int_eq(info.tier, device.tier);
        ck_assert_str_eq(info.tier_reason, device.tier_reason);
        ck_assert_uint_eq(info.alignment, device.alignment);
        ck_assert_uint_eq(info.max_alloc_size, device.limits.max_alloc_size);
        ck_assert_uint_eq(info.memory_budget, device.limits.memory_budget);
        ck_assert_uint_eq(info.limits.max_alloc_size, device.limits.max_alloc_size);
        ck_assert_uint_eq(info.limits.memory_budget, device.limits.memory_budget);
        ck_assert_uint_eq(info.limits.max_work_group_size, device.limits.max_work_group_size);
        for (int d = 0; d < 3; d++)
            ck_assert_uint_eq(info.limits.max_work_item_sizes[d],
                              device.limits.max_work_item_sizes[d]);
        ck_assert_uint_eq(info.limits.local_memory_size, device.limits.local_memory_size);
        ck_assert_uint_eq(info.limits.compute_units, device.limits.compute_units);
        ck_assert_uint_eq(info.limits.max_parameter_bytes, device.limits.max_parameter_bytes);
        zcs_test_context_destroy(context);
    }
}
END_TEST

START_TEST(default_context_is_on_the_default_device)
{
    zcs_context_desc desc = {0};
    desc.flags = ZCS_CONTEXT_IGNORE_ENVIRONMENT;
    zcs_context *context = NULL;
    ZCS_CK(zcs_context_create(&desc, &context));
    zcs_context_info info;
    ZCS_CK(zcs_context_info_get(context, &info));
    zcs_device_info device;
    ZCS_CK(zcs_device_get_info(info.device_index, &device));
    ck_assert_int_eq(device.is_default, 1);
    ck_assert_str_eq(device.name, info.device_name);
    zcs_test_context_destroy(context);
}
END_TEST

START_TEST(selection_by_index_equals_selection_by_name)
{
    uint32_t count = device_count();
    for (uint32_t i = 0; i < count; i++) {
        zcs_device_info device;
        ZCS_CK(zcs_device_get_info(i, &device));
        if (!device.usable)
            continue;
        /* By the full name: the best device of that name, which is this one unless an
           earlier-scored twin shares the name. */
        zcs_context_desc desc = {0};
        desc.device_name = device.name;
        desc.flags = ZCS_CONTEXT_IGNORE_ENVIRONMENT;
        zcs_context *by_name = NULL;
        ZCS_CK(zcs_context_create(&desc, &by_name));
        zcs_context_info name_info;
        ZCS_CK(zcs_context_info_get(by_name, &name_info));
        ck_assert_str_eq(name_info.device_name, device.name);

        zcs_context *by_index = context_on(name_info.device_index);
        zcs_context_info index_info;
        ZCS_CK(zcs_context_info_get(by_index, &index_info));
        ck_assert_str_eq(index_info.device_name, name_info.device_name);
        ck_assert_str_eq(index_info.platform_name, name_info.platform_name);
        ck_assert_uint_eq(index_info.device_index, name_info.device_index);
        zcs_test_context_destroy(by_index);
        zcs_test_context_destroy(by_name);

        /* "#i" and "i" in device_name and in ZCS_DEVICE name device i. */
        char text[2][16];
        snprintf(text[0], sizeof text[0], "#%u", (unsigned)i);
        snprintf(text[1], sizeof text[1], "%u", (unsigned)i);
        for (int t = 0; t < 2; t++) {
            zcs_context_desc text_desc = {0};
            text_desc.device_name = text[t];
            text_desc.flags = ZCS_CONTEXT_IGNORE_ENVIRONMENT;
            zcs_context *context = NULL;
            ZCS_CK(zcs_context_create(&text_desc, &context));
            zcs_context_info info;
            ZCS_CK(zcs_context_info_get(context, &info));
            ck_assert_uint_eq(info.device_index, i);
            ck_assert_str_eq(info.device_name, device.name);
            zcs_test_context_destroy(context);

            setenv("ZCS_DEVICE", text[t], 1);
            unsetenv("ZCS_TIER");
            ZCS_CK(zcs_context_create(NULL, &context));
            ZCS_CK(zcs_context_info_get(context, &info));
            ck_assert_uint_eq(info.device_index, i);
            zcs_test_context_destroy(context);
        }
    }
}
END_TEST

START_TEST(bad_index_is_refused_with_the_count)
{
    uint32_t count = device_count();
    char expected[96];
    snprintf(expected, sizeof expected, "lists %u device", (unsigned)count);

    zcs_device_info info;
    memset(&info, 0x5a, sizeof info);
    ZCS_CK_STATUS(zcs_device_get_info(count, &info), ZCS_ERROR_INVALID_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(zcs_last_error(), "past the last device"));
    ck_assert_ptr_nonnull(strstr(zcs_last_error(), expected));
    ck_assert_uint_eq(info.index, 0x5a5a5a5au); /* not written */
    ZCS_CK_STATUS(zcs_device_get_info(UINT32_MAX, &info), ZCS_ERROR_INVALID_ARGUMENT);

    zcs_context_desc desc = {0};
    desc.flags = ZCS_CONTEXT_DEVICE_INDEX;
    desc.device_index = count;
    zcs_context *context = NULL;
    ZCS_CK_STATUS(zcs_context_create(&desc, &context), ZCS_ERROR_NO_DEVICE);
    ck_assert_ptr_null(context);
    ck_assert_ptr_nonnull(strstr(zcs_last_error(), "past the last device"));
    ck_assert_ptr_nonnull(strstr(zcs_last_error(), expected));
    desc.device_index = UINT32_MAX;
    ZCS_CK_STATUS(zcs_context_create(&desc, &context), ZCS_ERROR_NO_DEVICE);

    setenv("ZCS_DEVICE", "#4000000", 1);
    ZCS_CK_STATUS(zcs_context_create(NULL, &context), ZCS_ERROR_NO_DEVICE);
    ck_assert_ptr_nonnull(strstr(zcs_last_error(), "device index 4000000 (ZCS_DEVICE)"));
    ck_assert_ptr_null(context);
}
END_TEST

START_TEST(index_and_name_together_are_refused)
{
    zcs_context_desc desc = {0};
    desc.flags = ZCS_CONTEXT_DEVICE_INDEX;
    desc.device_index = 0;
    desc.device_name = "pocl";
    zcs_context *context = NULL;
    ZCS_CK_STATUS(zcs_context_create(&desc, &context), ZCS_ERROR_INVALID_ARGUMENT);
    ck_assert_ptr_nonnull(strstr(zcs_last_error(), "not both"));
    ck_assert_ptr_null(context);
}
END_TEST

START_TEST(index_flag_overrides_the_environment)
{
    setenv("ZCS_DEVICE", "no-such-device-anywhere", 1);
    unsetenv("ZCS_TIER");
    zcs_context *context = context_on(0);
    zcs_test_context_destroy(context);
    /* An index-like text that is not all digits stays a name filter. */
    zcs_context_desc desc = {0};
    desc.device_name = "#1x";
    ZCS_CK_STATUS(zcs_context_create(&desc, &context), ZCS_ERROR_NO_DEVICE);
    ck_assert_ptr_nonnull(strstr(zcs_last_error(), "#1x"));
}
END_TEST

START_TEST(null_out_parameters_are_refused)
{
    ZCS_CK_STATUS(zcs_device_count(NULL), ZCS_ERROR_NULL_HANDLE);
    ck_assert_ptr_nonnull(strstr(zcs_last_error(), "out_count"));
    ZCS_CK_STATUS(zcs_device_get_info(0, NULL), ZCS_ERROR_NULL_HANDLE);
    ck_assert_ptr_nonnull(strstr(zcs_last_error(), "out_info"));
}
END_TEST

START_TEST(device_type_names)
{
    ck_assert_str_eq(zcs_device_type_name(ZCS_DEVICE_TYPE_OTHER), "other");
    ck_assert_str_eq(zcs_device_type_name(ZCS_DEVICE_TYPE_INTEGRATED_GPU), "integrated_gpu");
    ck_assert_str_eq(zcs_device_type_name(ZCS_DEVICE_TYPE_DISCRETE_GPU), "discrete_gpu");
    ck_assert_str_eq(zcs_device_type_name(ZCS_DEVICE_TYPE_VIRTUAL_GPU), "virtual_gpu");
    ck_assert_str_eq(zcs_device_type_name(ZCS_DEVICE_TYPE_CPU), "cpu");
    ck_assert_ptr_null(zcs_device_type_name((zcs_device_type)5));
    ck_assert_ptr_null(zcs_device_type_name((zcs_device_type)-1));
}
END_TEST

static Suite *device_suite(void)
{
    Suite *suite = suite_create("device");
    TCase *tc = tcase_create("device");
    tcase_add_checked_fixture(tc, zcs_test_save_environment, zcs_test_restore_environment);
    tcase_add_test(tc, count_is_at_least_one);
    tcase_add_test(tc, each_device_is_described);
    tcase_add_test(tc, description_equals_what_a_context_reports);
    tcase_add_test(tc, default_context_is_on_the_default_device);
    tcase_add_test(tc, selection_by_index_equals_selection_by_name);
    tcase_add_test(tc, bad_index_is_refused_with_the_count);
    tcase_add_test(tc, index_and_name_together_are_refused);
    tcase_add_test(tc, index_flag_overrides_the_environment);
    tcase_add_test(tc, null_out_parameters_are_refused);
    tcase_add_test(tc, device_type_names);
    suite_add_tcase(suite, tc);
    return suite;
}

int main(void)
{
    return zcs_test_run(device_suite());
}
