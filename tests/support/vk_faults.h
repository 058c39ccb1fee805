/*
 * Vulkan fault injection for the tests: replaces the fallible entries of the backend's
 * call table (src/vulkan/api.h) with wrappers that count calls and make the k-th one
 * fail with a chosen VkResult, without calling the real function (so nothing is created
 * that could leak). Install only after a context has loaded the table.
 */
#ifndef ZCS_TESTS_SUPPORT_VK_FAULTS_H
#define ZCS_TESTS_SUPPORT_VK_FAULTS_H

#include "vulkan/api.h"

/* Install the wrappers; calls count from 0 and nothing fails. */
void vk_faults_install(void);

/* Make fallible call number `k` (1-based, counted from now) fail with `error`; 0: none. */
void vk_faults_arm(unsigned long k, VkResult error);

/* Put the real entry points back (fault_counter.h counts the calls and names the one hit). */
void vk_faults_remove(void);

#endif /* ZCS_TESTS_SUPPORT_VK_FAULTS_H */
