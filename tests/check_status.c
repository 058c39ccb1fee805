/* The status table, tier names, version and the per-thread error message. */
#include <string.h>

#include "support/zcs_test.h"

START_TEST(every_status_has_a_name_and_a_message)
{
    static const zcs_status all[] = {
#define ZCS_TEST_STATUS_(code, name, msg) ZCS_##name,
        ZCS_STATUS_MAP(ZCS_TEST_STATUS_)
#undef ZCS_TEST_STATUS_
    };
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        ck_assert_str_ne(zcs_status_name(all[i]), "ZCS_UNKNOWN_STATUS");
        ck_assert_str_ne(zcs_status_string(all[i]), "unknown status");
        ck_assert_int_eq(strncmp(zcs_status_name(all[i]), "ZCS_", 4), 0);
        for (size_t j = 0; j < i; j++)
            ck_assert_int_ne(all[i], all[j]);
    }
    ck_assert_str_eq(zcs_status_name(ZCS_ERROR_TOO_LARGE), "ZCS_ERROR_TOO_LARGE");
    ck_assert_int_eq(ZCS_SUCCESS, 0);
}
END_TEST

START_TEST(unknown_status_is_named_as_such)
{
    ck_assert_str_eq(zcs_status_name((zcs_status)12345), "ZCS_UNKNOWN_STATUS");
    ck_assert_str_eq(zcs_status_string((zcs_status)-12345), "unknown status");
}
END_TEST

START_TEST(tier_names_round_trip)
{
    ck_assert_str_eq(zcs_tier_name(ZCS_TIER_AUTO), "auto");
    ck_assert_str_eq(zcs_tier_name(ZCS_TIER_SVM_FINE), "svm_fine");
    ck_assert_str_eq(zcs_tier_name(ZCS_TIER_SVM_COARSE), "svm_coarse");
    ck_assert_str_eq(zcs_tier_name(ZCS_TIER_HOST_PTR), "host_ptr");
    ck_assert_str_eq(zcs_tier_name(ZCS_TIER_VULKAN_MAPPED), "vulkan_mapped");
    ck_assert_str_eq(zcs_tier_name(ZCS_TIER_STAGED), "staged");
    ck_assert_ptr_null(zcs_tier_name((zcs_tier)ZCS_TIER_COUNT));
}
END_TEST

START_TEST(runtime_version_matches_header)
{
    ck_assert_uint_eq(zcs_version(), ZCS_VERSION);
    ck_assert_uint_eq(zcs_version() >> 16, ZCS_VERSION_MAJOR);
}
END_TEST

START_TEST(null_handles_leave_a_thread_message)
{
    ZCS_CK_STATUS(zcs_array_map(NULL, ZCS_MAP_READ, NULL), ZCS_ERROR_NULL_HANDLE);
    ck_assert_ptr_nonnull(strstr(zcs_last_error(), "zcs_array_map"));
    ZCS_CK_STATUS(zcs_array_unmap(NULL), ZCS_ERROR_NULL_HANDLE);
    ZCS_CK_STATUS(zcs_finish(NULL), ZCS_ERROR_NULL_HANDLE);
    ZCS_CK_STATUS(zcs_stats_get(NULL, NULL), ZCS_ERROR_NULL_HANDLE);
    ZCS_CK_STATUS(zcs_context_info_get(NULL, NULL), ZCS_ERROR_NULL_HANDLE);
    ZCS_CK_STATUS(zcs_kernel_create(NULL, "x", NULL), ZCS_ERROR_NULL_HANDLE);
    ZCS_CK_STATUS(zcs_kernel_set_array(NULL, 0, NULL), ZCS_ERROR_NULL_HANDLE);
    ZCS_CK_STATUS(zcs_kernel_set_value(NULL, 0, 4, NULL), ZCS_ERROR_NULL_HANDLE);
    ZCS_CK_STATUS(zcs_dispatch(NULL, 1, NULL, NULL), ZCS_ERROR_NULL_HANDLE);
    ZCS_CK_STATUS(zcs_array_create(NULL, 4, 4, 0, NULL), ZCS_ERROR_NULL_HANDLE);
    ZCS_CK_STATUS(zcs_program_create_builtin(NULL, "x", NULL), ZCS_ERROR_NULL_HANDLE);
    ck_assert_int_eq(zcs_array_destroy(NULL), ZCS_SUCCESS);
    zcs_context_destroy(NULL);
    zcs_program_destroy(NULL);
    zcs_kernel_destroy(NULL);
    ck_assert_uint_eq(zcs_array_size(NULL), 0);
    ck_assert_uint_eq(zcs_array_count(NULL), 0);
    ck_assert_uint_eq(zcs_array_elem_size(NULL), 0);
    ck_assert_int_eq(zcs_array_tier(NULL), ZCS_TIER_AUTO);
    ck_assert_str_eq(zcs_context_last_error(NULL), "invalid context handle");
    ck_assert_int_eq(zcs_context_last_backend_error(NULL), 0);
}
END_TEST

START_TEST(builtin_names_are_listed)
{
    const char *const *names = zcs_builtin_program_names();
    int found = 0;
    for (size_t i = 0; names[i] != NULL; i++)
        found += strcmp(names[i], "particles_advance") == 0 || strcmp(names[i], "index_3d") == 0 ||
                 strcmp(names[i], "increment_u32") == 0;
    ck_assert_int_eq(found, 3);
}
END_TEST

static Suite *status_suite(void)
{
    Suite *suite = suite_create("status");
    TCase *tc = tcase_create("status");
    tcase_add_test(tc, every_status_has_a_name_and_a_message);
    tcase_add_test(tc, unknown_status_is_named_as_such);
    tcase_add_test(tc, tier_names_round_trip);
    tcase_add_test(tc, runtime_version_matches_header);
    tcase_add_test(tc, null_handles_leave_a_thread_message);
    tcase_add_test(tc, builtin_names_are_listed);
    suite_add_tcase(suite, tc);
    return suite;
}

int main(void)
{
    return zcs_test_run(status_suite());
}
