/*
 * OpenCL fault injection for the tests: replaces entries of the backend's call table
 * (src/opencl/api.h) with wrappers that count calls and make the k-th fallible one
 * fail with a chosen error, without calling the runtime. Releases and frees are neither
 * counted nor failed, so an injected fault never leaks the runtime's objects by itself.
 */
#ifndef ZCS_TESTS_SUPPORT_CL_FAULTS_H
#define ZCS_TESTS_SUPPORT_CL_FAULTS_H

#include "opencl/api.h"

/* Install the wrappers; calls count from 0 and nothing fails. */
void cl_faults_install(void);

/* Make fallible call number `k` (1-based, counted from now) fail with `error`; 0: none. */
void cl_faults_arm(unsigned long k, cl_int error);

/* Put the real entry points back (fault_counter.h counts the calls and names the one hit). */
void cl_faults_remove(void);

#endif /* ZCS_TESTS_SUPPORT_CL_FAULTS_H */
